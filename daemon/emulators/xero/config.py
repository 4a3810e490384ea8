"""Every knob of the Xero emulator, with Xero's documented values as defaults.

Where Xero's behaviour is unknown (xero-api.md tags [S], [Inf] or §10), the default is the
best-evidenced behaviour and the alternative is a switch here; docs/emulator-unknowns.md lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DAY = 86_400.0


@dataclass
class XeroConfig:
    """Settings read while the emulator runs; change them before the calls they should affect."""

    # -- the app ------------------------------------------------------------------------------
    client_id: str = "test-client-id"
    client_secret: str = "test-client-secret"
    provider_name: str = "syncro-xero emulator"
    #: Chart of accounts and tax rates of new organisations: "UK" or "AU".
    region: str = "UK"
    # UNKNOWN (reference/README.md): 2100/2150 are not in Xero's default chart; the emulator adds
    # them for refunds and customer prepayments; switch: seed_extra_accounts.
    seed_extra_accounts: bool = True

    # -- OAuth 2.0 (xero-api.md §4) -----------------------------------------------------------
    access_token_ttl: float = 1800.0
    refresh_token_ttl: float = 60 * DAY
    refresh_grace: float = 1800.0
    # UNKNOWN (xero-api.md §4, [S] N1): authorization codes are single-use and last 5 minutes.
    auth_code_ttl: float = 300.0

    # -- rate limits (xero-api.md §2) ---------------------------------------------------------
    minute_limit: int = 60
    day_limit: int = 5000  # 1000 for the Starter tier
    concurrent_limit: int = 5
    app_minute_limit: int = 10_000
    # UNKNOWN (xero-api.md §2, §10): whether the concurrency and app-wide limits answer 429, and
    # with which X-Rate-Limit-Problem and Retry-After; switches: the three below.
    concurrent_problem: str = "concurrent"
    concurrent_retry_after: int = 1
    app_minute_problem: str = "appminute"

    # -- Idempotency-Key (xero-api.md §3, all [S]) --------------------------------------------
    # UNKNOWN (xero-api.md §10): the 6-minute cache lifetime; switch: idempotency_ttl.
    idempotency_ttl: float = 360.0
    idempotency_max_key_length: int = 128

    # -- batches and lists (xero-api.md §1.3, §1.4) -------------------------------------------
    # UNKNOWN (xero-api.md §1.4, [Inf]): with summarizeErrors omitted/true, whether the valid
    # elements of a failing batch are saved; default: nothing is saved; switch below.
    summarized_batch_atomic: bool = True
    # UNKNOWN (xero-api.md §1.3): whether a paged list without ?page= is paged (page 1 of 100)
    # or returns every record without pagination; switch: page_by_default.
    page_by_default: bool = True
    default_page_size: int = 100
    max_page_size: int = 1000
    # UNKNOWN (xero-api.md §1.3): whether If-Modified-Since keeps records stamped exactly at the
    # given second; default: yes (>=, compared to the second); switch: ims_inclusive.
    ims_inclusive: bool = True
    # UNKNOWN ([Inf]): `where` string comparisons ignore case (SQL collation); switch below.
    where_case_sensitive: bool = False
    # UNKNOWN (xero-api.md §1): the API answers XML unless asked for JSON ([S] N2); the emulator
    # speaks only JSON, so by default it refuses a request that does not accept JSON (406).
    require_json_accept: bool = True

    # -- contacts (xero-api.md §1.2) ----------------------------------------------------------
    # UNKNOWN ([S] N1, spec example message "unique across all active contacts"): archived
    # contacts do not block a name; switch: contact_names_unique_among_archived.
    contact_names_unique_among_archived: bool = False
    # UNKNOWN ([S] xero-python#70, Xero staff): Contact.Name is not held to the spec's 255;
    # switch: enforce_contact_name_length.
    enforce_contact_name_length: bool = False
    # UNKNOWN ([Inf]): POST /Contacts matches an element to an existing contact by ContactID,
    # then ContactNumber, then Name; switch: post_matches_contact_by_name.
    post_matches_contact_by_name: bool = True

    # -- transactions (xero-api.md §1.2, §1.5) ------------------------------------------------
    # UNKNOWN (xero-api.md §1.2 [S] N1, N2): a document whose Contact names an unknown contact
    # creates that contact (invoices, credit notes, bank transactions; never purchase orders);
    # switch: documents_create_contacts (False refuses the element instead).
    documents_create_contacts: bool = True
    # UNKNOWN ([Inf]): an AUTHORISED document totalling 0.00 is settled at once (PAID);
    # switch: zero_total_becomes_paid.
    zero_total_becomes_paid: bool = True
    # UNKNOWN ([S] WorkGuru's list of Xero messages): negative line quantities are refused
    # ("Quantity must not be less than zero."); switch: negative_quantities_allowed.
    negative_quantities_allowed: bool = False
    # UNKNOWN ([Inf]): an invoice needs a DueDate to be AUTHORISED; switch below.
    due_date_required_to_authorise: bool = True
    # UNKNOWN ([Inf]): a document dated ON the lock date is locked too ("on and before");
    # switch: lock_date_inclusive.
    lock_date_inclusive: bool = True
    # UNKNOWN ([S] N1; SDK 15.2.0 `allowBackorders`): selling or returning more of a tracked item
    # than is on hand is refused unless the request says allowBackorders=true; this switch allows
    # it for every request.
    backorders_by_default: bool = False
    # UNKNOWN (xero-api.md §10): the spec says batch payments cannot be deleted via the API, yet
    # declares two delete operations; default: they delete; switch: batch_payments_deletable.
    batch_payments_deletable: bool = True
    # UNKNOWN (spec: BatchPayment.Details says "Maximum field length = 18" in its description, with
    # no maxLength): what Xero does with longer Details; default: refused; switch: "truncate" keeps
    # the first 18 characters.
    batch_details_beyond_18: Literal["refuse", "truncate"] = "refuse"
    # UNKNOWN (spec: BankTransaction.Reference is "only supported for SPEND and RECEIVE"; the
    # Overpayment schema and GET /Overpayments?References= say otherwise): *-OVERPAYMENT and
    # *-PREPAYMENT transactions keep their Reference; switch: overpayment_reference_kept.
    overpayment_reference_kept: bool = True
