"""Syncro emulator."""
