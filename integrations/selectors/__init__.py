"""Reads shared by pages, flows and commands; writes live in `integrations.services`."""
