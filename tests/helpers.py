"""Small helpers several test modules share."""

from __future__ import annotations

import socket

from syncro_xero.xero.writer import WriteHooks


class SimulatedCrash(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler catches it."""


def crash_at(k: int, when: str) -> WriteHooks:
    """Crash ``when`` ("before_send" or "after_answer") the k-th Xero write call of a pass."""

    def hook(n: int) -> None:
        if n == k:
            raise SimulatedCrash(f"{when} write {k}")

    return WriteHooks(**{when: hook})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
