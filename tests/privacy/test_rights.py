"""Each data right, for each role, with its refusals: export, deletion, rectification."""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import timedelta

import httpx

from models.accounts.people import AgencyPostalPrefix, Client
from models.accounts.security import OneTimeToken
from models.enums import InterventionStatus, Role, TokenPurpose
from resolvers.privacy import deletion
from services import tokens
from services.clock import utcnow
from tests import factories
from tests.billing import factories as bh
from tests.billing.factories import paris
from tests.client import WsClient
from tests.factories import PASSWORD, SECRET
from tests.mailbox import body_of, token_in
from tests.privacy.factories import CONFIRM, REQUEST, UPDATE

EXPORT = "mutation { requestDataExport { dataExport { status } userErrors { code } } }"
STATUS = "{ dataExport { status progress downloadUrl } }"
EVENTS = "subscription { dataExportEvents { type dataExportId } }"
CANCEL = "mutation { cancelAccountDeletion { deletion { status } userErrors { code } } }"
AUDIT = "query A($c: ID) { privacyAudit(clientId: $c) { action actorAccountId detail } }"
EMAIL = """
mutation E($input: RequestEmailChangeInput!) {
  requestEmailChange(input: $input) { ok userErrors { code } }
}
"""
VERIFY = (
    "mutation V($t: String!) { verifyEmail(token: $t) { account { email } userErrors { code } } }"
)
ADDRESSES = "{ myAddresses { id line1 isBilling } }"
FLAGS = "{ visitAddressFlags { interventionId reason } }"
ADD = """
mutation A($input: AddAddressInput!) {
  addAddress(input: $input) { address { id } userErrors { field code } }
}
"""
REMOVE = """
mutation R($input: RemoveAddressInput!) {
  removeAddress(input: $input) { flaggedVisits userErrors { code } }
}
"""


async def _neighbour(api, t: bh.Team) -> tuple[str, str]:
    """Another household of the same agency, with data of its own."""
    prefix = (await AgencyPostalPrefix.get(agency_id=t.agency_id)).prefix
    email, _ = await factories.client(
        api,
        firstName="Octave",
        lastName="Voisin",
        billingAddress={"line1": "1 impasse Voisine", "postalCode": prefix + "00", "city": "X"},
    )
    return email, await factories.log_in(api, email)


async def test_a_household_exports_its_data_and_only_its_own(api, settings, mailbox):
    t = await bh.team(api, settings)
    await bh.visit(t, paris(2025, 11, 4, 9), worked=(0, 120))
    assert (await bh.run(api, t, "2025-11"))["userErrors"] == []
    other_email, other_token = await _neighbour(api, t)
    assert (await api.data(EXPORT, token=other_token))["requestDataExport"]["userErrors"] == []

    socket = await WsClient.connect(api, t.client_token)
    await socket.ack()
    await socket.subscribe(EVENTS)
    await asyncio.sleep(0.2)
    asked = await api.data(EXPORT, token=t.client_token)
    assert asked["requestDataExport"]["dataExport"]["status"] == "PENDING"
    again = await api.data(EXPORT, token=t.client_token)
    assert again["requestDataExport"]["userErrors"] in (
        [{"code": "EXPORT_IN_PROGRESS"}],
        [],  # already built: a second one may be asked for
    )
    event = await socket.receive(timeout=15)
    assert event["payload"]["data"]["dataExportEvents"]["type"] == "DATA_EXPORT_READY"
    await socket.close()
    await mailbox.wait_for(t.client_email, "Votre export de données est prêt", timeout=10)

    state = (await api.data(STATUS, token=t.client_token))["dataExport"]
    assert state["status"] == "READY" and state["progress"] == 100
    url = state["downloadUrl"].replace(settings.public_url, api.base_url)
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
        tampered = await http.get(url[:-4] + "0000")
        other_id = url.replace("/exports/", "/exports/9").split("?")[0]
        guessed = await http.get(other_id + "?" + url.split("?")[1])
    assert response.status_code == 200
    assert tampered.status_code == 403 and guessed.status_code == 403
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    for domain in ("account", "household", "visits", "messages", "ratings", "requests"):
        assert f"{domain}.json" in names
    assert any(name.startswith("invoices/") and name.endswith(".pdf") for name in names)
    everything = b"".join(archive.read(name) for name in names)
    assert t.client_email.encode() in everything and "Béranger".encode() in everything
    assert other_email.encode() not in everything and b"Voisin" not in everything


