"""Damage claims through the API: every status, who may do what, the deadline, the files."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.accounts.people import Account, Client
from models.care.claims import Claim
from models.enums import InterventionStatus, Role
from models.visits.visits import Intervention
from resolvers.care.claims_read import RETENTION, erase_household_claims, household_claims
from tests import factories
from tests.care.factories import ACKNOWLEDGE, FIELDS, PNG, REPORT, report_input
from tests.client import WsClient
from tests.factories import HEAD, Agency, pk
from tests.visits.factories import past_visit

INVESTIGATE = f"""
mutation Investigate($input: InvestigateClaimInput!) {{
  investigateClaim(input: $input) {{ claim {{ {FIELDS} }} userErrors {{ field code }} }}
}}
"""
SETTLE = f"""
mutation Settle($input: SettleClaimInput!) {{
  settleClaim(input: $input) {{ claim {{ {FIELDS} }} userErrors {{ field code }} }}
}}
"""
MINE = f"query {{ myClaims {{ {FIELDS} }} }}"
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Claim { status workerAccount } } }"
PANEL = """
query { claimsPanel { openCount counts { status count } oldestWaiting { id status } } }
"""
SETTINGS = """
mutation Settings($input: UpdateCareSettingsInput!) {
  updateCareSettings(input: $input) { settings { claimDeadlineDays } userErrors { code } }
}
"""
EVENTS = "subscription($since: String) { claimEvents(since: $since) { type claim { id status } } }"


async def done_visit(team: Agency, ended_hours_ago: float = 3) -> Intervention:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=ended_hours_ago + 2)
    visit = await past_visit(team, ended_hours_ago + 2)
    visit.status = InterventionStatus.COMPLETED
    visit.checked_in_at = start
    visit.checked_out_at = start + timedelta(hours=2)
    await visit.save()
    return visit


async def report(api, token: str, visit: Intervention, **overrides: Any) -> dict[str, Any]:
    result = await api.data(REPORT, {"input": report_input(visit, **overrides)}, token=token)
    return dict(result["reportClaim"])


async def step(api, token: str, document: str, name: str, **values: Any) -> dict[str, Any]:
    return dict((await api.data(document, {"input": values}, token=token))[name])


async def listen(api, token: str) -> tuple[WsClient, str]:
    head = (await api.data(HEAD, token=token))["interventionEventsCursor"]
    ws = await WsClient.connect(api, token=token)
    await ws.ack()
    return ws, await ws.subscribe(EVENTS, {"since": head})


async def next_claim_event(ws: WsClient, op_id: str) -> dict[str, Any]:
    message = await ws.receive()
    assert message["type"] == "next" and message["id"] == op_id, message
    return dict(message["payload"]["data"]["claimEvents"])


async def test_a_claim_goes_from_report_to_reimbursement_live_and_by_email(api, team, mailbox):
    visit = await done_visit(team)
    household = await Account.get(client__id=pk(team.client_id))
    staff_ws, staff_op = await listen(api, team.staff_token)
    home_ws, home_op = await listen(api, team.client_token)

    reported = await report(api, team.client_token, visit)
    assert reported["userErrors"] == []
    claim = reported["claim"]
    assert claim["status"] == "REPORTED"
    assert claim["estimatedValue"] == "120.50"
    assert [a["contentType"] for a in claim["attachments"]] == ["image/png", "application/pdf"]
    assert claim["workerAccount"] is None
    for ws, op in ((staff_ws, staff_op), (home_ws, home_op)):
        event = await next_claim_event(ws, op)
        assert event == {
            "type": "CLAIM_REPORTED",
            "claim": {"id": claim["id"], "status": "REPORTED"},
        }
    await mailbox.wait_for(household.email, "sinistre")

    acknowledged = await step(
        api, team.staff_token, ACKNOWLEDGE, "acknowledgeClaim", claimId=claim["id"]
    )
    assert acknowledged["claim"]["status"] == "ACKNOWLEDGED"
    assert acknowledged["claim"]["acknowledgedAt"] is not None
    investigating = await step(
        api,
        team.staff_token,
        INVESTIGATE,
        "investigateClaim",
        claimId=claim["id"],
        workerAccount="Le vase est tombé en passant l'aspirateur.",
        insurerReference="AXA-2026-0042",
    )
    assert investigating["claim"]["status"] == "INVESTIGATING"
    assert investigating["claim"]["workerAccount"].startswith("Le vase est tombé")
    settled = await step(
        api,
        team.staff_token,
        SETTLE,
        "settleClaim",
        claimId=claim["id"],
        outcome="REIMBURSED",
        reimbursedAmount="95.00",
    )
    closed = settled["claim"]
    assert (closed["status"], closed["reimbursedAmount"]) == ("REIMBURSED", "95.00")
    assert closed["insurerReference"] == "AXA-2026-0042"
    closed_at = datetime.fromisoformat(closed["closedAt"])
    assert datetime.fromisoformat(closed["retainedUntil"]) == closed_at + RETENTION

    # Every step reached both sides live, and the household by e-mail.
    for status in ("ACKNOWLEDGED", "INVESTIGATING", "REIMBURSED"):
        for ws, op in ((staff_ws, staff_op), (home_ws, home_op)):
            event = await next_claim_event(ws, op)
            assert (event["type"], event["claim"]["status"]) == ("CLAIM_UPDATED", status)
    email = await mailbox.wait_for(household.email, "sinistre", count=4)
    text = "".join(str(part.get_content()) for part in email.walk() if not part.is_multipart())
    assert "95,00" in text and "vase" not in text
    mine = (await api.data(MINE, token=team.client_token))["myClaims"]
    assert [(c["id"], c["status"], c["workerAccount"]) for c in mine] == [
        (claim["id"], "REIMBURSED", None)
    ]
    await staff_ws.close()
    await home_ws.close()


@pytest.mark.parametrize(
    ("outcome", "extra", "note"),
    [
        ("REPAIRED", {"reason": "Recollé par un restaurateur."}, "Recollé par un restaurateur."),
        ("DECLINED", {"reason": "Fêlure antérieure à l'intervention."}, "Fêlure antérieure"),
    ],
)
async def test_a_claim_is_repaired_or_declined_with_its_reason(api, team, outcome, extra, note):
    visit = await done_visit(team)
    claim = (await report(api, team.client_token, visit))["claim"]
    await step(api, team.staff_token, ACKNOWLEDGE, "acknowledgeClaim", claimId=claim["id"])
    settled = await step(
        api, team.staff_token, SETTLE, "settleClaim", claimId=claim["id"], outcome=outcome, **extra
    )
    assert settled["userErrors"] == []
    assert settled["claim"]["status"] == outcome
    assert settled["claim"]["outcomeNote"].startswith(note)
    assert settled["claim"]["reimbursedAmount"] is None


async def test_steps_follow_the_order_and_ask_for_what_they_need(api, team):
    visit = await done_visit(team)
    claim = (await report(api, team.client_token, visit))["claim"]
    early = await step(
        api, team.staff_token, SETTLE, "settleClaim", claimId=claim["id"], outcome="REPAIRED"
    )
    assert [e["code"] for e in early["userErrors"]] == ["INVALID_TRANSITION"]
    await step(api, team.staff_token, ACKNOWLEDGE, "acknowledgeClaim", claimId=claim["id"])
    again = await step(api, team.staff_token, ACKNOWLEDGE, "acknowledgeClaim", claimId=claim["id"])
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_TRANSITION"]
    no_reason = await step(
        api, team.staff_token, SETTLE, "settleClaim", claimId=claim["id"], outcome="DECLINED"
    )
    assert [(e["field"], e["code"]) for e in no_reason["userErrors"]] == [(["note"], "REQUIRED")]
    no_amount = await step(
        api, team.staff_token, SETTLE, "settleClaim", claimId=claim["id"], outcome="REIMBURSED"
    )
    assert [e["code"] for e in no_amount["userErrors"]] == ["AMOUNT_REQUIRED"]
    no_account = await step(
        api, team.staff_token, INVESTIGATE, "investigateClaim", claimId=claim["id"],
        workerAccount="  ",
    )  # fmt: skip
    assert [e["code"] for e in no_account["userErrors"]] == ["REQUIRED"]
    assert (await Claim.get(id=pk(claim["id"]))).status == "ACKNOWLEDGED"


async def test_only_the_household_reports_and_only_its_agency_handles(api, team, settings):
    visit = await done_visit(team)
    other_email, _ = await factories.client(api)
    other = await factories.log_in(api, other_email)
    assert [e["code"] for e in (await report(api, other, visit))["userErrors"]] == ["NOT_FOUND"]
    assert await api.error_code(
        REPORT, {"input": report_input(visit)}, token=team.worker_token
    ) == ("FORBIDDEN")
    claim = (await report(api, team.client_token, visit))["claim"]
    ack = {"input": {"claimId": claim["id"]}}
    assert await api.error_code(ACKNOWLEDGE, ack, token=team.client_token) == "FORBIDDEN"
    assert await api.error_code(ACKNOWLEDGE, ack, token=team.worker_token) == "FORBIDDEN"
    elsewhere = await factories.agency(settings, [], name="Ailleurs")
    stranger = await factories.log_in(api, await factories.staff(settings, elsewhere, Role.ADVISOR))
    foreign = await step(api, stranger, ACKNOWLEDGE, "acknowledgeClaim", claimId=claim["id"])
    assert [e["code"] for e in foreign["userErrors"]] == ["NOT_FOUND"]
    for token, seen in ((other, None), (stranger, None), (team.worker_token, None)):
        assert (await api.data(NODE, {"id": claim["id"]}, token=token))["node"] is seen
    seen_by_staff = (await api.data(NODE, {"id": claim["id"]}, token=team.staff_token))["node"]
    assert seen_by_staff["status"] == "REPORTED"
    assert await api.error_code(PANEL, token=team.client_token) == "FORBIDDEN"


async def test_a_claim_after_the_agencys_deadline_is_refused(api, team, settings):
    visit = await done_visit(team, ended_hours_ago=8 * 24)
    late = await report(api, team.client_token, visit)
    assert late["claim"] is None
    assert [(e["field"], e["code"]) for e in late["userErrors"]] == [
        (["interventionId"], "DEADLINE_PASSED")
    ]
    assert "7 jours" in late["userErrors"][0]["message"]
    admin = await factories.log_in(
        api,
        await factories.staff(
            settings, (await Client.get(id=pk(team.client_id))).agency_id, Role.ADMIN
        ),
    )
    changed = await api.data(SETTINGS, {"input": {"claimDeadlineDays": 10}}, token=admin)
    assert changed["updateCareSettings"] == {
        "settings": {"claimDeadlineDays": 10},
        "userErrors": [],
    }
    assert (await report(api, team.client_token, visit))["claim"]["status"] == "REPORTED"
    await api.data(SETTINGS, {"input": {"claimDeadlineDays": 7}}, token=admin)


async def test_a_visit_still_to_come_cannot_be_claimed(api, team):
    visit = await past_visit(team, -24)  # starts tomorrow
    refused = await report(api, team.client_token, visit, noticedAt=datetime.now(UTC).isoformat())
    assert [e["code"] for e in refused["userErrors"]] == ["VISIT_NOT_DONE"]


async def test_attachments_other_than_images_or_pdf_are_refused(api, team):
    visit = await done_visit(team)
    gif = base64.b64encode(b"GIF89a" + b"\x00" * 20).decode()
    html = base64.b64encode(b"<html><script>alert(1)</script></html>").decode()
    refused = await report(
        api,
        team.client_token,
        visit,
        attachments=[
            {"filename": "photo.gif", "contentBase64": gif},
            {"filename": "photo.png", "contentBase64": html},
        ],
    )
    assert refused["claim"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["attachments", "0", "contentBase64"], "UNSUPPORTED_FILE_TYPE"),
        (["attachments", "1", "contentBase64"], "UNSUPPORTED_FILE_TYPE"),
    ]
    assert not await Claim.exists(intervention_id=visit.id)


async def test_the_panel_shows_what_waits_longest_and_the_export_holds_the_claims(api, team):
    visit = await done_visit(team)
    first = (await report(api, team.client_token, visit))["claim"]
    second = (await report(api, team.client_token, visit, location="Salon"))["claim"]
    await step(api, team.staff_token, ACKNOWLEDGE, "acknowledgeClaim", claimId=second["id"])
    panel = (await api.data(PANEL, token=team.staff_token))["claimsPanel"]
    waiting = [c["id"] for c in panel["oldestWaiting"]]
    assert waiting.index(first["id"]) < waiting.index(second["id"])
    counts = {row["status"]: row["count"] for row in panel["counts"]}
    assert counts["REPORTED"] >= 1 and counts["ACKNOWLEDGED"] >= 1
    assert panel["openCount"] == sum(
        counts[s] for s in ("REPORTED", "ACKNOWLEDGED", "INVESTIGATING")
    )

    client_id = pk(team.client_id)
    exported = await household_claims(client_id)
    assert [(row["location"], row["status"]) for row in exported] == [
        ("Entrée", "REPORTED"),
        ("Salon", "ACKNOWLEDGED"),
    ]
    assert "worker_account" not in exported[0]
    assert exported[0]["attachments"][0]["content_type"] == "image/png"
    # Open claims are kept; a claim closed longer than the retention ago is erased.
    now = datetime.now(UTC)
    assert await erase_household_claims(client_id, now) == 0
    await Claim.filter(id=pk(first["id"])).update(status="DECLINED", closed_at=now - RETENTION)
    assert await erase_household_claims(client_id, now + timedelta(days=1)) == 1
    assert [row["location"] for row in await household_claims(client_id)] == ["Salon"]


FILES = "query { myClaims { id attachments { filename url } } }"
STAFF_FILES = "query Node($id: ID!) { node(id: $id) { ... on Claim { attachments { url } } } }"


async def test_the_photos_open_through_signed_links_for_the_household_and_its_agency(api, team):
    visit = await done_visit(team)
    claim = (await report(api, team.client_token, visit))["claim"]
    mine = (await api.data(FILES, token=team.client_token))["myClaims"]
    photo = next(c for c in mine if c["id"] == claim["id"])["attachments"][0]
    path = photo["url"].removeprefix("http://passage.test")
    assert path.startswith("/claim-files/")
    response = await api.http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == base64.b64decode(PNG)
    staff = (await api.data(STAFF_FILES, {"id": claim["id"]}, token=team.staff_token))["node"]
    staff_path = staff["attachments"][0]["url"].removeprefix("http://passage.test")
    assert (await api.http.get(staff_path)).status_code == 200
    # A claim's link opens nothing else: not as a message file, not once altered.
    token = path.rsplit("/", 1)[1]
    assert (await api.http.get(f"/attachments/{token}")).status_code == 404
    assert (await api.http.get(path[:-2] + "xx")).status_code == 404
