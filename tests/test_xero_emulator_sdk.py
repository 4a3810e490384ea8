"""The official xero-python SDK, pointed at the emulator, in a worker thread (xero-api.md §7)."""

import asyncio
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import aiohttp
import pytest
import urllib3
from xero_python.accounting import (
    Account,
    AccountingApi,
    Address,
    Contact,
    Contacts,
    CreditNote,
    CreditNotes,
    Invoice,
    Invoices,
    Item,
    Items,
    LineAmountTypes,
    LineItem,
    Payment,
    Phone,
    Purchase,
)
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions.http_status_exceptions import (
    AccountingBadRequestException,
    NotFoundException,
    RateLimitException,
)
from xero_python.identity import IdentityApi


async def sdk_client(xero) -> ApiClient:
    """An ApiClient with a token fetched over HTTP (not via TokenApi's hard-coded URLs)."""
    async with aiohttp.ClientSession() as http:
        form = {"grant_type": "client_credentials", "client_id": "test-client-id",
                "client_secret": "test-client-secret"}
        async with http.post(f"{xero.url}/connect/token", data=form) as response:
            token = await response.json()
    # The SDK compares expires_at with the real clock; without it the token never expires.
    token["expires_at"] = time.time() + token["expires_in"]
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id="test-client-id", client_secret="test-client-secret")),
        pool_threads=1,
        oauth2_token_getter=lambda: token,
        oauth2_token_saver=lambda new: token.update(new),
    )
    # Configuration is a pseudo-singleton: give this client its own token holder (xero-python#99).
    client.configuration.oauth2_token = OAuth2Token(client_id="test-client-id", client_secret="test-client-secret")
    # urllib3 would otherwise silently retry 429s and sleep through Retry-After.
    client.rest_client.pool_manager.clear()
    client.rest_client.pool_manager.connection_pool_kw["retries"] = urllib3.Retry(
        total=0, respect_retry_after_header=False, raise_on_status=False, redirect=0
    )
    return client


@pytest.fixture
async def accounting(xero):
    return AccountingApi(await sdk_client(xero), base_url=f"{xero.url}/api.xro/2.0")


async def test_sdk_creates_updates_and_reads_contacts(xero, accounting):
    tenant = xero.default_tenant_id
    acme = Contact(
        name="Acme Ltd", contact_number="SYN-1", email_address="ap@acme.example",
        phones=[Phone(phone_type="MOBILE", phone_number="07700 900123")],
        addresses=[Address(address_type="STREET", address_line1="1 High St", city="Leeds")],
    )

    def work():
        created = accounting.create_contacts(
            tenant, Contacts(contacts=[acme]), summarize_errors=False, idempotency_key="sdk-contacts-1")
        contact_id = created.contacts[0].contact_id
        accounting.update_contact(tenant, contact_id, Contacts(contacts=[Contact(account_number="ACC-9")]))
        by_number = accounting.get_contact_by_contact_number(tenant, "SYN-1").contacts[0]
        listing = accounting.get_contacts(tenant, where='Name=="Acme Ltd"', page=1, include_archived=False)
        return created.contacts[0], by_number, listing

    created, by_number, listing = await asyncio.to_thread(work)
    assert created.status_attribute_string == "OK" and created.updated_date_utc == xero.clock.now()
    assert (by_number.contact_id, by_number.account_number) == (created.contact_id, "ACC-9")
    assert [p.phone_number for p in by_number.phones if p.phone_type == "MOBILE"] == ["07700 900123"]
    assert by_number.addresses[0].city == "Leeds"
    assert (listing.pagination.item_count, listing.contacts[0].name) == (1, "Acme Ltd")


async def test_sdk_if_modified_since_with_an_offset_filters_contacts(xero, accounting, fake_clock):
    xero.store.insert("Contacts", Name="Old Ltd")
    fake_clock.advance(120)
    xero.store.insert("Contacts", Name="New Ltd")
    since = fake_clock.now() - timedelta(seconds=60)
    auckland = since.astimezone(timezone(timedelta(hours=13)))
    listing = await asyncio.to_thread(accounting.get_contacts, xero.default_tenant_id, if_modified_since=auckland)
    assert [c.name for c in listing.contacts] == ["New Ltd"]


async def test_sdk_creates_and_reads_items(xero, accounting):
    tenant = xero.default_tenant_id
    labour = Item(code="LAB", name="Labour", sales_details=Purchase(unit_price=Decimal("95.1234"), account_code="200",
                                                                     tax_type="OUTPUT2"))

    def work():
        created = accounting.create_items(tenant, Items(items=[labour]), unitdp=4, idempotency_key="sdk-items-1")
        fetched = accounting.get_item(tenant, created.items[0].item_id).items[0]
        return created.items[0], fetched, accounting.get_items(tenant, where='Code=="LAB"')

    created, fetched, listing = await asyncio.to_thread(work)
    assert created.sales_details.unit_price == Decimal("95.1234")
    assert (fetched.item_id, fetched.sales_details.unit_price) == (created.item_id, Decimal("95.12"))
    assert [i.code for i in listing.items] == ["LAB"]


