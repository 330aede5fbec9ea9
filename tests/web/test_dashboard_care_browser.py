"""The dashboard's care panels and flags in a real headless Chromium: claims and premium
call-backs arrive live, and a flagged check-in shows on the day board."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts.people import Client
from models.care.settings import AgencyCare
from models.messaging import ClientPremium
from models.visits.visits import Intervention
from schema.core.ids import from_global_id
from tests.care.factories import ACKNOWLEDGE, REPORT, report_input
from tests.factories import CHECK_IN
from tests.web.dashboard import attend, build_day, gql_data, sign_in

ASK = """
mutation Ask($input: RequestCallbackInput!) {
  requestCallback(input: $input) { request { id } userErrors { code } }
}
"""
LOG = """
mutation Log($input: LogCallbackInput!) {
  logCallback(input: $input) { request { id } userErrors { code } }
}
"""


async def test_claims_call_backs_and_flags_reach_the_dashboard_live(
    daytime, api, settings, browser
):
    day = await build_day(api, settings, moved={"75017": "75013", "75018": "75014"})
    client = await Client.get(id=from_global_id(day.client_ids[0])[1])
    # This agency lets workers check in at the start at the earliest: any earlier is flagged.
    await AgencyCare.create(agency_id=client.agency_id, early_check_in_minutes=0,
                            updated_at=datetime.now(UTC))  # fmt: skip
    await ClientPremium.create(client_id=client.id, since=datetime.now(UTC))
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    claims = page.locator('[data-panel="claims"]')
    callbacks = page.locator('[data-panel="callbacks"]')
    try:
        await sign_in(page, api.base_url, day.staff_email)
        await claims.get_by_text("Aucun sinistre en attente.").wait_for()
        await callbacks.get_by_text("Aucun rappel en attente.").wait_for()
        # The day's visit checked out at once is flagged already (too short).
        done = page.locator(f'tr[data-visit="{day.visits[2]}"][data-flagged="true"]')
        assert "Intervention trop courte" in await done.inner_text()
        assert await page.locator("#count-flagged").inner_text() == "1"

        # The worker checks in minutes before the start: flagged on the day board, live.
        first = day.visits[0]
        await attend(api, CHECK_IN, first, day.worker_tokens[0])
        flagged = page.locator(f'tr[data-visit="{first}"][data-flagged="true"]')
        await flagged.wait_for(timeout=3000)
        assert "Arrivée trop tôt" in await flagged.inner_text()
        assert await page.locator("#count-flagged").inner_text() == "2"
        await page.locator("#filter-flagged").click()
        assert await page.locator("#visits tbody tr").count() == 2
        await page.locator("#filter-flagged").click()
        assert await page.locator("#visits tbody tr").count() == 4

        # The household of the rated visit reports damage: the claims panel shows it.
        visit = await Intervention.get(id=from_global_id(day.visits[2])[1])
        values = report_input(visit, noticedAt=datetime.now(UTC).isoformat(), location="Salon")
        reported = await gql_data(api, REPORT, {"input": values}, day.client_tokens[2])
        claim = reported["reportClaim"]["claim"]
        assert claim is not None, reported
        item = claims.locator(f'li[data-claim="{claim["id"]}"]')
        await item.wait_for(timeout=3000)
        assert "Salon" in await item.inner_text() and "déclaré" in await item.inner_text()
        acknowledged = await gql_data(
            api, ACKNOWLEDGE, {"input": {"claimId": claim["id"]}}, day.staff_token
        )
        assert acknowledged["acknowledgeClaim"]["userErrors"] == []
        await claims.locator(
            f'li[data-claim="{claim["id"]}"][data-status="ACKNOWLEDGED"]'
        ).wait_for(timeout=3000)

        # The premium household asks to be called back: first in the panel, then logged.
        now = datetime.now(UTC)
        slot = {"start": now.isoformat(), "end": (now + timedelta(hours=2)).isoformat()}
        asked = await gql_data(
            api,
            ASK,
            {"input": {"topic": "CLAIM", "urgency": "URGENT", "slots": [slot]}},
            day.client_tokens[0],
        )
        request: dict[str, Any] = asked["requestCallback"]["request"]
        assert request is not None, asked
        waiting = callbacks.locator(f'li[data-callback="{request["id"]}"]')
        await waiting.wait_for(timeout=3000)
        assert "Jeanne Dupont" in await waiting.inner_text()
        assert "urgent" in (await waiting.get_attribute("class") or "")
        logged = await gql_data(
            api,
            LOG,
            {"input": {"requestId": request["id"], "outcome": "RESOLVED"}},
            day.staff_token,
        )
        assert logged["logCallback"]["userErrors"] == []
        await callbacks.get_by_text("Aucun rappel en attente.").wait_for(timeout=3000)
        assert problems == []
    finally:
        await context.close()
