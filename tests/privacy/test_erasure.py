"""A household erased after its grace period: nothing personal left outside the legal
archive, the invoices intact and downloadable by ADMIN only, future visits cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from tortoise import Tortoise, fields

from models.accounts.people import Account, Client
from models.billing.invoices import Invoice
from models.enums import DeletionStatus, EventType, InterventionStatus, Role
from models.events import Event
from models.privacy import AccountDeletion, ArchivedDocument
from models.visits.visits import Intervention
from resolvers.privacy import retention
from services.clock import utcnow
from tests import factories
from tests.billing import factories as bh
from tests.billing.factories import PUBLISH, paris, pay
from tests.mailbox import token_in
from tests.messaging.factories import SEND
from tests.privacy.factories import CONFIRM, REQUEST, UPDATE
from tests.ratings.factories import RATE

PENDING = "{ pendingAccountDeletions { clientId status effectiveAt answerBy } }"
ME = "{ me { email } }"
ARCHIVE = "query A($c: ID!) { legalArchive(clientId: $c) { filename keepUntil pdfUrl } }"
INVOICE_PDF = "{ invoices(first: 5) { edges { node { number pdfUrl } } } }"
# What may still name the household: the legal archive (invoices keep their own copy)
# and the audit trail (ids only, checked below anyway).
ARCHIVE_TABLES = {"invoice", "invoice_line", "payment", "archived_document"}


async def _personal_leftovers(markers: list[str]) -> list[str]:
    found = []
    for model in Tortoise.apps["models"].values():
        table = model._meta.db_table
        if table in ARCHIVE_TABLES:
            continue
        for name, field in model._meta.fields_map.items():
            if not isinstance(field, fields.CharField | fields.TextField):
                continue
            for marker in markers:
                if await model.filter(**{f"{name}__icontains": marker}).exists():
                    found.append(f"{table}.{name} ~ {marker}")
    return found


def _letters(number: int) -> str:
    return "".join(chr(ord("a") + int(digit)) for digit in str(number))


@dataclass
class Lived:
    """A household with a past: its own names, a billed and paid month, a tax certificate,
    a message, a rating, and a visit still to come."""

    t: Any
    first: str
    last: str
    street: str
    done: Intervention
    future: Intervention
    account: Account


async def test_a_household_is_erased_after_its_grace_period(api, settings, server, mailbox):
    lived = await a_household_with_a_past(api, settings)
    t, account = lived.t, lived.account
    await asked_and_confirmed_from_the_mailbox(api, mailbox, t)

    # Nothing happens before the grace period ends; then the retention job erases.
    runtime = server.app.state.runtime
    await retention.run_once(runtime, force=True)
    assert (await api.data(ME, token=t.client_token))["me"]["email"] == t.client_email
    await AccountDeletion.filter(account_id=account.id).update(
        effective_at=utcnow() - timedelta(seconds=1)
    )
    result = await retention.run_once(runtime, force=True)
    assert result["erased"] == 1
    await nothing_personal_is_left(api, lived)

    admin_token, client_gid = await the_legal_archive_is_for_admin_only(api, settings, lived)

    # Once its legal period is over, the archive goes too.
    await AccountDeletion.filter(account_id=account.id).update(
        archive_until=utcnow().date() - timedelta(days=1)
    )
    assert (await retention.run_once(runtime, force=True))["archivesPurged"] == 1
    assert not await Invoice.filter(client_id=t.client_id).exists()
    assert (await api.data(ARCHIVE, {"c": client_gid}, admin_token))["legalArchive"] == []


async def a_household_with_a_past(api, settings) -> Lived:
    t = await bh.team(api, settings)
    # Names of its own: other tests' households are not this one's leftovers.
    first, last = "Zéphyrine", "Quillard" + _letters(t.client_id)
    phone = f"06 55 {t.client_id % 100:02d} {t.client_id // 100 % 100:02d} 11"
    street = f"3 chemin des Saules{_letters(t.client_id)}"
    renamed = await api.data(
        UPDATE, {"input": {"firstName": first, "lastName": last, "phone": phone}}, t.client_token
    )
    assert renamed["updateProfile"]["userErrors"] == []
    await Client.filter(id=t.client_id).update(billing_line1=street)
    await bh.enrol(api, t)
    done = await bh.visit(
        t,
        paris(2025, 12, 2, 9),
        worked=(0, 120),
        check_in_latitude=48.82,
        check_in_longitude=2.2,
    )
    await bh.visit(t, paris(2025, 12, 9, 9), hours=1, worked=(0, 60))
    ran = await bh.run(api, t, "2025-12")
    assert ran["userErrors"] == [], ran
    [invoice] = await bh.invoices(api, t.client_token, year=None)
    await pay(api, t.staff_token, invoice["id"], "49.50", method="SEPA_DEBIT", day="2025-12-28")
    published = await api.data(PUBLISH, {"year": 2025}, token=t.staff_token)
    assert published["publishTaxCertificates"]["published"] == 1
    await Account.filter(email=t.client_email).update(email_verified_at=utcnow())
    factories.sessions_changed()
    sent = await api.data(
        SEND, {"input": {"body": "Le code du portail est 4512QZ."}}, token=t.client_token
    )
    assert sent["sendMessage"]["userErrors"] == []
    visit_id = bh.to_global_id("Intervention", done.id)
    rated = await api.data(
        RATE,
        {"input": {"interventionId": visit_id, "score": 5, "comment": f"Merci {last}"}},
        token=t.client_token,
    )
    assert rated["rateIntervention"]["userErrors"] == [], rated
    future = await bh.visit(t, utcnow() + timedelta(days=10), status=InterventionStatus.SCHEDULED)
    account = await Account.get(email=t.client_email)
    return Lived(t, first, last, street, done, future, account)


async def asked_and_confirmed_from_the_mailbox(api, mailbox, t) -> None:
    """Asked, confirmed from the mailbox; staff see it with the date the law sets."""
    asked = await api.data(REQUEST, {"input": {"password": "Vrai-Mot2Passe!"}}, t.client_token)
    assert asked["requestAccountDeletion"]["deletion"]["status"] == "AWAITING_CONFIRMATION"
    message = await mailbox.wait_for(t.client_email, "Confirmez la suppression")
    confirmed = await api.data(CONFIRM, {"input": {"token": token_in(message)}})
    deletion = confirmed["confirmAccountDeletion"]["deletion"]
    assert deletion["status"] == "SCHEDULED"
    pending = (await api.data(PENDING, token=t.staff_token))["pendingAccountDeletions"]
    [mine] = [p for p in pending if p["clientId"] == bh.to_global_id("Client", t.client_id)]
    assert mine["effectiveAt"] == deletion["effectiveAt"]
    assert mine["answerBy"] > mine["effectiveAt"][:10] or mine["answerBy"]


async def nothing_personal_is_left(api, lived: Lived) -> None:
    t, account, done, future = lived.t, lived.account, lived.done, lived.future
    assert await api.error_code(ME, token=t.client_token) == "UNAUTHENTICATED"
    markers = [t.client_email, lived.last, lived.street, account.phone, "4512QZ"]
    leftovers = await _personal_leftovers(markers)
    assert leftovers == []
    await future.refresh_from_db()
    assert future.status == InterventionStatus.CANCELLED
    assert await Event.filter(intervention_id=future.id, type=EventType.CANCELLED).exists()
    await done.refresh_from_db()
    assert done.check_in_latitude is None
    row = await AccountDeletion.get(account_id=account.id)
    assert row.status == DeletionStatus.DONE and row.archive_until is not None
    assert (await Client.get(id=t.client_id)).erased_at is not None


async def the_legal_archive_is_for_admin_only(api, settings, lived: Lived) -> tuple[str, str]:
    """The invoice as issued, for ADMIN only: (the ADMIN's token, the client's id)."""
    t = lived.t
    kept = await Invoice.get(client_id=t.client_id)
    assert kept.client_name == f"{lived.first} {lived.last}" and kept.total_incl_cents == 9900
    assert lived.street in kept.client_address
    assert await ArchivedDocument.filter(client_id=t.client_id).count() == 1
    admin = await factories.staff(settings, t.agency_id, Role.ADMIN)
    admin_token = await factories.log_in(api, admin)
    edges = (await api.data(INVOICE_PDF, token=admin_token))["invoices"]["edges"]
    assert [e["node"]["number"] for e in edges] == [kept.number]
    async with httpx.AsyncClient() as http:
        pdf = await http.get(edges[0]["node"]["pdfUrl"].replace(settings.public_url, api.base_url))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    advisor_edges = (await api.data(INVOICE_PDF, token=t.staff_token))["invoices"]["edges"]
    assert advisor_edges == []
    client_gid = bh.to_global_id("Client", t.client_id)
    [frozen] = (await api.data(ARCHIVE, {"c": client_gid}, admin_token))["legalArchive"]
    assert frozen["filename"] == "attestation-fiscale-2025.pdf"
    async with httpx.AsyncClient() as http:
        certificate = await http.get(frozen["pdfUrl"].replace(settings.public_url, api.base_url))
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF")
    assert await api.error_code(ARCHIVE, {"c": client_gid}, t.staff_token) == "FORBIDDEN"
    return admin_token, client_gid