async def test_who_may_export_and_expired_links(api, settings, server):
    t = await bh.team(api, settings)
    admin = await factories.log_in(api, await factories.staff(settings, t.agency_id, Role.ADMIN))
    for token in (t.worker_token, t.staff_token, admin):
        assert await api.error_code(EXPORT, token=token) == "FORBIDDEN"
        assert await api.error_code(STATUS, token=token) == "FORBIDDEN"
    assert await api.error_code(EXPORT) == "UNAUTHENTICATED"
    expired = tokens.sign_link(SECRET, "/exports/1.zip", -60)
    async with httpx.AsyncClient() as http:
        assert (await http.get(api.base_url + expired)).status_code == 403


async def test_deletion_is_the_household_own_and_cancellable(api, settings, server, mailbox):
    t = await bh.team(api, settings)
    _, other_token = await _neighbour(api, t)
    password = {"input": {"password": PASSWORD}}
    for token in (t.worker_token, t.staff_token):
        assert await api.error_code(REQUEST, password, token) == "FORBIDDEN"
    wrong = await api.data(REQUEST, {"input": {"password": "nope"}}, t.client_token)
    assert wrong["requestAccountDeletion"]["userErrors"] == [{"code": "INVALID_PASSWORD"}]

    # An expired confirmation link does nothing.
    await api.data(REQUEST, password, t.client_token)
    first = await mailbox.wait_for(t.client_email, "Confirmez la suppression")
    client = await Client.get(id=t.client_id)
    await OneTimeToken.filter(
        account_id=client.account_id, purpose=TokenPurpose.CONFIRM_DELETION
    ).update(expires_at=utcnow() - timedelta(seconds=1))
    late = await api.data(CONFIRM, {"input": {"token": token_in(first)}})
    assert late["confirmAccountDeletion"]["userErrors"] == [{"code": "INVALID_TOKEN"}]

    await api.data(REQUEST, password, t.client_token)
    second = await mailbox.wait_for(t.client_email, "Confirmez la suppression", count=2)
    done = await api.data(CONFIRM, {"input": {"token": token_in(second)}})
    assert done["confirmAccountDeletion"]["deletion"]["status"] == "SCHEDULED"
    reused = await api.data(CONFIRM, {"input": {"token": token_in(second)}})
    assert reused["confirmAccountDeletion"]["userErrors"] == [{"code": "INVALID_TOKEN"}]

    # Someone else cannot cancel it (they only reach their own, which does not exist).
    theirs = await api.data(CANCEL, token=other_token)
    assert theirs["cancelAccountDeletion"]["userErrors"] == [{"code": "NO_DELETION"}]
    assert await api.error_code(CANCEL, token=t.staff_token) == "FORBIDDEN"
    mine = await api.data(CANCEL, token=t.client_token)
    assert mine["cancelAccountDeletion"]["deletion"]["status"] == "CANCELLED"
    await mailbox.wait_for(t.client_email, "Suppression de votre compte annulée")
    assert await deletion.erase_due(server.app.state.runtime) == 0
    assert (await Client.get(id=t.client_id)).erased_at is None


async def test_rectification_by_the_household_and_by_staff_is_audited(api, settings, mailbox):
    t = await bh.team(api, settings)
    admin = await factories.log_in(api, await factories.staff(settings, t.agency_id, Role.ADMIN))
    bad = await api.data(UPDATE, {"input": {"phone": "12"}}, t.client_token)
    assert bad["updateProfile"]["userErrors"] == [{"field": ["phone"], "code": "INVALID_PHONE"}]
    own = await api.data(UPDATE, {"input": {"firstName": "Hélèna"}}, t.client_token)
    assert own["updateProfile"]["account"]["firstName"] == "Hélèna"
    client_gid = bh.to_global_id("Client", t.client_id)
    by_staff = await api.data(
        UPDATE, {"input": {"clientId": client_gid, "phone": "06 98 76 54 32"}}, t.staff_token
    )
    assert by_staff["updateProfile"]["account"]["phone"] == "+33698765432"
    worker_own = await api.data(UPDATE, {"input": {"lastName": "Rivière"}}, t.worker_token)
    assert worker_own["updateProfile"]["userErrors"] == []
    other = await bh.team(api, settings)
    assert (
        await api.error_code(
            UPDATE, {"input": {"clientId": client_gid, "phone": "0611223344"}}, other.staff_token
        )
        == "NOT_FOUND"
    )
    assert (
        await api.error_code(UPDATE, {"input": {"clientId": client_gid}}, t.worker_token)
        == "FORBIDDEN"
    )
    trail = (await api.data(AUDIT, {"c": client_gid}, admin))["privacyAudit"]
    assert [(e["action"], e["detail"]) for e in trail] == [
        ("RECTIFIED", "phone"),
        ("RECTIFIED", "first_name"),
    ]
    assert trail[0]["actorAccountId"] != trail[1]["actorAccountId"]
    assert await api.error_code(AUDIT, {"c": client_gid}, t.staff_token) == "FORBIDDEN"

    # A new e-mail replaces the old one once verified; the old one is told.
    new = f"nouvelle-{t.client_id}@example.com"
    asked = await api.data(
        EMAIL, {"input": {"newEmail": new, "password": PASSWORD}}, t.client_token
    )
    assert asked["requestEmailChange"]["ok"] is True
    link = await mailbox.wait_for(new, "Confirmez votre nouvelle adresse")
    assert (await api.data("{ me { email } }", token=t.client_token))["me"][
        "email"
    ] == t.client_email
    verified = await api.data(VERIFY, {"t": token_in(link)})
    assert verified["verifyEmail"]["account"]["email"] == new
    await mailbox.wait_for(t.client_email, "Votre adresse e-mail a été modifiée")


