"""The fan-out bench's subscriber (bench/fanout.py `Listener`) against a real server: it must
behave as docs/api.md tells clients to, or the bench counts as lost what a client gets."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bench import fanout
from schema.core.ids import cursor_for, to_global_id
from tests.factories import eventually
from tests.subscriptions.factories import burst, setup_team, visits


async def test_dropped_as_too_slow_it_resumes_from_its_last_cursor(
    api, start, settings, home_agency
):
    # A batch longer than a subscriber's queue overflows it at once: the server drops the
    # subscription (SUBSCRIBER_TOO_SLOW) and the listener subscribes again from its cursor.
    running = await start(settings.with_(subscriber_queue_size=2))
    runtime = running.app.state.runtime
    team = await setup_team(api, settings, home_agency)
    [visit] = await visits(team, 1, timedelta(hours=30))
    listener = fanout.Listener(f"Bearer {team.staff_token}")
    await listener.start(running.api.base_url.replace("http://", "ws://") + "/graphql")
    listening = asyncio.create_task(listener.listen())
    try:
        first = await burst(runtime.bus, visit, 1)

        async def heard(count: int) -> bool:
            return len(listener.received) >= count

        await eventually(lambda: heard(1))
        assert listener.cursor == cursor_for(first[0])
        assert listener.resumed == 0

        produced = await burst(runtime.bus, visit, 6)
        await eventually(lambda: heard(7))
        await asyncio.sleep(0.3)  # nothing more comes
        assert listener.resumed >= 1
        assert listener.problems == ["fell behind (SUBSCRIBER_TOO_SLOW), resumed"] * (
            listener.resumed
        )
        # Every event once, in order: the replay starts after the last one received.
        assert len(listener.received) == 7
        assert {visit_id for visit_id, _ in listener.received} == {
            to_global_id("Intervention", visit.id)
        }
        assert listener.cursor == cursor_for(produced[-1])
    finally:
        await listener.socket.close()
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
