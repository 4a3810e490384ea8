"""``seed_sample``: deterministic, holds every case the sync must handle, and scales for benchmarks."""

from __future__ import annotations

import dataclasses
import time

import aiohttp
from syncro_xero.clock import FakeClock
from syncro_xero.emulators.syncro import SyncroStore, seed_sample


def _snapshot(store: SyncroStore) -> list[object]:
    tables = (store.customers, store.contacts, store.products, store.invoices, store.payments, store.purchase_orders)
    return [dataclasses.asdict(record) for table in tables for record in table.values()]


def test_the_same_seed_gives_the_same_data_and_another_seed_differs():
    first, second, other = (SyncroStore(FakeClock()) for _ in range(3))
    seed_sample(first)
    seed_sample(second)
    seed_sample(other, seed=8)
    assert _snapshot(first) == _snapshot(second) != _snapshot(other)


async def test_the_sample_holds_every_case_the_sync_must_handle(syncro_emulator):
    store = syncro_emulator.store
    store.account.draft_invoices = True
    summary = seed_sample(store)
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-syncro-key"}) as http:
        async def get(path: str) -> dict:
            async with http.get(syncro_emulator.api_url + path) as response:
                assert response.status == 200
                return await response.json()

        customers = [c for page in (1, 2) for c in (await get(f"/customers?page={page}"))["customers"]]
        assert sum(c["business_name"] is None for c in customers) >= 5 <= sum(c["business_name"] is not None for c in customers)
        assert len(customers) == 40 and any(c["contacts"] for c in customers)
        zero = (await get(f"/invoices/{summary.zero_invoice_id}"))["invoice"]
        assert (zero["total"], zero["is_paid"]) == ("0.0", True)
        refund = (await get(f"/invoices/{summary.refund_invoice_id}"))["invoice"]
        refund_payment = (await get(f"/payments/{refund['payments'][0]['id']}"))["payment"]
        assert refund["total"].startswith("-") and refund_payment["payment_amount"] < 0
        partial = (await get(f"/invoices/{summary.partial_invoice_id}"))["invoice"]
        assert partial["payments"] and partial["is_paid"] is False and 0 < float(partial["balance_due"])
        assert len((await get(f"/payments/{summary.split_payment_id}"))["payment"]["invoice_ids"]) == 2
        over = (await get(f"/payments/{summary.overpayment_id}"))["payment"]
        over_invoice = (await get(f"/invoices/{over['invoice_ids'][0]}"))["invoice"]
        assert over["payment_amount"] > float(over_invoice["total"]) and over_invoice["is_paid"]
        assert (await get(f"/payments/{summary.manual_credit_payment_id}"))["payment"]["invoice_ids"] == [None]
        credited = (await get(f"/invoices/{summary.credit_applied_invoice_id}"))["invoice"]
        methods = {(await get(f"/payments/{p['id']}"))["payment"]["payment_method"] for p in credited["payments"]}
        assert credited["is_paid"] and methods != {"Store Credit"}
        assert (await get(f"/payments/{summary.prepayment_id}"))["payment"]["payment_amount"] == 300.0
        assert (await get(f"/invoices/{summary.draft_invoice_id}"))["invoice"]["status"] == "draft"
        lines = [li for i in store.invoices.values() for li in i.line_items]
        assert {True, False} <= {li.taxable for li in lines} and any(li.product_id for li in lines)
        assert max(len(i.line_items) for i in store.invoices.values()) >= 3
        categories = (await get("/products/categories"))["categories"]
        assert any(c["ancestry"] for c in categories)
        pos = (await get("/purchase_orders"))["purchase_orders"]
        assert any(po["shipping"] > 0 and po["shipping_notes"] for po in pos)
        statuses = {po["status"] for po in pos}
        assert {"Finished", "Pending"} <= statuses
        partial_po = (await get(f"/purchase_orders/{summary.partial_po_id}"))["purchase_order"]
        assert any(0 < li["received_quantity"] < li["quantity"] for li in partial_po["line_items"])
        assert len((await get("/vendors"))["vendors"]) == 5


def test_the_sample_history_spreads_over_the_past_and_ends_now():
    clock = FakeClock()
    store = SyncroStore(clock)
    seed_sample(store, days=90)
    stamps = [i.updated_at for i in store.invoices.values()]
    assert min(stamps) < clock.now().replace(day=1) and max(stamps) <= clock.now()


def test_the_sample_scales_to_benchmark_sizes():
    store = SyncroStore(FakeClock())
    started = time.perf_counter()
    seed_sample(store, customers=500, invoices=5000, payments=4000, products=40, vendors=8, purchase_orders=30)
    assert (len(store.customers), len(store.purchase_orders)) == (500, 30)
    assert len(store.invoices) >= 5000 and len(store.payments) >= 3000
    assert time.perf_counter() - started < 3