async def test_addresses_and_the_visits_planned_there(api, settings):
    t = await bh.team(api, settings)
    prefix = (await AgencyPostalPrefix.get(agency_id=t.agency_id)).prefix
    place = {"line1": "2 rue du Parc", "postalCode": prefix + "00", "city": "Ville"}
    added = await api.data(ADD, {"input": {"address": place}}, t.client_token)
    address_id = added["addAddress"]["address"]["id"]
    far = {**place, "postalCode": "75001"}
    refused = await api.data(ADD, {"input": {"address": far}}, t.client_token)
    assert refused["addAddress"]["userErrors"] == [{"field": ["postalCode"], "code": "NOT_SERVED"}]
    visit = await bh.visit(t, utcnow() + timedelta(days=5), status=InterventionStatus.SCHEDULED)
    visit.address_id = bh.from_global_id(address_id)[1]
    await visit.save()
    _, other_token = await _neighbour(api, t)
    foreign = await api.data(REMOVE, {"input": {"id": address_id}}, other_token)
    assert foreign["removeAddress"]["userErrors"] == [{"code": "NOT_FOUND"}]
    removed = await api.data(REMOVE, {"input": {"id": address_id}}, t.client_token)
    assert removed["removeAddress"] == {"flaggedVisits": 1, "userErrors": []}
    flags = (await api.data(FLAGS, token=t.staff_token))["visitAddressFlags"]
    assert [f["interventionId"] for f in flags] == [bh.to_global_id("Intervention", visit.id)]
    assert await api.error_code(FLAGS, token=t.client_token) == "FORBIDDEN"
    rows = (await api.data(ADDRESSES, token=t.client_token))["myAddresses"]
    assert [row["isBilling"] for row in rows] == [True]


HOUSEHOLD_FILE = "query H($id: ID!) { clientHousehold(clientId: $id) { allergies } }"


async def test_staff_opening_a_household_file_is_listed_for_admin(api, settings):
    t = await bh.team(api, settings)
    admin = await factories.log_in(api, await factories.staff(settings, t.agency_id, Role.ADMIN))
    client_gid = bh.to_global_id("Client", t.client_id)
    await api.data(HOUSEHOLD_FILE, {"id": client_gid}, t.staff_token)
    await api.data("query A($c: ID) { myAddresses(clientId: $c) { id } }", {"c": client_gid}, admin)
    trail = (await api.data(AUDIT, {"c": client_gid}, admin))["privacyAudit"]
    assert [(e["action"], e["detail"]) for e in trail] == [
        ("FILE_ACCESSED", "addresses"),
        ("FILE_ACCESSED", "household"),
    ]


async def test_link_pages_keep_a_strict_policy_and_frontend_url_moves_the_links(
    api, settings, mailbox, start, home_agency
):
    for path in ("/verify-email", "/reset-password", "/login", "/account-deletion", "/data-export"):
        response = await api.http.get(path)
        assert response.status_code == 200 and "data-page" in response.text
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe" not in policy
    own = await start(settings.with_(frontend_url="https://espace.agence.example"))
    try:
        email, _ = await factories.client(own.api)
        message = await mailbox.wait_for(email, "Confirmez votre adresse")
        assert "https://espace.agence.example/verify-email#token=" in body_of(message)
    finally:
        await own.stop()
