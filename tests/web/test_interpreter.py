"""The serving process's cycle collector: startup frozen, full collections on a schedule."""

from __future__ import annotations

import asyncio
import gc
import sys

from web import interpreter


async def test_nothing_changes_unless_the_process_serves(monkeypatch):
    monkeypatch.setattr(interpreter, "_serving", False)
    before = gc.get_threshold(), gc.get_freeze_count()
    async with interpreter.collector_policy():
        assert (gc.get_threshold(), gc.get_freeze_count()) == before


async def test_startup_is_frozen_and_full_collections_come_on_schedule(monkeypatch):
    monkeypatch.setattr(interpreter, "_serving", True)
    monkeypatch.setattr(interpreter, "FULL_COLLECTION_SECONDS", 0.05)
    thresholds = gc.get_threshold()
    full: list[int] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(info["collected"])

    try:
        async with interpreter.collector_policy():
            assert gc.get_freeze_count() > 0  # what existed once started
            assert gc.get_threshold()[2] == interpreter.NO_AUTOMATIC_FULL_COLLECTION
            gc.callbacks.append(watch)
            # No young collection meanwhile (the suite's other loops allocate): it could
            # find the cycle first, leaving the scheduled full ones nothing to collect.
            # The scheduled `gc.collect()` runs all the same.
            gc.disable()
            cycle: list[object] = []
            cycle.append(cycle)  # cyclic garbage, made after the freeze
            del cycle
            await asyncio.sleep(0.3)
            gc.enable()
            gc.callbacks.remove(watch)
        assert len(full) >= 2  # every FULL_COLLECTION_SECONDS
        assert sum(full) >= 1  # the cycle, found by a scheduled full collection
        assert gc.get_threshold() == thresholds  # given back when the app stops
    finally:
        gc.enable()
        gc.unfreeze()  # the rest of the test run collects as usual


def test_tune_for_serving_turns_the_policy_on(monkeypatch):
    monkeypatch.setattr(interpreter, "_serving", False)
    switch = sys.getswitchinterval()
    try:
        interpreter.tune_for_serving()
        assert interpreter._serving
        assert sys.getswitchinterval() == interpreter.SWITCH_INTERVAL_SECONDS
    finally:
        sys.setswitchinterval(switch)
