"""Support the built-in features share: mappings, payload builders, matching and allocation rules.

Nothing here is a feature (no entry point, no hook). A feature module in ``plugins/`` imports only
``syncro_xero``'s public names and these modules; a test enforces it.
"""
