"""The rules a change request must pass, evaluated for a page of requests at once.

Rules (seed: "validation immédiate par l'agence" when they all pass):
EDITABLE the visit has not started, NOTICE the agency's minimum notice is respected,
OPENING_HOURS the new slot lies in the agency's service hours, WORKER_FREE the worker
has no other visit then. What they read, for a page in a fixed number of statements,
is resolvers/requests/rule_context.py.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from models.enums import ChangeRequestKind, InterventionStatus
from models.requests import ChangeRequest
from models.visits.visits import Intervention, RecurringPlan
from resolvers.agency.opening_hours import Span
from resolvers.agency.policy import Policy, within

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
    # By request id, for requests whose one slot is their visit's, read with the page
    # (resolvers/requests/rule_context.py, `next_busy_column`): the earliest start of the
    # worker's other busy visits ending after the slot starts (None: none). Their slot is
    # not among those `busy` was read for.
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


def passes(checks: list[RuleCheck]) -> bool:
    return all(check.passed for check in checks)
