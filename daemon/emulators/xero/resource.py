"""The table-driven core every Accounting resource plugs into.

A resource module subclasses :class:`Resource`, declares its collection and overrides a few hooks;
the generic operations give it Xero's envelopes, paging, ``where``/``order``, If-Modified-Since,
``IDs``-style list filters, ``searchTerm``, ``summaryOnly``, batch PUT/POST with per-element
results and ``summarizeErrors``, POST to one record, GET by id or natural key, and DELETE::

    class Invoices(Resource):
        plural, singular, id_field = "Invoices", "Invoice", "InvoiceID"
        schema = INVOICE                                   # fields.Schema, read-only fields marked
        operations = frozenset({LIST, GET, PUT, POST, POST_ONE})
        summarize_errors_on = frozenset({PUT, POST})
        paged, alt_key = True, "InvoiceNumber"
        list_filters = {"IDs": "InvoiceID", "Statuses": "Status", "ContactIDs": "Contact.ContactID"}
        unique = (Unique("InvoiceNumber", "Invoice # must be unique.", same_type_accrec),)
        def validate(self, call, values, existing): ...    # business rules -> messages
        def build(self, call, values, existing): ...       # the record to store
        def derive(self, call, record): ...                # totals, AmountDue, …
        def extra_routes(self): return [Route("PUT", "/Invoices/{InvoiceID}/…", self.handler)]

Per element the pipeline is: ``schema.parse`` (coerce, drop unknown/read-only) → ``match``
(existing record or None) → ``check`` (parse problems, unknown id, ``required``, ``unique``,
``validate``) → ``save`` (``build``, id, ``derive``, UpdatedDateUTC, ``Table.put``) → ``present``.
Extra routes take a :class:`Call` and return a :class:`Reply`, raise :class:`~.errors.XeroError`
for error answers, and may reuse :func:`run_batch` for their own batches (e.g. Allocations).
Writes to other tables (``call.table("Invoices").put(...)``) join the same undo scope.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, ClassVar, Mapping

from . import fields as F
from .config import XeroConfig
from .errors import no_data_processed, not_found, validation_exception
from .fields import Schema
from .query import compile_order, compile_where, dig
from .store import Org, Table, new_id
from .wire import ZERO_GUID, envelope_stamp

LIST, GET, PUT, POST, POST_ONE, DELETE = "list", "get", "put", "post", "post_one", "delete"


@dataclass
class Call:
    """One API request as a resource handler sees it."""

    org: Org
    config: XeroConfig
    method: str
    query: Mapping[str, str] = field(default_factory=dict)  # keys lower-cased
    params: Mapping[str, str] = field(default_factory=dict)  # path parameters
    body: Any = None  # parsed JSON (floats as Decimal)
    if_modified_since: datetime | None = None
    now: datetime = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.now is None:
            self.now = self.org.now()

    def arg(self, name: str) -> str | None:
        """A query parameter, its name matched without case."""
        return self.query.get(name.lower())

    def flag(self, name: str, default: bool) -> bool:
        """A boolean query parameter; the SDK sends ``True``/``False``."""
        value = self.arg(name)
        return default if value is None else value.strip().lower() in ("true", "1")

    def number(self, name: str) -> int | None:
        value = self.arg(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    @property
    def unit_places(self) -> int:
        """Decimal places kept for unit amounts: 4 with ``unitdp=4``, else 2."""
        return 4 if self.number("unitdp") == 4 else 2

    def table(self, plural: str) -> Table:
        return self.org.table(plural)

    def resource(self, plural: str) -> "Resource":
        """Another resource of this emulator, e.g. Contacts while saving an invoice."""
        return self.org.resources[plural]


@dataclass
class Reply:
    """A successful answer: status and a JSON body (None for an empty 204)."""

    status: int
    body: Any = None


@dataclass(frozen=True)
class Route:
    """An operation: ``path`` is relative to ``/api.xro/2.0`` and spelled as in the spec."""

    method: str
    path: str
    handler: Callable[[Call], Reply]


@dataclass(frozen=True)
class Unique:
    """A natural key: no two counted records share ``field`` (compared without case).

    ``message`` is formatted with ``value``. ``counts(other, mine, config)`` says whether a stored
    record takes part, given the element as it would be saved (e.g. only active contacts; only
    ACCREC invoices when ``mine`` is ACCREC).
    """

    field: str
    message: str
    counts: Callable[[dict, dict, XeroConfig], bool] = lambda other, mine, config: True


def envelope(call: Call, payload: dict) -> dict:
    """Xero's success envelope around ``payload`` (``{"Contacts": [...], "pagination": …}``)."""
    return {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": call.config.provider_name,
        "DateTimeUTC": envelope_stamp(call.now),
        **payload,
    }


