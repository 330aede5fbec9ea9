"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright).

Staff sign in, see the day, and see a check-in made through the API turn the visit
"on site" within a second; then the server restarts, a check-in is made before the
page is back, and the page shows it once live again (resumed with `since`).
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.accounts.people import Account
from models.enums import Role
from tests import factories
from tests.conftest import start_server
from tests.factories import CHECK_IN, CHECK_OUT, PASSWORD, SCHEDULE, at, weekday_ahead
from tests.ratings.factories import RATE
from tests.requests.factories import REQUEST
from tests.web.dashboard import SEND, STAFF_PANELS, attend, build_day, gql_data, sign_in

# Never a tracked file: `make screenshot` copies it to docs/dashboard.png (README's picture).
SCREENSHOT = Path(
    os.environ.get("PASSAGE_SCREENSHOT")
    or Path(__file__).resolve().parents[1] / "artifacts" / "dashboard.png"
)
ON_SITE = 'tr[data-visit="{}"][data-status="on-site"]'


def retry_ms(page: Any) -> Any:
    return page.locator("#live").get_attribute("data-retry-ms")


async def until(page: Any, read: Any, ok: Any, timeout: float = 20) -> None:
    """Polls from Python: the page's CSP forbids the eval that wait_for_function needs."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not ok(await read()):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_staff_watch_the_day_live_across_a_server_restart(daytime, api, settings, browser):
    day = await build_day(api, settings, moved={"75017": "75015", "75018": "75016"})
    await Account.filter(email=day.client_emails[0]).update(email_verified_at=datetime.now(UTC))
    factories.sessions_changed()
    running = await start_server(settings)
    port = int(running.api.base_url.rsplit(":", 1)[1])
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Chromium logs each refused websocket while the server is down: expected, not a fault.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "ERR_CONNECTION_REFUSED" not in message.text
            else None
        ),
    )
    try:
        await sign_in(page, running.api.base_url, day.staff_email)
        first, second = day.visits[0], day.visits[1]
        rows = page.locator("#visits tbody tr")
        assert await rows.count() == 4
        assert await page.locator(f'tr[data-visit="{first}"]').inner_text() > ""
        assert "Fatou D." in await page.locator(f'tr[data-visit="{first}"]').inner_text()
        assert await page.locator("#count-on-site").inner_text() == "1"
        assert await page.locator("#count-done").inner_text() == "1"
        assert "Impeccable." in await page.locator('[data-panel="ratings"]').inner_text()

        # A check-in through the API shows within a second.
        await attend(running.api, CHECK_IN, first, day.worker_tokens[0])
        row = page.locator(ON_SITE.format(first))
        await row.wait_for(timeout=1000)
        assert "Sur place depuis" in await row.inner_text()
        assert await page.locator("#count-on-site").inner_text() == "2"
        assert "Arrivée · Fatou D. · chez Jeanne Dupont" in await page.locator("#feed").inner_text()

        # The server goes away: the page says so and keeps trying, further apart each time.
        await running.stop()
        await page.wait_for_selector('#live:not([data-state="live"])')
        await until(page, lambda: retry_ms(page), lambda ms: int(ms or 0) >= 3000)
        # The next attempt is at least 3 s away: restart and check in meanwhile.
        running = await start_server(settings, port=port)
        await attend(running.api, CHECK_IN, second, day.worker_tokens[1])
        # A message too: the panels' own subscriptions resume from their own cursors.
        outage = {"body": "Envoyé pendant la coupure."}
        sent = await gql_data(running.api, SEND, {"input": outage}, day.client_tokens[0])
        assert sent["sendMessage"]["userErrors"] == [], sent
        assert await page.locator("#live").get_attribute("data-state") != "live"
        assert await page.locator(ON_SITE.format(second)).count() == 0

        # Once live again, the missed arrival is replayed from the cursor the page kept.
        await page.wait_for_selector('#live[data-state="live"]', timeout=20_000)
        await page.locator(ON_SITE.format(second)).wait_for(timeout=5000)
        assert await page.locator("#count-on-site").inner_text() == "3"
        feed = await page.locator("#feed li").all_inner_texts()
        assert sum("Arrivée · Fatou D." in item for item in feed) == 1  # nothing twice
        assert sum("Arrivée · Lucas P." in item for item in feed) == 1
        waiting = page.locator('[data-panel="conversations"] li.conversation')
        await waiting.wait_for(timeout=5000)
        assert "Envoyé pendant la coupure." in await waiting.inner_text()
        assert problems == []
    finally:
        await context.close()
        await running.stop()


REQUEST_STATUS = "query R($id: ID!) { node(id: $id) { ... on ChangeRequest { status } } }"
VISIT_START = "query V($id: ID!) { intervention(id: $id) { scheduledStart } }"


def new_start_utc(local_iso: str) -> str:
    return datetime.fromisoformat(local_iso).astimezone(UTC).isoformat()


async def test_staff_see_requests_messages_and_ratings_arrive_live(daytime, api, settings, browser):
    day = await build_day(api, settings)
    anne_token, later, next_week = await anne_has_a_visit_next_week(api, day)
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    requests = page.locator('[data-panel="requests"]')
    conversations = page.locator('[data-panel="conversations"]')
    ratings = page.locator('[data-panel="ratings"]')
    try:
        await sign_in(page, api.base_url, day.staff_email)
        # Client names come with the visits: no paging through the clients.
        assert (
            "Jeanne Dupont" in await page.locator(f'tr[data-visit="{day.visits[0]}"]').inner_text()
        )
        await requests.get_by_text("Aucune demande en attente.").wait_for()
        await conversations.get_by_text("Aucun message en attente.").wait_for()

        sent, waiting = await a_message_shows_with_its_answer_due(api, anne_token, conversations)
        asked = await a_new_slot_asked_shows_at_once(api, anne_token, later, next_week, requests)
        await a_rating_arrives_live(api, day, ratings)

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        await a_request_decided_from_the_panel_moves_the_visit(api, day, next_week, *asked)
        # Answered elsewhere: the conversation leaves the panel.
        conversation = sent["sendMessage"]["message"]["conversation"]["id"]
        answer = {"body": "C’est noté, bonne journée.", "conversationId": conversation}
        replied = await gql_data(api, SEND, {"input": answer}, day.staff_token)
        assert replied["sendMessage"]["userErrors"] == [], replied
        await waiting.wait_for(state="detached", timeout=2000)
        assert problems == []
    finally:
        await context.close()


async def anne_has_a_visit_next_week(api: Any, day: Any) -> tuple[str, Any, str]:
    """Anne Girard (verified) has a visit next week she will ask to move: (her token, the
    day of it, the visit's id)."""
    anne_email, anne_token = day.client_emails[4], day.client_tokens[4]
    await Account.filter(email=anne_email).update(email_verified_at=datetime.now(UTC))
    factories.sessions_changed()
    later = weekday_ahead(4)
    start, end = at(later, 10)
    scheduled = await gql_data(
        api,
        SCHEDULE,
        {
            "input": {
                "clientId": day.client_ids[4],
                "workerId": day.worker_ids[0],
                "serviceTypeCode": "REGULAR_CLEANING",
                "scheduledStart": start,
                "scheduledEnd": end,
            }
        },
        day.staff_token,
    )
    return anne_token, later, scheduled["scheduleIntervention"]["intervention"]["id"]


async def a_message_shows_with_its_answer_due(
    api: Any, anne_token: str, conversations: Any
) -> tuple[dict[str, Any], Any]:
    """A household writes: the conversation shows, with the time the answer is due."""
    question = "Bonjour, pouvez-vous passer l’aspirateur sous le canapé ?"
    sent = await gql_data(api, SEND, {"input": {"body": question}}, anne_token)
    assert sent["sendMessage"]["userErrors"] == [], sent
    waiting = conversations.locator("li.conversation")
    await waiting.wait_for(timeout=2000)
    text = await waiting.inner_text()
    assert "Anne Girard" in text and question in text
    assert "Réponse avant" in text or "Réponse attendue depuis" in text
    return sent, waiting


async def a_new_slot_asked_shows_at_once(
    api: Any, anne_token: str, later: Any, next_week: str, requests: Any
) -> tuple[dict[str, Any], Any, str]:
    """It asks for a new slot: the request shows at once. (The request, its item in the
    panel, the new start asked.)"""
    new_start, new_end = at(later, 14)
    asked = await gql_data(
        api,
        REQUEST,
        {
            "input": {
                "kind": "NEW_SLOT",
                "interventionId": next_week,
                "scheduledStart": new_start,
                "scheduledEnd": new_end,
                "note": "Rendez-vous chez le médecin le matin.",
            }
        },
        anne_token,
    )
    request = asked["requestChange"]["request"]
    assert request["status"] == "PENDING", asked
    item = requests.locator(f'li[data-request="{request["id"]}"]')
    await item.wait_for(timeout=2000)
    assert "Nouveau créneau" in await item.inner_text()
    assert "Anne Girard" in await item.inner_text()
    return request, item, new_start


async def a_rating_arrives_live(api: Any, day: Any, ratings: Any) -> None:
    """A rating arrives live (no more polling)."""
    await attend(api, CHECK_OUT, day.visits[3], day.worker_tokens[3])
    rated = await gql_data(
        api,
        RATE,
        {"input": {"interventionId": day.visits[3], "score": 2, "comment": "Trop rapide."}},
        day.client_tokens[3],
    )
    assert rated["rateIntervention"]["userErrors"] == [], rated
    await ratings.locator("li.rating.low").wait_for(timeout=2000)
    assert "Trop rapide." in await ratings.inner_text()


async def a_request_decided_from_the_panel_moves_the_visit(
    api: Any, day: Any, next_week: str, request: dict[str, Any], item: Any, new_start: str
) -> None:
    """Decided from the panel: a refusal needs a reason, an approval moves the visit."""
    await item.get_by_role("button", name="Refuser").click()
    assert "motif" in await item.get_by_role("alert").inner_text()
    await item.get_by_role("button", name="Accepter").click()
    await item.wait_for(state="detached", timeout=3000)
    node = await gql_data(api, REQUEST_STATUS, {"id": request["id"]}, day.staff_token)
    assert node["node"]["status"] == "APPROVED"
    moved = await gql_data(api, VISIT_START, {"id": next_week}, day.staff_token)
    assert moved["intervention"]["scheduledStart"] == new_start_utc(new_start)


async def test_the_token_stays_out_of_urls_and_persistent_storage(api, settings, browser):
    email = await factories.staff(settings, (await factories.agency(settings)), Role.ADMIN)
    running = await start_server(settings)
    context = await browser.new_context()
    page = await context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    try:
        await sign_in(page, running.api.base_url, email)
        token = await page.evaluate("sessionStorage.getItem('passage.token')")
        assert token and len(token) > 20
        assert await page.evaluate("localStorage.length") == 0
        assert (await context.cookies()) == []
        assert all(token not in url for url in urls)
        assert token not in page.url

        # Signing out ends the session on the server and forgets the token.
        await page.get_by_role("button", name="Se déconnecter").click()
        await page.get_by_label("Adresse e-mail").wait_for()
        assert await page.evaluate("sessionStorage.getItem('passage.token')") is None
        me = await running.api.gql("{ me { id } }", token=token)
        assert me["data"]["me"] is None
    finally:
        await context.close()
        await running.stop()


async def test_a_session_ended_elsewhere_brings_back_the_sign_in_form(api, settings, browser):
    email = await factories.staff(settings, (await factories.agency(settings)), Role.ADVISOR)
    page = await browser.new_page()
    try:
        await sign_in(page, api.base_url, email)
        token = await page.evaluate("sessionStorage.getItem('passage.token')")
        # Signed out from another device: the server closes the page's socket (4403).
        await api.data("mutation { logOut { ok } }", token=token)
        alert = page.get_by_role("alert")
        await alert.wait_for(timeout=5000)
        assert "session a pris fin" in await alert.inner_text()
        assert await page.locator("#staff").is_hidden()
        assert await page.evaluate("sessionStorage.getItem('passage.token')") is None
    finally:
        await page.close()


async def test_a_wrong_password_is_told_in_french(api, settings, browser):
    email = await factories.staff(settings, (await factories.agency(settings)), Role.ADMIN)
    page = await browser.new_page()
    try:
        await page.goto(f"{api.base_url}/dashboard")
        await page.get_by_label("Adresse e-mail").fill(email)
        await page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
        await page.keyboard.press("Enter")
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert "mot de passe" in (await alert.inner_text()).lower()
        assert await page.locator("#staff").is_hidden()
    finally:
        await page.close()


async def test_workers_are_sent_to_their_phone_app(api, settings, browser, home_agency):
    email = await factories.staff(settings, home_agency, Role.WORKER)
    page = await browser.new_page()
    try:
        await page.goto(f"{api.base_url}/dashboard")
        await page.get_by_label("Adresse e-mail").fill(email)
        await page.get_by_label("Mot de passe").fill(PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert "réservé à l’agence et aux clients" in await alert.inner_text()
        assert await page.evaluate("sessionStorage.length") == 0
    finally:
        await page.close()


async def test_a_client_sees_the_arrival_banner(api, settings, browser, home_agency):
    from tests.factories import schedule, setup_agency

    team = await setup_agency(api, settings, home_agency)
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]["id"]
    client_email = (await api.data("{ me { email } }", token=team.client_token))["me"]["email"]
    page = await browser.new_page()
    try:
        await sign_in(page, api.base_url, client_email)
        await page.locator(f'#next li[data-visit="{visit}"]').wait_for()
        await attend(api, CHECK_IN, visit, team.worker_token)
        banner = page.locator("#banner")
        await banner.wait_for(timeout=2000)
        assert "est arrivé·e chez vous" in await banner.inner_text()
        await attend(api, CHECK_OUT, visit, team.worker_token)
        await until(page, banner.inner_text, lambda text: "reparti" in text, timeout=2)
        await page.locator(f'#history li[data-visit="{visit}"]').wait_for(timeout=3000)
        # A client sees its own panels, no staff panel.
        assert await page.locator(STAFF_PANELS).count() == 0
        assert await page.locator('[data-panel="my-conversation"]').count() == 1
    finally:
        await page.close()
