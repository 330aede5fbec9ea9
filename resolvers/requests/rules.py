"""The rules a change request must pass, evaluated for a page of requests at once.

Rules (seed: "validation immédiate par l'agence" when they all pass):
EDITABLE the visit has not started, NOTICE the agency's minimum notice is respected,
OPENING_HOURS the new slot lies in the agency's service hours, WORKER_FREE the worker
has no other visit then. Everything a page needs is read in a fixed number of queries.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from tortoise.expressions import RawSQL
from tortoise.functions import Max

from models.enums import ChangeRequestKind, InterventionStatus
from models.households.absences import AbsenceVisit
from models.requests import ChangeRequest
from models.visits.visits import Intervention, RecurringPlan
from resolvers.agency.opening_hours import Span
from resolvers.agency.policy import Policy, rule_settings, within
from resolvers.core.prepared import PreparedRows, get_many, listed, numbered, utc
from resolvers.visits.planning import ACTIVE

EDITABLE, NOTICE, OPENING_HOURS, WORKER_FREE = "EDITABLE", "NOTICE", "OPENING_HOURS", "WORKER_FREE"
VISIT_KINDS = frozenset(
    {
        ChangeRequestKind.NEW_SLOT,
        ChangeRequestKind.NEW_DURATION,
        ChangeRequestKind.CANCELLATION,
    }
)
PLAN_WEEKS = 4  # weeks of a changed plan checked against the worker's other visits


class RuleCheck(NamedTuple):  # a value: made a few times per request on a page
    rule: str
    passed: bool
    message: str


@dataclass(frozen=True)
class Slot:
    worker_id: int
    start: datetime
    end: datetime
    exclude_visit: int | None = None
    exclude_plan: int | None = None


@dataclass
class Context:
    """What evaluating requests of one agency needs, read once."""

    now: datetime
    policy: Policy
    tz: ZoneInfo
    spans: tuple[Span, ...]
    visits: dict[int, Intervention] = field(default_factory=dict)
    plans: dict[int, RecurringPlan] = field(default_factory=dict)
    usual_workers: dict[int, int] = field(default_factory=dict)
    busy: list[tuple[int, int, int | None, datetime, datetime]] = field(default_factory=list)
    # Visits an absence took out and offered for rescheduling, not yet rescheduled.
    offered: set[int] = field(default_factory=set)
    # Each request's slots to check, by the request object's identity (`slots_to_check`):
    # worked out once for reading the busy visits, reused to evaluate.
    slots: dict[int, list[Slot]] = field(default_factory=dict)
    # By request id, for requests whose one slot is their visit's (`ONE_VISIT`) read with
    # `next_busy()`: the earliest start of the worker's other busy visits ending after
    # the slot starts (None: none). Their slot is not among those `busy` was read for.
    next_busy: dict[int, datetime | None] = field(default_factory=dict)

    @functools.cached_property
    def earliest(self) -> datetime:
        """The earliest moment a change may be about: now plus the agency's notice."""
        return self.now + timedelta(hours=self.policy.min_notice_hours)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


def is_offered(request: ChangeRequest, ctx: Context) -> bool:
    """A new slot for a visit cancelled by an absence and offered for rescheduling."""
    return request.kind is ChangeRequestKind.NEW_SLOT and request.intervention_id in ctx.offered


def visit_of(request: ChangeRequest, ctx: Context) -> Intervention | None:
    return ctx.visits.get(request.intervention_id) if request.intervention_id else None


