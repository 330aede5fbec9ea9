"""Several listeners on one bus channel (subscriptions/bus.py): one subscription, every
handler for every message, a failing handler logged without stopping the others. On the
suite's bus: memory://, or Redis when TEST_BROADCAST_URL says so."""

from __future__ import annotations

import asyncio

from subscriptions.bus import Bus
from tests.factories import eventually, unique


async def test_every_listener_of_a_channel_hears_every_message(settings, caplog):
    bus = Bus(settings.broadcast_url, unique(f"{settings.bus_namespace}-listeners"))
    await bus.connect()
    heard: dict[str, list[str]] = {"first": [], "second": []}
    gaps: list[str] = []

    async def failing(message: str) -> None:
        heard["first"].append(message)
        raise RuntimeError("a listener that fails")

    async def second(message: str) -> None:
        heard["second"].append(message)

    try:
        # Both at once, before either subscription is confirmed: the case broadcaster's
        # subscribe does not take (the second first subscriber replaced the first).
        bus.listen("news", failing, on_gap=lambda: gaps.append("first"))
        bus.listen("news", second, on_gap=lambda: gaps.append("second"))
        await eventually(lambda: asyncio.sleep(0, sorted(gaps) == ["first", "second"]))
        for message in ("1", "2", "3"):
            await bus.publish("news", message)
        await eventually(lambda: asyncio.sleep(0, heard["second"] == ["1", "2", "3"]))
        assert heard["first"] == ["1", "2", "3"]
        assert "bus listener on news failed" in caplog.text
    finally:
        await bus.disconnect()
