"""Example third-party syncro-xero plugin: Syncro estimates become Xero quotes.

- :mod:`.feature`: the sync feature (entry point ``syncro_xero.plugins``: ``estimates``);
- :mod:`.emulator`: the emulator extension that serves Syncro's ``/estimates`` and Xero's
  ``/Quotes`` (entry point ``syncro_xero.emulators``), so the feature is tested end to end.
"""
