"""The suite's own clock (tests/clock.py) and hang guard (tests/hangs.py) do what they say."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from models.accounts.people import Account
from tests import factories
from tests.clock import PARIS, instant_from, next_daytime

ROOT = Path(__file__).resolve().parent.parent
CLOSE = timedelta(seconds=5)


async def server_now(api) -> datetime:
    """uvicorn's Date header (refreshed by its main loop about once a second)."""
    response = await api.http.get("/healthz")
    return parsedate_to_datetime(response.headers["date"])


@pytest.mark.clock
async def test_the_server_and_the_rows_it_writes_share_the_tests_clock(api, home_agency):
    assert abs(await server_now(api) - datetime.now(UTC)) < CLOSE
    email, _ = await factories.client(api)
    account = await Account.get(email=email)
    assert abs(account.created_at - datetime.now(UTC)) < CLOSE
    if os.environ.get("PASSAGE_TEST_NOW"):
        started = instant_from(os.environ["PASSAGE_TEST_NOW"])
        # The run started there and ticks on: far from today's real date, near the instant.
        assert started <= datetime.now(UTC) < started + timedelta(hours=2)


@pytest.mark.clock
async def test_daytime_moves_the_night_forward_to_working_hours(daytime, api, home_agency):
    assert 8 <= daytime.hour < 18
    assert 8 <= datetime.now(PARIS).hour < 18
    email, _ = await factories.client(api)  # written by the server at the moved time
    account = await Account.get(email=email)
    assert abs(account.created_at - datetime.now(UTC)) < CLOSE
    # Once there, nothing moves again: the clock never goes back.
    assert next_daytime() is None


def test_an_instant_needs_its_offset():
    assert instant_from("2027-03-28T01:58:00+01:00").utcoffset() == timedelta(hours=1)
    for text in ("2027-03-28T01:58:00", "demain"):
        with pytest.raises(pytest.UsageError):
            instant_from(text)


STUCK = """
import asyncio

import pytest


async def never_answered():
    await asyncio.Event().wait()


@pytest.mark.timeout(1)
def test_stuck():
    asyncio.run(never_answered())


def test_next():
    assert True
"""


def test_a_stuck_test_fails_with_the_stacks_of_its_tasks_and_the_run_goes_on(tmp_path):
    (tmp_path / "test_stuck.py").write_text(STUCK)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PASSAGE_TEST_NOW", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.hangs", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 1, out
    assert "Timeout after 1 s: asyncio tasks" in out
    assert "in never_answered" in out  # the await that never returned, with its line
    assert "1 failed, 1 passed" in out
