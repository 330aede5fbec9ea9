"""The client's panels in real headless Chromium: its conversation and its requests, live."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from models.accounts.people import Account
from tests import factories
from tests.factories import at, schedule, setup_agency, weekday_ahead
from tests.requests.factories import REQUEST, REVIEW
from tests.web.dashboard import SEND, STAFF_PANELS, sign_in

WAITING = "{ conversationsAwaitingReply { conversation { id lastMessage { body } } } }"


async def test_a_client_writes_reads_answers_and_follows_its_requests_live(
    api, settings, browser: Any, home_agency
):
    team = await setup_agency(api, settings, home_agency)
    email = (await api.data("{ me { email } }", token=team.client_token))["me"]["email"]
    await Account.filter(email=email).update(email_verified_at=datetime.now(UTC))
    factories.sessions_changed()
    later = weekday_ahead(4)
    start, end = at(later, 9)
    visit = (await schedule(api, team, scheduledStart=start, scheduledEnd=end))["intervention"]
    page = await browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    conversation = page.locator('[data-panel="my-conversation"]')
    mine = page.locator('[data-panel="my-requests"]')
    try:
        await sign_in(page, api.base_url, email)
        assert await page.locator(STAFF_PANELS).count() == 0
        await conversation.get_by_text("Pas encore de message.").wait_for()

        # An empty message is refused in French, on the page.
        await conversation.get_by_role("button", name="Envoyer").click()
        assert "Écrivez votre message" in await conversation.get_by_role("alert").inner_text()

        conversation_id = await a_message_typed_waits_for_the_agency(api, team, conversation)
        # The agency answers: it shows at once.
        answer = {"body": "Merci, c’est noté.", "conversationId": conversation_id}
        sent = await api.data(SEND, {"input": answer}, token=team.staff_token)
        assert sent["sendMessage"]["userErrors"] == [], sent
        await conversation.locator("li.message.agency").wait_for(timeout=2000)
        assert "Merci, c’est noté." in await conversation.inner_text()

        await a_new_slot_asked_then_refused_with_its_reason(api, team, later, visit, mine)
        assert problems == []
    finally:
        await page.close()


async def a_message_typed_waits_for_the_agency(api: Any, team: Any, conversation: Any) -> str:
    """Written with the keyboard and sent: the agency has it waiting for an answer. (The
    conversation's id.)"""
    question = "Bonjour, la clé est chez la gardienne <b>demain</b>."
    await conversation.get_by_label("Votre message").fill(question)
    await conversation.get_by_role("button", name="Envoyer").click()
    await conversation.locator("li.message.mine").wait_for(timeout=2000)
    assert question in await conversation.locator("li.message.mine").inner_text()
    assert await conversation.locator("b").count() == 0  # text, never HTML
    waiting = (await api.data(WAITING, token=team.staff_token))["conversationsAwaitingReply"]
    ours = [w for w in waiting if w["conversation"]["lastMessage"]["body"] == question]
    assert len(ours) == 1
    return str(ours[0]["conversation"]["id"])


async def a_new_slot_asked_then_refused_with_its_reason(
    api: Any, team: Any, later: Any, visit: dict[str, Any], mine: Any
) -> None:
    """A request for a new slot, then the agency's refusal with its reason, live."""
    new_start, new_end = at(later, 15)
    asked = await api.data(
        REQUEST,
        {
            "input": {
                "kind": "NEW_SLOT",
                "interventionId": visit["id"],
                "scheduledStart": new_start,
                "scheduledEnd": new_end,
            }
        },
        token=team.client_token,
    )
    request = asked["requestChange"]["request"]
    assert request["status"] == "PENDING", asked
    row = mine.locator(f'li[data-request="{request["id"]}"]')
    await row.wait_for(timeout=2000)
    assert "En attente" in await row.inner_text()
    decided = await api.data(
        REVIEW,
        {
            "input": {
                "requestId": request["id"],
                "decision": "REJECT",
                "reason": "Votre intervenante n’est pas disponible l’après-midi.",
            }
        },
        token=team.staff_token,
    )
    assert decided["reviewChangeRequest"]["userErrors"] == [], decided
    await mine.locator(f'li[data-request="{request["id"]}"][data-status="REJECTED"]').wait_for(
        timeout=2000
    )
    text = await row.inner_text()
    assert "Refusée" in text and "pas disponible l’après-midi" in text
