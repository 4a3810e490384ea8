"""Implements a hook no spec declares (a typo)."""

from syncro_xero import hookimpl


@hookimpl
def syncro_xero_featuer():  # noqa: ANN201
    return None
