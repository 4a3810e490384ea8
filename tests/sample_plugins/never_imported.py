"""Listed as an entry point but disabled in config: importing it is a test failure."""

raise AssertionError("a disabled plugin was imported")
