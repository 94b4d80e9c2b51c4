"""Every write of the integrations app; reads live in `integrations.selectors`."""
