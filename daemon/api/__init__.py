"""The plugin API: everything a feature plugin may use, and nothing of the runtime.

These modules import only the standard library and pydantic; the runtime (engine, pass, clients,
state) implements them. ``syncro_xero`` re-exports each public name; ``__all__`` there is the
contract, and a test holds both to it.
"""
