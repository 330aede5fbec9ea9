"""Contact preferences route every notification: channels, digests, SMS quiet hours."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.enums import NotificationTopic
from models.households.contact import Digest
from notifications import digests
from tests.factories import PARIS, at, household, office, visit, weekday_ahead
from tests.households.factories import declare
from tests.mailbox import body_of
from tests.requests.factories import ask, decide

READ = """
query { contactPreferences { topics { topic channels frequency } smsQuietHours { start end } } }
"""

UPDATE = """
mutation Update($input: UpdateContactPreferencesInput!) {
  updateContactPreferences(input: $input) {
    preferences { topics { topic channels frequency } smsQuietHours { start end } }
    userErrors { field code }
  }
}
"""

SENT = """
query Sent($id: ID!, $first: Int) {
  clientNotifications(clientId: $id, first: $first) {
    edges { node { channel kind subject status nextAttemptAt sentAt } }
  }
}
"""


async def update(api, token, **values) -> dict[str, Any]:
    return dict(
        (await api.data(UPDATE, {"input": values}, token=token))["updateContactPreferences"]
    )


async def sent(api, team, kind_prefix: str) -> list[dict[str, Any]]:
    result = await api.data(SENT, {"id": team.client_id, "first": 100}, token=team.advisor)
    return [
        e["node"]
        for e in result["clientNotifications"]["edges"]
        if e["node"]["kind"].startswith(kind_prefix)
    ]


async def settled(api, team, kind_prefix: str, status: str = "SENT") -> list[dict[str, Any]]:
    """The notifications of a kind once the outbox has handled them (it is woken at commit)."""
    for _ in range(100):
        rows = await sent(api, team, kind_prefix)
        if rows and all(r["status"] == status for r in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(await sent(api, team, kind_prefix))


async def decision(api, team, reject_reason: str = "") -> None:
    """A request from the client, decided by staff: a REQUEST_DECISION notification."""
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 8, 1) if not reject_reason else at(day, 12, 1))
    made = await ask(api, team, kind="NEW_DURATION", interventionId=visit_id, durationMinutes=90)
    assert made["userErrors"] == [], made
    if reject_reason:
        await decide(api, team, made["request"]["id"], "REJECT", reason=reject_reason)
    else:
        await decide(api, team, made["request"]["id"])


async def test_a_new_household_gets_sensible_defaults(api, team):
    prefs = (await api.data(READ, token=team.client))["contactPreferences"]
    topics = {t["topic"]: (t["channels"], t["frequency"]) for t in prefs["topics"]}
    assert topics["ATTENDANCE"] == (["EMAIL", "SMS"], "INSTANT")
    for topic in ("SCHEDULE", "REQUEST_DECISION", "MESSAGE_REPLY", "BILLING", "SECURITY"):
        assert topics[topic] == (["EMAIL"], "INSTANT")
    assert prefs["smsQuietHours"] is None


async def test_instant_e_mails_come_in_plain_text_and_html(api, team, mailbox):
    await decision(api, team, reject_reason="<b>Indisponible</b> ce jour-là")
    message = await mailbox.wait_for(team.client_email, "Réponse à votre demande")
    assert "<b>Indisponible</b>" in body_of(message)
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    content = str(html.get_content())
    assert "&lt;b&gt;Indisponible&lt;/b&gt;" in content and "<b>Indisponible" not in content


async def test_a_topic_by_sms_only_or_not_at_all(api, team):
    result = await update(
        api,
        team.client,
        topics=[
            {"topic": "REQUEST_DECISION", "channels": ["SMS"]},
            {"topic": "SCHEDULE", "channels": []},
        ],
    )
    assert result["userErrors"] == []
    await decision(api, team)
    rows = await settled(api, team, "request_")
    assert [r["channel"] for r in rows] == ["SMS"]
    day = weekday_ahead(20)
    assert (await declare(api, team.client, day, day))["userErrors"] == []
    await asyncio.sleep(0.3)
    assert await sent(api, team, "absence_") == []


def quiet_around(now: datetime, inside: bool) -> dict[str, str]:
    local = now.astimezone(PARIS)
    if inside:
        start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    else:
        start, end = local + timedelta(hours=2), local + timedelta(hours=3)
    return {"start": start.strftime("%H:%M:00"), "end": end.strftime("%H:%M:00")}


async def test_sms_wait_for_the_end_of_quiet_hours(api, team):
    now = datetime.now(UTC)
    result = await update(
        api,
        team.client,
        topics=[{"topic": "REQUEST_DECISION", "channels": ["SMS"]}],
        smsQuietHours=quiet_around(now, inside=True),
    )
    assert result["preferences"]["smsQuietHours"] == quiet_around(now, inside=True)
    await decision(api, team)
    [held] = await settled(api, team, "request_", "PENDING")
    # Held to the end of the quiet hours on Paris's wall clock: an hour of wall clock from
    # now, which is two real hours on the autumn DST night.
    end = (now.astimezone(PARIS) + timedelta(hours=1)).replace(second=0, microsecond=0)
    assert datetime.fromisoformat(held["nextAttemptAt"]) == end.astimezone(UTC)
    assert timedelta(minutes=55) < end - now <= timedelta(hours=2)
    # Outside quiet hours, an SMS goes at once.
    await update(api, team.client, smsQuietHours=quiet_around(now, inside=False))
    await decision(api, team, reject_reason="Complet")
    rows = await sent(api, team, "request_rejected")
    for _ in range(100):
        if rows and rows[0]["status"] == "SENT":
            break
        await asyncio.sleep(0.05)
        rows = await sent(api, team, "request_rejected")
    assert rows[0]["status"] == "SENT"
    cleared = await update(api, team.client, clearSmsQuietHours=True)
    assert cleared["preferences"]["smsQuietHours"] is None


async def test_a_daily_digest_is_sent_once_with_every_notification(api, team, mailbox, server):
    await update(
        api,
        team.client,
        topics=[{"topic": "REQUEST_DECISION", "channels": ["EMAIL"], "frequency": "DAILY"}],
    )
    await decision(api, team)
    await decision(api, team, reject_reason="<i>Complet</i>")
    await asyncio.sleep(0.3)
    assert await sent(api, team, "request_") == []  # held for the digest
    tomorrow = datetime.now(PARIS).replace(hour=9) + timedelta(days=1)
    runtime = server.app.state.runtime
    # Two processes (here, two loops at once) find the same digest due: one sends it.
    counts = await asyncio.gather(
        digests.send_due(runtime, tomorrow), digests.send_due(runtime, tomorrow)
    )
    assert await Digest.filter(account__email=team.client_email).count() == 1
    assert sum(counts) >= 1
    message = await mailbox.wait_for(team.client_email, "Votre résumé de la journée")
    text = body_of(message)
    assert text.count("Réponse à votre demande") == 2 and "<i>Complet</i>" in text
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "&lt;i&gt;Complet&lt;/i&gt;" in str(html.get_content())
    await digests.send_due(runtime, tomorrow + timedelta(hours=1))
    assert await Digest.filter(account__email=team.client_email).count() == 1
    await asyncio.sleep(0.3)
    assert len([m for m in mailbox.to(team.client_email) if "résumé" in str(m["Subject"])]) == 1


async def test_a_weekly_digest_waits_for_monday(api, team, mailbox, server):
    await update(
        api,
        team.client,
        topics=[{"topic": "SCHEDULE", "channels": ["EMAIL"], "frequency": "WEEKLY"}],
    )
    day = weekday_ahead(10)
    await declare(api, team.client, day, day, "Séjour")
    runtime = server.app.state.runtime
    local = datetime.now(PARIS)
    next_monday = (local + timedelta(days=7 - local.weekday())).replace(hour=9, minute=0)
    await digests.send_due(runtime, next_monday - timedelta(days=1))
    assert not await Digest.filter(account__email=team.client_email).exists()
    await digests.send_due(runtime, next_monday)
    message = await mailbox.wait_for(team.client_email, "Votre résumé de la semaine")
    assert "Votre absence est enregistrée" in body_of(message)


@pytest.mark.parametrize(
    ("topics", "quiet", "code"),
    [
        ([{"topic": "SECURITY", "channels": []}], None, "SECURITY_EMAIL_REQUIRED"),
        (
            [{"topic": "SECURITY", "channels": ["EMAIL"], "frequency": "DAILY"}],
            None,
            "SECURITY_EMAIL_REQUIRED",
        ),
        (
            [{"topic": "BILLING", "channels": []}, {"topic": "BILLING", "channels": ["EMAIL"]}],
            None,
            "DUPLICATE",
        ),
        ([], {"start": "21:00:00", "end": "21:00:00"}, "INVALID_QUIET_HOURS"),
        ([{"topic": "BILLING", "channels": []}] * (len(NotificationTopic) + 1), None, "TOO_MANY"),
    ],
)
async def test_bad_preferences_are_refused(api, team, topics, quiet, code):
    values: dict[str, Any] = {"topics": topics}
    if quiet:
        values["smsQuietHours"] = quiet
    result = await update(api, team.client, **values)
    assert result["preferences"] is None
    assert code in [e["code"] for e in result["userErrors"]]


async def test_sms_need_a_mobile_number(api, mailbox, team):
    landline = await household(api, mailbox, team.postal_code, phone="01 45 67 89 10")
    result = await update(
        api, landline["token"], topics=[{"topic": "BILLING", "channels": ["SMS"]}]
    )
    assert [e["code"] for e in result["userErrors"]] == ["NO_MOBILE_NUMBER"]


async def test_who_may_read_and_change_them(api, settings, mailbox, team):
    values: dict[str, Any] = {"input": {"topics": []}}
    for token in (team.worker, team.advisor):
        assert await api.error_code(UPDATE, values, token) == "FORBIDDEN"
        assert await api.error_code(READ, token=token) == "FORBIDDEN"
    assert await api.error_code(UPDATE, values) == "UNAUTHENTICATED"
    for token in (team.client, team.worker):
        assert await api.error_code(SENT, {"id": team.client_id}, token) == "FORBIDDEN"
    elsewhere = await office(api, settings, mailbox)
    outsider = await api.data(SENT, {"id": team.client_id}, token=elsewhere.advisor)
    assert outsider["clientNotifications"] is None
