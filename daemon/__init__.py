"""syncro-xero: keep an MSP's Xero books in step with its Syncro account."""

__version__ = "0.1.0"
