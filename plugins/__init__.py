"""The built-in sync features, one module each, registered like any third-party plugin."""
