"""What the change requests' rules read (resolvers/requests/rules.py), for one request or a
page of them in a fixed number of statements: the visits and weekly plans they are about,
the visits an absence offered, a household's usual worker, and the workers' busy visits
(for a page's new slots and new durations, a column of the page's own statement).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.expressions import RawSQL
from tortoise.functions import Max

from models.enums import ChangeRequestKind
from models.households.absences import AbsenceVisit
from models.requests import ChangeRequest
from models.visits.visits import Intervention, RecurringPlan
from resolvers.agency.policy import rule_settings
from resolvers.core.prepared import PreparedRows, get_many, listed, numbered, utc
from resolvers.requests.rules import Context, slots_to_check
from resolvers.visits.planning import ACTIVE

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


def next_busy_column() -> RawSQL:
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
    their visits an absence `offered`, and the `next_busy_column()` of the requests of a
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