def round_money(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


Step = Callable[[dict, list[str]], tuple[bool, dict]]


def run_batch(call: Call, key: str, parsed: list[tuple[dict, list[str]]], step: Step, summarize: bool) -> Reply:
    """Xero's batch semantics around ``step(values, problems) -> (ok, element)`` per element.

    All elements run in order inside one undo scope. With ``summarize`` (summarizeErrors absent or
    true) any failure answers 400 with the failed elements and, by default, undoes the whole batch;
    with summarizeErrors=false the answer is 200 and each element says OK or ERROR.
    """
    with call.org.atomic():
        results = [step(values, problems) for values, problems in parsed]
        failed = [element for ok, element in results if not ok]
        if failed and summarize and call.config.summarized_batch_atomic:
            call.org.rollback()
    if failed and summarize:
        # UNKNOWN (xero-api.md §1.4): the 400 lists only the failed elements.
        raise validation_exception(failed)
    if not summarize:
        for ok, element in results:
            element["StatusAttributeString"] = "OK" if ok else "ERROR"
    return Reply(200, envelope(call, {key: [element for _, element in results]}))


class Resource:
    """One Accounting collection. Class attributes declare it; methods are the hooks."""

    plural: ClassVar[str]  # URL segment and envelope key: "Contacts"
    singular: ClassVar[str]  # "Contact" (used in messages)
    id_field: ClassVar[str]  # "ContactID"
    schema: ClassVar[Schema]  # every field the object shows, read-only ones marked
    operations: ClassVar[frozenset[str]] = frozenset({LIST, GET})
    #: Operations that take ?summarizeErrors (xero-api.md §1.1).
    summarize_errors_on: ClassVar[frozenset[str]] = frozenset()
    alt_key: ClassVar[str | None] = None  # natural key GET /{plural}/{value} and Org.get fall back to
    paged: ClassVar[bool] = False
    modified_since: ClassVar[bool] = True  # takes If-Modified-Since
    status_field: ClassVar[str | None] = None
    hidden_unless_archived: ClassVar[tuple[str, ...]] = ()  # left out unless includeArchived=true
    list_filters: ClassVar[Mapping[str, str]] = {}  # ?IDs=a,b → (dotted) field
    search_fields: ClassVar[tuple[str, ...]] = ()  # ?searchTerm=
    summary_omits: ClassVar[tuple[str, ...]] = ()  # ?summaryOnly=true drops these
    required: ClassVar[Mapping[str, str]] = {}  # field → message when missing on create
    unique: ClassVar[tuple[Unique, ...]] = ()
    error_flag: ClassVar[str | None] = None  # e.g. HasValidationErrors=true on failed elements

    # -- hooks --------------------------------------------------------------------------------
    def defaults(self, call: Call) -> dict:
        """Fields every new record starts with."""
        return {}

    def match(self, call: Call, values: dict, create_only: bool) -> dict | None:
        """The stored record an element updates, or None to create one."""
        return call.table(self.plural).get(values.get(self.id_field))

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        """Business-rule messages for one element (empty when it may be saved)."""
        return []

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        """The record to store: ``values`` over the existing record (or the defaults)."""
        record = dict(existing) if existing is not None else self.defaults(call)
        for key, value in values.items():
            old = record.get(key)
            record[key] = {**old, **value} if isinstance(old, dict) and isinstance(value, dict) else value
        return record

    def derive(self, call: Call, record: dict) -> None:
        """Fill computed read-only fields in place."""

    def render(self, call: Call, record: dict) -> dict:
        """What the API shows of a record."""
        return record

    def present(self, call: Call, record: dict) -> dict:
        """``render`` with keys in the schema's order, as Xero lists them."""
        shown = self.render(call, record)
        order = {name: i for i, name in enumerate(self.schema.fields)}
        return dict(sorted(shown.items(), key=lambda kv: order.get(kv[0], len(order))))

    def remove(self, call: Call, record: dict) -> Reply:
        """DELETE /{plural}/{id}."""
        raise NotImplementedError(f"{self.plural} declares DELETE but does not implement remove()")

    def extra_routes(self) -> list[Route]:
        return []

    # -- shared building blocks -----------------------------------------------------------------
    def routes(self) -> list[Route]:
        one = f"/{self.plural}/{{{self.id_field}}}"
        table = {
            LIST: Route("GET", f"/{self.plural}", self.list_records),
            GET: Route("GET", one, self.get_record),
            PUT: Route("PUT", f"/{self.plural}", self.create_records),
            POST: Route("POST", f"/{self.plural}", self.upsert_records),
            POST_ONE: Route("POST", one, self.update_record),
            DELETE: Route("DELETE", one, self.delete_record),
        }
        return [route for op, route in table.items() if op in self.operations] + self.extra_routes()

    def lookup(self, call: Call, key: str) -> dict | None:
        """A record by id, else by the natural key ``alt_key``."""
        table = call.table(self.plural)
        found = table.get(key)
        if found is None and self.alt_key:
            found = table.find(self.alt_key, key)
        return found

    def unique_errors(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        """Messages for natural keys this element sets that other records already use."""
        own = existing.get(self.id_field) if existing else None
        mine = {**(existing or {}), **values}
        messages = []
        for rule in self.unique:
            value = values.get(rule.field)
            if not isinstance(value, str) or not value.strip():
                continue
            for other in call.table(self.plural).all():
                have = other.get(rule.field)
                if (
                    other.get(self.id_field) != own
                    and isinstance(have, str)
                    and have.strip().lower() == value.strip().lower()
                    and rule.counts(other, mine, call.config)
                ):
                    messages.append(rule.message.format(value=value))
                    break
        return messages

    def required_errors(self, values: dict, existing: dict | None) -> list[str]:
        messages = []
        for name, message in self.required.items():
            value = values.get(name, existing.get(name) if existing else None)
            if value is None or value == [] or (isinstance(value, str) and not value.strip()):
                messages.append(message)
        return messages

    def save(self, call: Call, values: dict, existing: dict | None, *, touch: bool = True) -> dict:
        """Build, derive, stamp and store one record."""
        record = self.build(call, values, existing)
        record.setdefault(self.id_field, existing[self.id_field] if existing else new_id())
        self.derive(call, record)
        if touch and "UpdatedDateUTC" in self.schema.fields:
            record["UpdatedDateUTC"] = call.now
        return call.table(self.plural).put(record)

    def check(self, call: Call, values: dict, existing: dict | None, problems: list[str]) -> list[str]:
        """All messages for one parsed element: parse problems, required, unique, business rules."""
        messages = list(problems)
        given_id = values.get(self.id_field)
        if existing is None and given_id and self.schema.fields[self.id_field].kind == F.GUID:
            # UNKNOWN ([Inf]): the emulator's wording for an id that matches no record.
            messages.append(f"{self.singular} with {self.id_field} {given_id} could not be found.")
        messages += self.required_errors(values, existing)
        messages += self.unique_errors(call, values, existing)
        return messages + self.validate(call, values, existing)

    def elements(self, call: Call) -> list[Any]:
        """The submitted elements: ``{plural: [...]}`` or one bare object."""
        body = call.body
        if isinstance(body, dict):
            for key, value in body.items():
                if key.lower() == self.plural.lower():
                    if isinstance(value, list) and value:
                        return value
                    raise no_data_processed(self.singular)
            if body:
                return [body]
        raise no_data_processed(self.singular)

    # -- element results --------------------------------------------------------------------
    def failed(self, call: Call, values: dict, existing: dict | None, messages: list[str]) -> dict:
        element = {self.id_field: existing[self.id_field] if existing else ZERO_GUID, **values}
        if self.error_flag:
            element[self.error_flag] = True
        element["ValidationErrors"] = [{"Message": m} for m in messages]
        return element

    def write(self, call: Call, op: str) -> Reply:
        """Batch PUT (create-only) or POST (upsert): each element matched, checked and saved."""
        summarize = call.flag("summarizeErrors", True) if op in self.summarize_errors_on else True
        parsed = [self.schema.parse(raw, f"{self.plural}[{i}]") for i, raw in enumerate(self.elements(call))]

        def step(values: dict, problems: list[str]) -> tuple[bool, dict]:
            existing = self.match(call, values, create_only=op == PUT)
            messages = self.check(call, values, existing, problems)
            if messages:
                return False, self.failed(call, values, existing, messages)
            return True, self.present(call, self.save(call, values, existing))

        return run_batch(call, self.plural, parsed, step, summarize)

    # -- generic operations -------------------------------------------------------------------
    def create_records(self, call: Call) -> Reply:
        return self.write(call, PUT)

    def upsert_records(self, call: Call) -> Reply:
        return self.write(call, POST)

    def update_record(self, call: Call) -> Reply:
        record = self.lookup(call, call.params[self.id_field])
        if record is None:
            raise not_found()
        elements = self.elements(call)
        call.body = {self.plural: [{**elements[0], self.id_field: record[self.id_field]}]}
        return self.write(call, POST_ONE)

    def get_record(self, call: Call) -> Reply:
        record = self.lookup(call, call.params[self.id_field])
        if record is None:
            raise not_found()
        return Reply(200, envelope(call, {self.plural: [self.present(call, record)]}))

    def delete_record(self, call: Call) -> Reply:
        record = self.lookup(call, call.params[self.id_field])
        if record is None:
            raise not_found()
        return self.remove(call, record)

    def list_records(self, call: Call) -> Reply:
        # UNKNOWN (xero-api.md §1.3): Xero's order without ?order=; creation order here.
        records = self.select(call, call.table(self.plural).all())
        payload: dict[str, Any] = {}
        summary = call.flag("summaryOnly", False)
        # summaryOnly forces paging (xero-api.md §1.3).
        if self.paged and (call.arg("page") is not None or call.config.page_by_default or summary):
            records, payload["pagination"] = self.page(call, records)
        if summary and self.summary_omits:
            shown = [{k: v for k, v in self.present(call, r).items() if k not in self.summary_omits} for r in records]
        else:
            shown = [self.present(call, r) for r in records]
        payload[self.plural] = shown
        return Reply(200, envelope(call, payload))

    def select(self, call: Call, records: list[dict]) -> list[dict]:
        """Apply includeArchived, If-Modified-Since, list filters, searchTerm, where and order."""
        if self.status_field and self.hidden_unless_archived and not call.flag("includeArchived", False):
            records = [r for r in records if r.get(self.status_field) not in self.hidden_unless_archived]
        if self.modified_since and call.if_modified_since is not None:
            records = [r for r in records if _modified_since(r, call)]
        for param, path in self.list_filters.items():
            if (raw := call.arg(param)) is not None:
                wanted = {v.strip().strip('"').lower() for v in raw.split(",") if v.strip()}
                names = path.split(".")
                records = [r for r in records if str(dig(r, names) or "").lower() in wanted]
        if self.search_fields and (term := (call.arg("searchTerm") or "").strip().lower()):
            records = [r for r in records if any(term in str(r.get(f) or "").lower() for f in self.search_fields)]
        if where := (call.arg("where") or "").strip():
            keep = compile_where(where, self.schema, case_sensitive=call.config.where_case_sensitive)
            records = [r for r in records if keep(r)]
        if order := (call.arg("order") or "").strip():
            records = compile_order(order, self.schema)(records)
        return records

    def page(self, call: Call, records: list[dict]) -> tuple[list[dict], dict]:
        size = call.number("pageSize") or call.config.default_page_size
        # UNKNOWN (xero-api.md §1.3, [S]): pageSize above 1000 is capped; below 1 is taken as 1.
        size = max(1, min(size, call.config.max_page_size))
        page = max(1, call.number("page") or 1)
        count = len(records)
        pagination = {"page": page, "pageSize": size, "pageCount": math.ceil(count / size), "itemCount": count}
        return records[(page - 1) * size : page * size], pagination

    # -- seeding and user edits (Org.insert / Org.edit) -----------------------------------------
    def seed(self, org: Org, fields: dict) -> dict:
        """Create a record through the API's own rules; read-only fields in ``fields`` are preset."""
        return self._direct(org, fields, None, touch=True)

    def edit(self, org: Org, record: dict, fields: dict, *, touch: bool) -> dict:
        return self._direct(org, fields, record, touch=touch)

    def view(self, org: Org, record: dict) -> dict:
        """A record as ``GET`` shows it (computed fields included)."""
        return self.present(Call(org, org.config, "GET"), record)

    def _direct(self, org: Org, fields: dict, existing: dict | None, *, touch: bool) -> dict:
        call = Call(org, org.config, "POST")
        preset = {k: v for k, v in fields.items() if (f := self.schema.fields.get(k)) is not None and f.read_only}
        values, problems = self.schema.parse({k: v for k, v in fields.items() if k not in preset})
        messages = self.check(call, values, existing, problems)
        if messages:
            raise ValueError(f"{self.singular}: {'; '.join(messages)}")
        record = self.save(call, values, existing, touch=touch)
        if preset:
            record = call.table(self.plural).put({**record, **preset})
        return record


def _modified_since(record: dict, call: Call) -> bool:
    stamp = record.get("UpdatedDateUTC")
    since = call.if_modified_since
    if stamp is None or since is None:
        return True
    since = since.replace(microsecond=0)
    return stamp >= since if call.config.ims_inclusive else stamp.replace(microsecond=0) > since

