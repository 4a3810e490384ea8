"""Xero emulator."""
