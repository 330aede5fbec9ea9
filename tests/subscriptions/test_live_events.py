"""Live intervention events over graphql-transport-ws: scoped, replayed, never doubled."""

from __future__ import annotations

from tests.client import WsClient
from tests.factories import CHECK_IN, CHECK_OUT, EVENTS, HEAD, next_event, schedule, setup_agency


async def subscribe_from_now(api, token: str) -> tuple[WsClient, str]:
    """Subscribes from the viewer's current head cursor, so no event can slip past."""
    head = (await api.data(HEAD, token=token))["interventionEventsCursor"]
    ws = await WsClient.connect(api, token=token)
    await ws.ack()
    return ws, await ws.subscribe(EVENTS, {"since": head})


async def test_each_viewer_receives_only_what_concerns_them(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    stranger = await setup_agency(api, settings, home_agency)
    subscribers = {}
    for name, token in (
        ("staff", team.staff_token),
        ("worker", team.worker_token),
        ("client", team.client_token),
        ("stranger", stranger.client_token),
    ):
        subscribers[name] = await subscribe_from_now(api, token)
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    for name in ("staff", "worker", "client"):
        ws, op = subscribers[name]
        event = await next_event(ws, op)
        assert event["type"] == "SCHEDULED"
        assert event["intervention"] == {"id": visit["id"], "status": "SCHEDULED"}
    ws, op = subscribers["stranger"]
    try:
        message = await ws.receive(0.5)
    except TimeoutError:
        message = None
    assert message is None
    for ws, _ in subscribers.values():
        await ws.close()


async def test_resuming_with_since_replays_missed_events_in_order_without_duplicates(
    api, settings, home_agency
):
    team = await setup_agency(api, settings, home_agency)
    ws, op = await subscribe_from_now(api, team.client_token)
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    first = await next_event(ws, op)
    await ws.close()

    # While the client is away, the worker arrives and leaves.
    await api.data(CHECK_IN, {"input": {"interventionId": visit["id"]}}, token=team.worker_token)
    await api.data(CHECK_OUT, {"input": {"interventionId": visit["id"]}}, token=team.worker_token)

    ws = await WsClient.connect(api, token=team.client_token)
    await ws.ack()
    op = await ws.subscribe(EVENTS, {"since": first["cursor"]})
    arrived = await next_event(ws, op)
    departed = await next_event(ws, op)
    assert [arrived["type"], departed["type"]] == ["ARRIVED", "DEPARTED"]
    assert departed["intervention"]["status"] == "COMPLETED"
    # Live continues after the replay.
    second = (await schedule(api, team, hours_from_now=5))["intervention"]
    live = await next_event(ws, op)
    assert live["type"] == "SCHEDULED" and live["intervention"]["id"] == second["id"]
    try:
        extra = await ws.receive(0.3)
    except TimeoutError:
        extra = None
    assert extra is None
    await ws.close()


async def test_anonymous_or_bad_cursor_subscriptions_are_refused(api, settings, home_agency):
    anonymous = await WsClient.connect(api)
    await anonymous.ack()
    await anonymous.subscribe(EVENTS)
    assert await anonymous.closed_with() == 4403  # contract: a subscription needs a viewer

    team = await setup_agency(api, settings, home_agency)
    ws = await WsClient.connect(api, token=team.client_token)
    await ws.ack()
    op = await ws.subscribe(EVENTS, {"since": "not-a-cursor"})
    message = await ws.receive()
    assert message["id"] == op
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    await ws.close()
