"""The Hiboutik integration's flows, one module each; `hiboutik.integration.FLOWS` lists them."""