async def test_sdk_reads_accounts_tax_rates_and_organisation(xero, accounting):
    tenant = xero.default_tenant_id

    def work():
        return (accounting.get_accounts(tenant, where='Type=="BANK"').accounts,
                accounting.get_tax_rates(tenant).tax_rates, accounting.get_organisations(tenant).organisations[0])

    banks, rates, org = await asyncio.to_thread(work)
    assert [(a.code, a.name, a.type.value) for a in banks] == [("090", "Business Bank Account", "BANK")]
    assert {"OUTPUT2", "INPUT2", "NONE"} <= {r.tax_type for r in rates}
    assert org.name == "Demo Company (UK)" and org.base_currency.value == "GBP"


async def test_sdk_sees_validation_404_and_429_as_its_typed_exceptions(xero, accounting):
    tenant = xero.default_tenant_id
    xero.store.insert("Contacts", Name="Acme Ltd")

    def duplicate():
        accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Acme Ltd")]))

    with pytest.raises(AccountingBadRequestException) as bad:
        await asyncio.to_thread(duplicate)
    assert bad.value.reason.startswith("The contact name Acme Ltd is already assigned")
    with pytest.raises(NotFoundException):
        await asyncio.to_thread(accounting.get_contact, tenant, "11111111-2222-3333-4444-555555555555")
    xero.faults.rate_limit_next(1, retry_after=30)
    with pytest.raises(RateLimitException) as limited:
        await asyncio.to_thread(accounting.get_contacts, tenant)
    assert limited.value.rate_limit == "minute"
    assert xero.access_log.count(status=429) == 1


async def test_sdk_identity_api_lists_the_connection(xero):
    client = await sdk_client(xero)
    connections = await asyncio.to_thread(IdentityApi(client, base_url=xero.url).get_connections)
    assert [(c.tenant_id, c.tenant_name) for c in connections] == [(xero.default_tenant_id, "Demo Company (UK)")]
    assert isinstance(connections[0].created_date_utc, datetime)


@pytest.mark.off_spec_on_purpose("xero-python sends the read-only HasAttachments")
async def test_sdk_creates_and_reads_invoices_payments_and_credit_notes(xero, accounting):
    tenant = xero.default_tenant_id
    acme = xero.store.insert("Contacts", Name="Acme Ltd", ContactNumber="SYN-1")
    labour = LineItem(description="Labour 1.5h", quantity=Decimal("1.5"), unit_amount=Decimal("123.4567"),
                      account_code="200", tax_type="OUTPUT2")
    sale = Invoice(type="ACCREC", contact=Contact(contact_id=acme["ContactID"]), date=date(2026, 3, 1),
                   due_date=date(2026, 3, 31), line_amount_types=LineAmountTypes.EXCLUSIVE, reference="SYNCRO-42",
                   invoice_number="SYN-1001", status="AUTHORISED", line_items=[labour])
    refund = CreditNote(type="ACCRECCREDIT", contact=Contact(contact_id=acme["ContactID"]), date=date(2026, 3, 2),
                        status="AUTHORISED", line_items=[LineItem(description="Goodwill", quantity=Decimal(1),
                                                                  unit_amount=Decimal("10"), account_code="200")])

    def work():
        created = accounting.create_invoices(tenant, Invoices(invoices=[sale]), summarize_errors=False, unitdp=4,
                                             idempotency_key="sdk-invoice-1").invoices[0]
        payment = accounting.create_payment(tenant, Payment(
            invoice=Invoice(invoice_id=created.invoice_id), account=Account(code="090"), date=date(2026, 3, 3),
            amount=Decimal("50"), reference="SYNCRO-PAY-7")).payments[0]
        fetched = accounting.get_invoice(tenant, created.invoice_id).invoices[0]
        note = accounting.create_credit_notes(tenant, CreditNotes(credit_notes=[refund])).credit_notes[0]
        notes = accounting.get_credit_notes(tenant, where='Type=="ACCRECCREDIT"', page=1).credit_notes
        return created, payment, fetched, note, notes

    created, payment, fetched, note, notes = await asyncio.to_thread(work)
    assert created.status_attribute_string == "OK" and created.invoice_number == "SYN-1001"
    assert (created.line_items[0].unit_amount, created.total) == (Decimal("123.4567"), Decimal("222.23"))
    assert (payment.payment_type, payment.invoice.amount_due) == ("ACCRECPAYMENT", Decimal("172.23"))
    assert (fetched.status, fetched.amount_paid, fetched.date) == ("AUTHORISED", Decimal("50.00"), date(2026, 3, 1))
    assert fetched.payments[0].payment_id == payment.payment_id and fetched.contact.name == "Acme Ltd"
    assert (note.credit_note_number, note.remaining_credit) == ("CN-0001", Decimal("12.00"))
    assert [n.credit_note_id for n in notes] == [note.credit_note_id]
