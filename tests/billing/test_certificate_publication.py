"""The January job publishes every household's certificate once, never after 31 March;
a change after publication makes a corrected version, the old one kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from models.billing.tax_credit import SupersededCertificate, TaxCertificate
from resolvers.billing import certificate_publication
from tests.billing import factories as bh
from tests.billing.certificate_helpers import certificate, move_advance, read
from tests.billing.factories import next_event, paris, pay, subscribe
from tests.mailbox import body_of

JANUARY = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)


async def household_2025(api, settings) -> tuple[bh.Team, dict[str, Any]]:
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    await bh.visit(t, paris(2025, 11, 4, 9), hours=2, worked=(0, 120))
    await bh.run(api, t, "2025-11")
    [invoice] = await bh.invoices(api, t.client_token, year=None)
    await pay(api, t.staff_token, invoice["id"], "33.00", day="2025-12-02")
    return t, invoice


async def test_the_january_job_publishes_each_certificate_once(api, settings, server, mailbox):
    t, _ = await household_2025(api, settings)
    runtime = server.app.state.runtime
    # Two processes' rounds at once: one claim each household.
    await asyncio.gather(
        certificate_publication.step(runtime, JANUARY),
        certificate_publication.step(runtime, JANUARY),
    )
    assert await TaxCertificate.filter(client_id=t.client_id, year=2025).count() == 1
    message = await mailbox.wait_for(t.client_email, "attestation fiscale 2025")
    assert "66,00 €" not in body_of(message) and "33,00 €" in body_of(message)
    cert = await certificate(api, t.client_token, 2025)
    assert (cert["published"], cert["version"], cert["issuedOn"]) == (True, 1, "2026-01-05")
    text, _ = await read(api, cert)
    assert "Date d'émission : 05/01/2026" in text and "provisoire" not in text
    assert (await certificate_publication.step(runtime, JANUARY))[0] == 0


async def test_nothing_is_published_after_31_march_by_the_job(api, settings, server):
    t, _ = await household_2025(api, settings)
    runtime = server.app.state.runtime
    await certificate_publication.step(runtime, APRIL)
    assert not await TaxCertificate.filter(client_id=t.client_id).exists()
    cert = await certificate(api, t.client_token, 2025)
    assert (cert["published"], cert["version"]) == (False, 0)
    text, _ = await read(api, cert)
    assert "provisoire" in text


async def test_a_change_after_publication_makes_a_corrected_certificate(
    api, settings, server, mailbox
):
    t, invoice = await household_2025(api, settings)
    runtime = server.app.state.runtime
    await certificate_publication.publish_year(runtime, t.agency_id, 2025, JANUARY)
    first = await certificate(api, t.client_token, 2025)
    assert (first["advanceReceived"], first["version"]) == ("0.00", 1)
    ws, op = await subscribe(api, t.client_token)
    try:
        await move_advance(api, t, invoice["id"], "SENT", "VALIDATED", "PAID")
        seen = [(await next_event(ws, op))["type"] for _ in range(4)]
        assert seen == ["ADVANCE_STATUS_CHANGED"] * 3 + ["CERTIFICATE_CORRECTED"]
    finally:
        await ws.close()
    corrected = await certificate(api, t.client_token, 2025)
    assert (corrected["advanceReceived"], corrected["version"]) == ("33.00", 2)
    assert corrected["declarableAmount"] == "66.00"
    stored = await TaxCertificate.get(client_id=t.client_id, year=2025)
    [old] = await SupersededCertificate.filter(certificate_id=stored.id)
    assert (old.version, old.advance_cents, old.amount_paid_cents) == (1, 0, 3300)
    message = await mailbox.wait_for(t.client_email, "attestation fiscale 2025 est rectifiée")
    assert "version rectifiée (n° 2)" in body_of(message)
    text, _ = await read(api, corrected)
    assert "Attestation fiscale 2025 – version rectifiée n° 2" in text
    # Nothing changed since: the job's round corrects nothing more.
    assert await certificate_publication.correct_year(runtime, t.agency_id, 2025, APRIL) == 0
