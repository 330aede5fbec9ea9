"""The suite's clock: the whole test process, server included, at a chosen instant.

`PASSAGE_TEST_NOW=2026-12-05T10:00:00+01:00` moves the process there for the whole run
(time-machine, ticking from there): the server runs in the test's event loop, so it sees
the same instant as the tests. Without it the run uses the real clock. Either way the
header of the run names the instant, so a failure can be replayed at it.

Tests that depend on today's date, weekday or hour carry the `clock` marker; `make
test-clock` runs them at each instant of CLOCK_INSTANTS (docs/testing.md). What is not
moved: the event loop's and the database's own clocks (monotonic, and never read by the
code: the database gets its times from Python), and Chromium, whose page clock is set by
`ClockedBrowser`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

ENV = "PASSAGE_TEST_NOW"
TESTS = Path(__file__).resolve().parent
PARIS = ZoneInfo("Europe/Paris")

# Modules whose tests build their dates from today's date, weekday or hour (the `clock`
# marker, given here so their files stay as they are; a new test can carry the marker).
# Paths are relative to tests/.
CLOCK_MODULES = {
    "care/test_anomalies.py",
    "care/test_callbacks.py",
    "care/test_claims.py",
    "engine/test_planner.py",
    "help/test_news.py",
    "help/test_tips.py",
    "help/test_webinars.py",
    "households/test_absences.py",
    "households/test_contact_preferences.py",
    "households/test_profile.py",
    "messaging/test_reply_promise.py",
    "notifications/test_arrival_notices.py",
    "notifications/test_sms_rules.py",
    "privacy/test_erasure.py",
    "privacy/test_retention.py",
    "privacy/test_rights.py",
    "requests/test_access.py",
    "requests/test_change_requests.py",
    "requests/test_kinds.py",
    "requests/test_queries.py",
    "requests/test_worker_free.py",
    "simulation/test_demo.py",
    "simulation/test_demo_day.py",
    "simulation/test_simulate.py",
    "visits/test_attendance.py",
    "visits/test_calendar_queries.py",
    "visits/test_corrections.py",
    "visits/test_feeds.py",
    "visits/test_planning_parties.py",
    "visits/test_planning_rules.py",
    "visits/test_plans.py",
    "visits/test_visits.py",
    "web/test_dashboard_browser.py",
    "web/test_dashboard_care_browser.py",
    "web/test_dashboard_client_panels.py",
    "web/test_link_pages_browser.py",
}

# Billing tests are written against fixed months of 2026 and read invoice numbers and tax
# years that come from the day of issue: they run on a pinned, ticking clock instead
# (time-machine's own `time_machine` marker, which any test may carry too). In the past of
# every run (the suite's instants and the real clock), so the rows they write never look
# newer than the other tests' own.
BILLING_DAY = "2026-12-01T10:00:00+01:00"
PINNED_MODULES = {
    "agency/test_identity.py": BILLING_DAY,
    "billing/test_advance_outcome.py": BILLING_DAY,
    "billing/test_csv_injection.py": BILLING_DAY,
    "billing/test_documents.py": BILLING_DAY,
    "billing/test_employer_declaration.py": BILLING_DAY,
    "billing/test_invoice_mentions.py": BILLING_DAY,
    "billing/test_invoice_numbering.py": BILLING_DAY,
    "billing/test_invoice_queries.py": BILLING_DAY,
    "billing/test_invoicing.py": BILLING_DAY,
    "billing/test_late_cancellations.py": BILLING_DAY,
    "billing/test_payments.py": BILLING_DAY,
    "billing/test_tax_certificates.py": BILLING_DAY,
    "billing/test_urssaf_requests.py": BILLING_DAY,
    "billing/test_urssaf_resilience.py": BILLING_DAY,
}
_traveller: time_machine.travel | None = None
_started_at: datetime | None = None
# Jumps made by `daytime`, kept to the end of the run so the clock never goes back.
_jumps: list[time_machine.travel] = []


def instant_from(text: str) -> datetime:
    """An ISO 8601 instant with its offset (a wall time alone would be ambiguous)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise pytest.UsageError(f"{ENV}={text!r} is not an ISO 8601 instant") from error
    if moment.tzinfo is None:
        raise pytest.UsageError(f"{ENV}={text!r} needs an offset, e.g. +01:00 for Paris")
    return moment


