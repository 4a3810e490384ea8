"""What the store raises when a change is refused; the routes turn these into Syncro's answers."""

from __future__ import annotations


class NotFound(LookupError):
    """No record of that kind with that id (or it was deleted)."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class RuleError(ValueError):
    """Syncro would refuse this change (a 422 over HTTP); ``messages`` are its validation messages."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class AlreadyPaid(RuleError):
    """Editing a line of a paid invoice (the spec's 200 "Invoice is already paid")."""

    def __init__(self) -> None:
        super().__init__("Invoice is already paid")


class DraftsDisabled(LookupError):
    """Draft-invoice actions on an account without draft invoices (S1b: 404)."""
