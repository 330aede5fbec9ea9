"""The demo agency's day on an accelerated clock: who acts when, and the playing of it.

Everything goes over HTTP to /graphql, as the workers' phones, the households and
the advisor would: no database access. The clock is accelerated (`speed` simulated
minutes per real second) and decides when each phone acts; the server keeps real
time, so it stamps check-ins when they happen and raises LATE and MISSED on its own
clock. A late worker never arrives before the real start of a visit about to
begin, so the dashboard does see them late. When too few visits can be checked in
within the next two hours, the advisor first books an hour in the workers' free gaps.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.clock import current_warp, utcnow
from simulation import care
from simulation.households import ask_new_slot_and_review, write_and_answer
from simulation.phone import (
    AGENCY,
    ATTEND,
    CLIENTS,
    MINE,
    MUTATIONS,
    RATE,
    SCHEDULE,
    GraphQLFailure,
    Phone,
    pages,
)
from simulation.seed.demo import DEMO_PASSWORD, STAFF, WORKERS, worker_email

log = logging.getLogger("passage.simulate")

ENOUGH_AHEAD = 6  # visits starting within the check-in window below which the advisor books
CHECK_IN_WINDOW = timedelta(hours=2)  # a phone may check in this long before the start
BOOKED = timedelta(minutes=60)


@dataclass(order=True)
class Step:
    at: datetime  # on the simulated clock
    seq: int
    not_before: datetime = field(compare=False)  # on the real clock
    label: str = field(compare=False)
    run: Callable[[], Awaitable[None]] = field(compare=False)


@dataclass
class Report:
    check_ins: int = 0
    check_outs: int = 0
    ratings: int = 0
    booked: int = 0
    messages: int = 0  # sent by households
    replies: int = 0  # the advisor's answers
    requests: int = 0  # new slots asked by households
    reviews: int = 0  # the advisor's decisions on them
    claims: int = 0  # damage reported by households
    claim_steps: int = 0  # the advisor's steps on them
    callbacks: int = 0  # call-backs asked by the premium household
    calls: int = 0  # call-backs made and logged
    skipped: list[str] = field(default_factory=list)


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _first_gap(visits: list[dict[str, Any]], earliest: datetime) -> datetime:
    """The first start from `earliest` on where a booked hour fits between the visits."""
    start = earliest
    for visit in sorted(visits, key=lambda v: v["scheduledStart"]):
        begins, ends = _parse(visit["scheduledStart"]), _parse(visit["scheduledEnd"])
        if start + BOOKED + timedelta(minutes=5) <= begins:
            break
        start = max(start, ends + timedelta(minutes=10))
    return start


class Simulation:
    def __init__(self, http: httpx.AsyncClient, speed: float, seed: int) -> None:
        self.http = http
        self.speed = speed  # simulated minutes per real second
        self.rng = random.Random(seed)  # noqa: S311 (who is late: no secret)
        self.report = Report()
        self.steps: list[Step] = []
        self.seq = itertools.count()
        self.started_real = datetime.now(UTC)
        self.started_mono = time.monotonic()
        # On the demo's shared clock (PASSAGE_CLOCK), the server judges on the same time.
        self.warp = current_warp()
        if self.warp is not None:
            self.speed = self.warp.speed / 60
        self.clients: dict[str, str] = {}  # client id -> e-mail
        self.rated = False
        self.zone = ZoneInfo("Europe/Paris")

    def sim_now(self) -> datetime:
        if self.warp is not None:
            return utcnow()
        elapsed = time.monotonic() - self.started_mono
        return self.started_real + timedelta(minutes=elapsed * self.speed)

    def at(self, when: datetime, label: str, run: Callable[[], Awaitable[None]], **kw: Any) -> None:
        not_before = kw.get("not_before", self.started_real)
        self.steps.append(Step(when, next(self.seq), not_before, label, run))

    async def prepare(self) -> None:
        staff = await Phone(self.http, STAFF[1][1]).sign_in(DEMO_PASSWORD)
        self.advisor = staff
        zone = self.zone = ZoneInfo((await staff.call(AGENCY))["me"]["agency"]["timeZone"])
        today = utcnow().astimezone(zone).date()
        day_start = datetime.combine(today, datetime.min.time(), tzinfo=zone)
        day_end = day_start + timedelta(days=1)
        fields = (await staff.call(MUTATIONS))["__type"]["fields"]
        self.offered = {f["name"] for f in fields}
        for client in await pages(staff, CLIENTS, {}, "clients"):
            self.clients[client["id"]] = client["account"]["email"]
        window = {"from": day_start.isoformat(), "to": day_end.isoformat()}
        phones: dict[str, tuple[Phone, list[dict[str, Any]]]] = {}
        for index in range(1, len(WORKERS) + 1):
            phone = await Phone(self.http, worker_email(index)).sign_in(DEMO_PASSWORD)
            me = (await phone.call(MINE, {**window, "after": None}))["me"]["worker"]
            phones[me["id"]] = (phone, await pages(phone, MINE, window, "interventions"))
        now = utcnow()
        ahead = sum(
            1
            for _, visits in phones.values()
            for v in visits
            if now < _parse(v["scheduledStart"]) <= now + CHECK_IN_WINDOW
        )
        # On the demo's shared clock the day is laid out from the morning: nothing to book.
        if ahead < ENOUGH_AHEAD and self.warp is None:
            await self.book(phones, ENOUGH_AHEAD - ahead)
            for worker_id, (phone, _) in phones.items():
                phones[worker_id] = (phone, await pages(phone, MINE, window, "interventions"))
        self.plan(phones)

    async def book(self, phones: dict[str, tuple[Phone, list[dict[str, Any]]]], count: int) -> None:
        """The advisor books an hour in each worker's first free gap, the soonest first."""
        now = utcnow().replace(second=0, microsecond=0)
        free = sorted(
            (_first_gap(visits, now + timedelta(minutes=3)), worker_id)
            for worker_id, (_, visits) in phones.items()
        )
        free = [(at, w) for at, w in free if at <= now + CHECK_IN_WINDOW]
        clients = list(self.clients)
        for k, (start, worker_id) in enumerate(free[:count]):
            try:
                await self.advisor.mutate(
                    SCHEDULE,
                    "scheduleIntervention",
                    {
                        "clientId": clients[(k * 11) % len(clients)],
                        "workerId": worker_id,
                        "serviceTypeCode": "REGULAR_CLEANING",
                        "scheduledStart": start.isoformat(),
                        "scheduledEnd": (start + BOOKED).isoformat(),
                        "note": "Ajoutée par la simulation.",
                    },
                )
            except GraphQLFailure as refused:
                log.info("advisor could not book at %s (%s)", self.clock(start), refused)
                continue
            self.report.booked += 1
            log.info("advisor booked a visit at %s", self.clock(start))

    def clock(self, at: datetime) -> str:
        return at.astimezone(self.zone).strftime("%H:%M")

    def plan(self, phones: dict[str, tuple[Phone, list[dict[str, Any]]]]) -> None:
        pending = sorted(
            ((v, phone) for phone, visits in phones.values() for v in visits),
            key=lambda pair: pair[0]["scheduledStart"],
        )
        scheduled = [v for v, _ in pending if v["status"] == "SCHEDULED"]
        no_show = scheduled[0]["id"] if scheduled else None
        for n, (visit, phone) in enumerate(pending):
            start, end = _parse(visit["scheduledStart"]), _parse(visit["scheduledEnd"])
            if visit["id"] == no_show:
                log.info("%s will not come (no-show) at %s", phone.email, self.clock(start))
                continue
            if visit["status"] not in ("SCHEDULED", "IN_PROGRESS"):
                continue  # already over
            if visit["status"] == "SCHEDULED":
                late = n % 3 == 2
                delay = self.rng.randint(20, 35) if late else self.rng.randint(-8, 4)
                early = n % 9 == 4  # before the agency allows: flagged on the day board
                delay = -self.rng.randint(25, 40) if early else delay
                # Late for real when the slot starts soon, so the dashboard sees it late.
                soon = start - self.started_real < timedelta(minutes=15)
                how = " late" if late else " early" if early else ""
                self.at(
                    start + timedelta(minutes=delay),
                    f"{phone.email} checks in{how}",
                    self.attend(phone, visit, arriving=True),
                    not_before=start + timedelta(minutes=2) if late and soon else self.started_real,
                )
                start = start + timedelta(minutes=max(delay, 0))
            leave = max(
                end + timedelta(minutes=self.rng.randint(-5, 8)), start + timedelta(minutes=30)
            )
            self.at(leave, f"{phone.email} checks out", self.attend(phone, visit, arriving=False))
        first = self.sim_now()
        self.at(first + timedelta(minutes=30), "a client writes", self.send_message)
        self.at(first + timedelta(minutes=45), "a reschedule request", self.request_change)
        self.at(first + timedelta(minutes=60), "a premium household asks for a call-back",
                lambda: care.ask_callback(self))  # fmt: skip

    def attend(
        self, phone: Phone, visit: dict[str, Any], *, arriving: bool
    ) -> Callable[[], Awaitable[None]]:
        name = "checkIn" if arriving else "checkOut"
        query = ATTEND % (name[0].upper() + name[1:], name)

        async def run() -> None:
            key = f"sim-{name}-{visit['id']}"
            await phone.mutate(query, name, {"interventionId": visit["id"], "idempotencyKey": key})
            if arriving:
                self.report.check_ins += 1
            else:
                self.report.check_outs += 1
                if not self.rated:
                    self.rated = True
                    try:
                        await self.rate(visit)
                    except GraphQLFailure as refused:
                        log.info("the rating was refused (%s)", refused)

        return run

    async def rate(self, visit: dict[str, Any]) -> None:
        email = self.clients.get(visit["client"]["id"])
        if email is None:
            return
        household = await Phone(self.http, email).sign_in(DEMO_PASSWORD)
        comment = "Très bon passage, merci !"
        await household.mutate(
            RATE,
            "rateIntervention",
            {"interventionId": visit["id"], "score": 5, "comment": comment},
        )
        self.report.ratings += 1
        log.info("%s rated the visit 5/5", email)
        self.at(self.sim_now() + timedelta(minutes=20), "a household reports damage",
                lambda: care.report_damage(self, household, visit))  # fmt: skip

    async def send_message(self) -> None:
        await write_and_answer(self)

    async def request_change(self) -> None:
        await ask_new_slot_and_review(self)

    def skip(self, reason: str) -> None:
        self.report.skipped.append(reason)
        log.info("skipped: %s", reason)

    def wait(self, step: Step, sim_now: datetime, real_now: datetime) -> float:
        """Real seconds until both clocks allow the step."""
        on_sim = (step.at - sim_now).total_seconds() / 60 / self.speed
        if self.warp is not None:  # one clock for the server and the phones
            return max(on_sim, 0.0)
        return max(on_sim, (step.not_before - real_now).total_seconds(), 0.0)

    async def play(self, until: float) -> None:
        """Runs the steps as the simulated clock reaches them, for at most `until` seconds."""
        deadline = time.monotonic() + until
        while self.steps and time.monotonic() < deadline:
            sim_now, real_now = self.sim_now(), datetime.now(UTC)
            waits = [(self.wait(s, sim_now, real_now), s) for s in self.steps]
            pause, step = min(waits)
            if pause > 0:
                await asyncio.sleep(min(pause, deadline - time.monotonic(), 1.0))
                continue
            self.steps.remove(step)
            try:
                await step.run()
                log.info("%s  %s", self.clock(self.sim_now()), step.label)
            except GraphQLFailure as refused:
                log.info("%s refused (%s)", step.label, refused)
                if refused.code in {"TOO_EARLY", "NOT_CHECKED_IN"}:  # tried again a bit later
                    self.at(step.at + timedelta(minutes=10), step.label, step.run)
            except httpx.HTTPError as exc:
                log.warning("%s: server unreachable (%s), retrying", step.label, exc)
                self.at(step.at + timedelta(minutes=1), step.label, step.run)


async def simulate(url: str, speed: float, duration: float, seed: int = 7) -> Report:
    """Plays the rest of today; returns what was done through the API."""
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        sim = Simulation(http, speed, seed)
        await sim.prepare()
        log.info("%d steps to play at %g simulated minutes per second", len(sim.steps), speed)
        await sim.play(duration)
    return sim.report
