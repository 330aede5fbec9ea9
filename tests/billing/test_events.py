"""`billingEvents`: invoices, credit notes and payments pushed live to who may see them."""

from __future__ import annotations

from tests.billing import factories as bh
from tests.billing.factories import EVENTS, credit, next_event, paris, pay, subscribe
from tests.client import WsClient


async def nothing(ws: WsClient) -> bool:
    try:
        await ws.receive(0.5)
    except TimeoutError:
        return True
    return False


async def test_billing_events_reach_the_household_and_its_agency_only(api, settings):
    t = await bh.team(api, settings)
    other = await bh.team(api, settings)
    await bh.visit(t, paris(2026, 10, 6, 9), worked=(0, 120))
    subscribers = {
        name: await subscribe(api, token)
        for name, token in (
            ("client", t.client_token),
            ("staff", t.staff_token),
            ("worker", t.worker_token),
            ("stranger", other.client_token),
            ("other staff", other.staff_token),
        )
    }
    try:
        [invoice] = (await bh.run(api, t, "2026-10"))["invoices"]
        await pay(api, t.staff_token, invoice["id"], "10")
        note = (await credit(api, t.staff_token, invoice["id"]))["creditNote"]
        for name in ("client", "staff"):
            ws, op = subscribers[name]
            seen = [await next_event(ws, op) for _ in range(3)]
            assert [(e["type"], e["invoiceId"]) for e in seen] == [
                ("INVOICE_ISSUED", invoice["id"]),
                ("PAYMENT_RECORDED", invoice["id"]),
                ("CREDIT_NOTE_ISSUED", note["id"]),
            ]
        for name in ("worker", "stranger", "other staff"):
            assert await nothing(subscribers[name][0]), name
    finally:
        for ws, _ in subscribers.values():
            await ws.close()


async def test_anonymous_sockets_are_closed(api):
    ws = await WsClient.connect(api)
    await ws.ack()
    await ws.subscribe(EVENTS)
    assert await ws.closed_with() == 4403
