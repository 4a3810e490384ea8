"""Small helpers several test modules share."""

from __future__ import annotations

import socket
from decimal import Decimal

from syncro_xero.xero.writer import WriteHooks


#: Undocumented Syncro fields the daemon sends by default, let through by the strict emulators: only
#: xero_payments' date_field (UNKNOWN, syncro-api.md §2.5: POST /payments documents no date).
SYNCRO_UNDOCUMENTED_SENT = frozenset({"payment_applied_at"})


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


def syncro_balance(store, customer) -> Decimal:  # noqa: ANN001
    """What the customer owes in Syncro, less the credit they hold."""
    owed = sum((store.totals(i).balance_due for i in store.invoices.values() if i.customer_id == customer.id),
               Decimal(0))
    return owed - store.store_credit_balance(customer.id)


def xero_balance(xero_emulator, customer) -> Decimal:  # noqa: ANN001
    """The Xero contact's outstanding receivable balance."""
    contact = xero_emulator.store.get("Contacts", f"SYNCRO-{customer.id}")
    view = xero_emulator.store.view("Contacts", contact["ContactID"])
    return Decimal(str(view["Balances"]["AccountsReceivable"]["Outstanding"]))


def assert_balances_agree(syncro_emulator, xero_emulator, customer) -> None:  # noqa: ANN001
    assert xero_balance(xero_emulator, customer) == syncro_balance(syncro_emulator.store, customer)


def errors(element: dict) -> list[str]:
    """The validation messages of one element of a Xero answer."""
    return [e["Message"] for e in element["ValidationErrors"]]


def off_spec(emulator, *fragments) -> None:  # noqa: ANN001
    """The strict check caught these deliberately off-spec exchanges (requests let through by the
    ``off_spec_on_purpose`` mark, or refused; answers); each fragment is in one of them. Forget the
    refusals and answers, so they do not fail the test."""
    seen = emulator.off_spec_seen + emulator.spec_violations
    for fragment in fragments:
        assert any(fragment in v for v in seen), (fragment, seen)
    emulator.spec_violations.clear()


def corrupt(emulator, path: str, record_id, **fields) -> None:  # noqa: ANN001
    """From now on, answers to GETs under ``path`` show record ``record_id`` with ``fields`` set
    (in lists and in its detail): a malformed record on the wire, the store left well-formed."""

    def change(data):  # noqa: ANN001, ANN202
        if isinstance(data, dict):
            for value in data.values():
                found = value if isinstance(value, list) else [value]
                for record in found:
                    if isinstance(record, dict) and record.get("id") == record_id:
                        record.update(fields)
        return data

    emulator.faults.tamper(path, change)
