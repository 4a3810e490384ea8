"""Plugins that exist only to test the plugin system."""