def plan_starts(ctx: Context, weekday: int, start_minute: int, first: date) -> list[datetime]:
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    wall = time(start_minute // 60, start_minute % 60)
    return [
        datetime.combine(day + timedelta(weeks=n), wall, tzinfo=ctx.tz).astimezone(UTC)
        for n in range(PLAN_WEEKS)
    ]


def new_slot(request: ChangeRequest, ctx: Context) -> tuple[datetime, datetime] | None:
    """The slot a request asks for (the first week's, for a plan change)."""
    kind = request.kind
    asked = request.requested_start, request.requested_end
    if kind in (ChangeRequestKind.EXTRA_VISIT, ChangeRequestKind.NEW_SLOT) and all(asked):
        return request.requested_start, request.requested_end  # type: ignore[return-value]
    visit = visit_of(request, ctx)
    if kind is ChangeRequestKind.NEW_DURATION and visit and request.duration_minutes:
        start = visit.scheduled_start
        return start, start + timedelta(minutes=request.duration_minutes)
    if kind is ChangeRequestKind.PLAN_CHANGE and request.valid_from is not None:
        first = plan_starts(
            ctx, request.weekday or 0, request.start_minute or 0, request.valid_from
        )[0]
        return first, first + timedelta(minutes=request.duration_minutes or 0)
    return None


def slots_to_check(request: ChangeRequest, ctx: Context) -> list[Slot]:
    """The slots whose worker must be free for `request` (set once the context holds its
    visits, plans and usual workers)."""
    found = ctx.slots.get(id(request))
    if found is None:
        found = ctx.slots[id(request)] = _slots_to_check(request, ctx)
    return found


def _slots_to_check(request: ChangeRequest, ctx: Context) -> list[Slot]:
    visit = visit_of(request, ctx)
    kind = request.kind
    if kind is ChangeRequestKind.PLAN_CHANGE:
        plan = ctx.plans.get(request.plan_id or 0)
        if plan is None or request.valid_from is None:
            return []
        length = timedelta(minutes=request.duration_minutes or 0)
        return [
            Slot(plan.worker_id, start, start + length, exclude_plan=plan.id)
            for start in plan_starts(
                ctx, request.weekday or 0, request.start_minute or 0, request.valid_from
            )
        ]
    slot = new_slot(request, ctx)
    if slot is None:
        return []
    if kind is ChangeRequestKind.EXTRA_VISIT:
        worker = ctx.usual_workers.get(request.client_id)
        return [Slot(worker, *slot)] if worker else []
    if visit is not None and visit.worker_id is not None:
        return [Slot(visit.worker_id, *slot, exclude_visit=visit.id)]
    return []


def worker_free(request: ChangeRequest, slots: list[Slot], ctx: Context) -> bool:
    """Whether the worker of each of `slots`, the request's, is free then."""
    if request.id in ctx.next_busy:
        first = ctx.next_busy[request.id]  # a visit's slot, looked up with the page
        return first is None or first >= slots[0].end
    return all(is_free(s, ctx) for s in slots)


def is_free(slot: Slot, ctx: Context) -> bool:
    return not any(
        worker == slot.worker_id
        and visit_id != slot.exclude_visit
        and (plan_id is None or plan_id != slot.exclude_plan)
        and start < slot.end
        and slot.start < end
        for visit_id, worker, plan_id, start, end in ctx.busy
    )


def evaluate(request: ChangeRequest, ctx: Context) -> list[RuleCheck]:
    checks: list[RuleCheck] = []
    kind = request.kind
    visit = visit_of(request, ctx)
    offered = visit is not None and is_offered(request, ctx)
    if visit is not None:
        editable = offered or (
            visit.status is InterventionStatus.SCHEDULED and visit.scheduled_start > ctx.now
        )
        checks.append(
            RuleCheck(
                EDITABLE,
                editable,
                "" if editable else "L'intervention a commencé, est passée ou annulée.",
            )
        )
    earliest = ctx.earliest
    moments = [visit.scheduled_start] if visit is not None and not offered else []
    slot = new_slot(request, ctx)
    if slot is not None and kind is not ChangeRequestKind.NEW_DURATION:
        moments.append(slot[0])
    if kind is ChangeRequestKind.PLAN_CHANGE and request.valid_from is not None:
        moments = [datetime.combine(request.valid_from, time(0), tzinfo=ctx.tz)]
    in_time = all(moment >= earliest for moment in moments)
    hours = ctx.policy.min_notice_hours
    checks.append(
        RuleCheck(
            NOTICE,
            in_time,
            "" if in_time else f"Les changements se demandent {hours} h à l'avance au moins.",
        )
    )
    if slot is not None:
        start, end = ctx.local(slot[0]), ctx.local(slot[1])
        opened = start.date() == end.date() and within(
            ctx.spans, start.weekday(), start.time(), end.time()
        )
        checks.append(
            RuleCheck(
                OPENING_HOURS,
                opened,
                "" if opened else "Ce créneau est en dehors des horaires de l'agence.",
            )
        )
    slots = slots_to_check(request, ctx)
    if kind is ChangeRequestKind.EXTRA_VISIT and not slots:
        checks.append(
            RuleCheck(WORKER_FREE, False, "Pas d'intervenant habituel : l'agence en choisira un.")
        )
    elif slots:
        free = worker_free(request, slots, ctx)
        checks.append(
            RuleCheck(
                WORKER_FREE, free, "" if free else "L'intervenant est déjà pris sur ce créneau."
            )
        )
    return checks


# What the rules read of a request, of its visit and of its weekly plan.
REQUEST_COLUMNS = (
    "id",
    "kind",
    "client_id",
    "intervention_id",
    "plan_id",
    "requested_start",
    "requested_end",
    "duration_minutes",
    "weekday",
    "start_minute",
    "valid_from",
)
VISIT_COLUMNS = ("id", "status", "scheduled_start", "worker_id")
PLAN_COLUMNS = ("id", "worker_id")

# The kinds whose one slot is their visit's, taken by its worker (`_slots_to_check`):
# from the requested start for a new slot, from the visit's own for a new duration.
ONE_VISIT = (ChangeRequestKind.NEW_SLOT, ChangeRequestKind.NEW_DURATION)
_QUOTED = {
    name: ",".join(f"'{member.value}'" for member in members)
    for name, members in (("active", ACTIVE), ("kinds", ONE_VISIT))
}
# Such a slot [start, end) is free exactly when the earliest start of the worker's other
# busy visits that end after `start` is at or after `end` (or there is none): a column of
# the page's own statement, so that the page's rules need no statement of their own.
# Written for `change_request` rows (both databases: constants and the table's name only).
_NEXT_BUSY = (
    'SELECT MIN(b."scheduled_start") FROM "intervention" b'  # noqa: S608 - enums' values
    ' JOIN "intervention" v ON v."worker_id"=b."worker_id"'
    ' WHERE v."id"="change_request"."intervention_id" AND b."id"<>v."id"'
    f' AND b."status" IN ({_QUOTED["active"]})'
    f' AND "change_request"."kind" IN ({_QUOTED["kinds"]})'
    ' AND b."scheduled_end">CASE "change_request"."kind"'
    f" WHEN '{ChangeRequestKind.NEW_SLOT.value}'"
    ' THEN "change_request"."requested_start" ELSE v."scheduled_start" END'
)


def next_busy() -> RawSQL:
    """A column of `change_request` rows for `context_for`'s `next_busy` (the text as
    the database gives it: `utc` reads it)."""
    return RawSQL(f"({_NEXT_BUSY})")


# The statements of a page's context, written once per shape (resolvers/core/prepared.py).
_VISITS = PreparedRows(Intervention, VISIT_COLUMNS)
_PLANS = PreparedRows(RecurringPlan, PLAN_COLUMNS)
_OFFERED = PreparedRows(AbsenceVisit, ("intervention_id", "to_reschedule"))
_WORKERS = PreparedRows(Intervention, ("client_id", "worker_id"))
_PLAN_WORKERS = PreparedRows(RecurringPlan, ("client_id", "worker_id"))
_BUSY = PreparedRows(
    Intervention, ("id", "worker_id", "recurring_plan_id", "scheduled_start", "scheduled_end")
)


async def usual_workers(client_ids: Iterable[int]) -> dict[int, int]:
    """The worker of each client's latest weekly plan, or else of its latest visit."""
    ids = numbered("client", sorted(set(client_ids)))
    found: dict[int, int] = {}
    if not ids:
        return found
    # Per client and worker, their latest visit: not every visit the client ever had.
    visits = await _WORKERS.fetch(
        ("latest visit", len(ids)),
        lambda v: (
            Intervention.filter(
                client_id__in=listed(v, "client", len(ids)), worker_id__isnull=False
            )
            .annotate(latest=Max("scheduled_start"))
            .group_by("client_id", "worker_id")
        ),
        ids,
        ("client_id", "worker_id", "latest"),
    )
    for row in sorted(visits, key=lambda r: (utc(r["latest"]), r["worker_id"])):
        found[row["client_id"]] = row["worker_id"]
    plans = await _PLAN_WORKERS.fetch(
        ("plans", len(ids)),
        lambda v: RecurringPlan.filter(client_id__in=listed(v, "client", len(ids))).order_by("id"),
        ids,
    )
    found.update((row["client_id"], row["worker_id"]) for row in plans)
    return found


async def context_for(
    agency_id: int,
    requests: list[ChangeRequest],
    now: datetime,
    visits: Mapping[int, Intervention] | None = None,
    plans: Mapping[int, RecurringPlan] | None = None,
    offered: set[int] | None = None,
    next_busy: Mapping[int, datetime | None] | None = None,
) -> Context:
    """What evaluating `requests` needs; their `visits` and `plans` (by id), which of
    their visits an absence `offered`, and the `next_busy()` column of the requests of a
    `ONE_VISIT` kind (by request id), when the caller read them already (the visits and
    plans with at least the columns the rules read, with the requests)."""
    settings = await rule_settings(agency_id)
    ctx = Context(now, settings.policy, ZoneInfo(settings.time_zone), settings.spans)
    visit_ids = {r.intervention_id for r in requests if r.intervention_id}
    if visits is not None:
        ctx.visits = dict(visits)
    elif visit_ids:
        ctx.visits = {v.id: v for v in await get_many(Intervention, visit_ids, _VISITS)}
    # Only a new slot's visit may be one an absence offered (`is_offered`).
    new_slots = {
        r.intervention_id
        for r in requests
        if r.kind is ChangeRequestKind.NEW_SLOT and r.intervention_id
    }
    if offered is not None:
        ctx.offered = offered
    elif new_slots:
        count = len(new_slots)
        rows = await _OFFERED.fetch(
            ("offered", count),
            lambda v: AbsenceVisit.filter(
                intervention_id__in=listed(v, "visit", count), rescheduled_at=None
            ),
            numbered("visit", sorted(new_slots)),
        )
        ctx.offered = {int(row["intervention_id"]) for row in rows if row["to_reschedule"]}
    plan_ids = {r.plan_id for r in requests if r.plan_id}
    if plans is not None:
        ctx.plans = dict(plans)
    elif plan_ids:
        ctx.plans = {p.id: p for p in await get_many(RecurringPlan, plan_ids, _PLANS)}
    extra = [r.client_id for r in requests if r.kind is ChangeRequestKind.EXTRA_VISIT]
    ctx.usual_workers = await usual_workers(extra)
    if next_busy:
        ctx.next_busy = {
            r.id: next_busy[r.id]
            for r in requests
            if r.kind in ONE_VISIT and r.id in next_busy and slots_to_check(r, ctx)
        }
    slots = [s for r in requests if r.id not in ctx.next_busy for s in slots_to_check(r, ctx)]
    if slots:
        workers = numbered("worker", sorted({s.worker_id for s in slots}))
        inputs = {
            **workers,
            **numbered("status", ACTIVE),
            "before": max(s.end for s in slots),
            "after": min(s.start for s in slots),
        }
        rows = await _BUSY.fetch(
            ("busy", len(workers)),
            lambda v: Intervention.filter(
                worker_id__in=listed(v, "worker", len(workers)),
                status__in=listed(v, "status", len(ACTIVE)),
                scheduled_start__lt=v["before"],
                scheduled_end__gt=v["after"],
            ),
            inputs,
        )
        ctx.busy = [
            (
                r["id"],
                r["worker_id"],
                r["recurring_plan_id"],
                r["scheduled_start"],
                r["scheduled_end"],
            )
            for r in rows
        ]
    return ctx


def passes(checks: list[RuleCheck]) -> bool:
    return all(check.passed for check in checks)