def pytest_configure(config: pytest.Config) -> None:
    global _traveller, _started_at
    config.addinivalue_line(
        "markers",
        "clock: depends on today's date, weekday or hour; `make test-clock` runs it at "
        "each instant of CLOCK_INSTANTS",
    )
    text = os.environ.get(ENV, "")
    if text:
        # Started before any fixture, so tokens, rows and the server all share one timeline.
        _traveller = time_machine.travel(instant_from(text), tick=True)
        _traveller.start()
    _started_at = datetime.now(UTC)


def _module_path(item: pytest.Item) -> str:
    """The test's file relative to tests/ (`visits/test_plans.py`), as the lists above name it."""
    try:
        return item.path.relative_to(TESTS).as_posix()
    except ValueError:
        return item.path.name


@pytest.hookimpl(tryfirst=True)  # before time-machine's own hook reads its marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that may jump to working hours go last: the others all run at the run's instant.
    items.sort(key=lambda item: "daytime" in getattr(item, "fixturenames", ()))
    for item in items:
        module = _module_path(item)
        if module in CLOCK_MODULES:
            item.add_marker(pytest.mark.clock)
        if module in PINNED_MODULES and item.get_closest_marker("time_machine") is None:
            item.add_marker(pytest.mark.time_machine(PINNED_MODULES[module]))


def pytest_unconfigure(config: pytest.Config) -> None:
    global _traveller
    while _jumps:
        _jumps.pop().stop()
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config: pytest.Config) -> str:
    started = (_started_at or datetime.now(UTC)).astimezone(PARIS).isoformat(timespec="seconds")
    source = ENV if _traveller is not None else "real clock"
    return f"clock: {started} ({source}); replay with {ENV}={started}"


def paris_now() -> datetime:
    return datetime.now(PARIS)


def next_daytime(hour: int = 10, earliest: int = 8, latest: int = 18) -> datetime | None:
    """The next `hour`:00 in Paris when now is outside [earliest, latest), else None."""
    now = paris_now()
    if earliest <= now.hour < latest:
        return None
    day = now.date() if now.hour < hour else now.date() + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=PARIS)


@pytest.fixture
def daytime() -> datetime:
    """Working hours in Paris, for a scenario that needs hours of the working day ahead.

    A morning of visits read back on the staff's view of today, or a simulated day, cannot
    fit between 23:55 and midnight. Outside 08:00-18:00 the process (tests and server)
    jumps forward to the next 10:00 and stays on that timeline, ticking, to the end of the
    run: the clock never goes back, and these tests run last (see above) so the others
    keep the run's instant. Returns the Paris time the test starts at.
    """
    target = next_daytime()
    if target is not None:
        jump = time_machine.travel(target, tick=True)
        jump.start()
        _jumps.append(jump)
    return paris_now()


def travelling() -> bool:
    """Whether the process runs on a moved clock (the run's instant or a test's jump)."""
    return bool(time_machine.traveller_stack)


class ClockedBrowser:
    """Chromium runs on the real clock: its pages get the process's instant when it moved.

    Playwright's page clock then ticks from there like ours does (timers run as usual).
    """

    def __init__(self, browser: Any) -> None:
        self.browser = browser

    async def new_context(self, **options: Any) -> Any:
        context = await self.browser.new_context(**options)
        if travelling():
            await context.clock.install(time=datetime.now(UTC))
        return context

    async def new_page(self, **options: Any) -> Any:
        page = await self.browser.new_page(**options)
        if travelling():
            await page.clock.install(time=datetime.now(UTC))
        return page
