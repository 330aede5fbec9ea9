"""One document, three ways of answering it, one database, one viewer.

- `planned`: the schema the app serves: the planner first (schema/engine/planner.py),
  then graphql-core with the fast completion (schema/engine/execution.py);
- `fast`: the same schema without the planner, so the fast completion answers every
  document, the planned ones included;
- `plain`: strawberry's own execution of graphql-core, no planner (`build_schema(plain=True)`),
  the reference the other two must give exactly.

Each execution gets a fresh context (its own DataLoaders) for the same viewer, as two
HTTP requests with the same token would. Answers are compared as the JSON a client
reads: data with its keys in order, errors (message, locations, path, extensions) and
the cost report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from models.accounts.people import Client
from models.ratings import Rating
from models.visits.visits import Intervention, ServiceType
from resolvers.accounts import sessions
from resolvers.core.errors import Unauthenticated
from resolvers.core.runtime import RequestMeta, Runtime, Viewer
from resolvers.visits import calendar
from schema import PassageSchema, build_schema
from schema.core.context import Context
from schema.core.ids import cursor_for, to_global_id
from services import clock
from services.config import Settings
from tests.client import Api
from tests.factories import Agency, pk, setup_agency
from tests.visits.factories import setup_elsewhere, visits_in_every_state

# A day no other test plans anything on: the home agency's staff see only these visits.
DAY = datetime(2035, 3, 14, 6, tzinfo=UTC)


@dataclass
class Paths:
    planned: PassageSchema
    fast: PassageSchema
    plain: PassageSchema

    @classmethod
    def build(cls, settings: Settings) -> Paths:
        planned = build_schema(settings)
        fast = build_schema(Settings(**{**settings.__dict__, "planned_queries": False}))
        plain = build_schema(settings, plain=True)
        assert planned.planner is not None and fast.planner is None and plain.planner is None
        assert plain.execution_context_class is StrawberryGraphQLCoreExecutionContext
        return cls(planned, fast, plain)

    @property
    def answered(self) -> int:
        assert self.planned.planner is not None  # whole, or its planned roots beside others
        return self.planned.planner.answered + self.planned.planner.partly


@dataclass
class Viewing:
    """What a request's token gives: a viewer, nobody, or a token refused."""

    viewer: Viewer | None
    bad_token: bool


async def viewing(runtime: Runtime, token: str | None) -> Viewing:
    """The viewer of `token`, found as the GraphQL view finds it (web/graphql.py)."""
    meta = _meta()
    try:
        viewer = await sessions.viewer_from_token(
            runtime, f"Bearer {token}" if token else None, meta
        )
    except Unauthenticated:
        return Viewing(None, True)
    return Viewing(viewer, False)


def _meta() -> RequestMeta:
    return RequestMeta(address="127.0.0.1", user_agent="differential")


def as_json(result: Any) -> str:
    """An answer as a client reads it, keys in order; an exception by its type and message."""
    if isinstance(result, BaseException):
        return f"raised {type(result).__name__}: {result}"
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    body["data"] = result.data
    if result.extensions:
        body["extensions"] = result.extensions
    return orjson.dumps(body, option=orjson.OPT_INDENT_2).decode()


@dataclass
class Comparison:
    planned: str
    fast: str
    plain: str
    taken: bool  # the planner answered it
    several_roots: bool  # the document selects more than one root field

    def same(self) -> bool:
        return self._same(self.planned, self.plain) and self._same(self.fast, self.plain)

    def _same(self, found: str, expected: str) -> bool:
        if found == expected or (self.several_roots and _raced(found, expected)):
            return True
        return _signed_alike(found, expected)

    def report(self, document: str, variables: Any, viewer: str) -> str:
        lines = [f"viewer: {viewer}", f"variables: {variables!r}", document]
        for name in ("planned", "fast", "plain"):
            lines.append(f"--- {name}{' (planner)' if name == 'planned' and self.taken else ''}")
            lines.append(getattr(self, name))
        return "\n".join(lines)


_SIGNED = re.compile(r"expires=(\d+)&signature=[0-9a-f]+")


def _signed_alike(found: str, expected: str) -> bool:
    """The same answer but for signed links made a second apart: a link expires a fixed
    time after it is made (on the wall clock), so two executions on either side of a
    second's boundary sign different expiries."""
    mine, theirs = _SIGNED.findall(found), _SIGNED.findall(expected)
    if not mine or len(mine) != len(theirs):
        return False
    if any(abs(int(a) - int(b)) > 2 for a, b in zip(mine, theirs, strict=True)):
        return False
    return _SIGNED.sub("signed", found) == _SIGNED.sub("signed", expected)


def _raced(found: str, expected: str) -> bool:
    """Two non-null root fields that both fail: graphql-core runs them concurrently and
    reports the error of the one that fails first (on PostgreSQL, whichever query comes
    back first), with `data` null. Either answer is graphql-core's own, the plain
    execution's too, so they are the same answer for this comparison."""
    try:
        one, other = json.loads(found), json.loads(expected)
    except ValueError:
        return False

    def root_failed(answer: dict[str, Any]) -> bool:
        errors = answer.get("errors") or []
        return answer.get("data") is None and len(errors) == 1 and len(errors[0]["path"]) == 1

    return (
        root_failed(one) and root_failed(other) and one.get("extensions") == other.get("extensions")
    )


def _several_roots(document: str) -> bool:
    try:
        parsed = parse(document)
    except GraphQLError:
        return False
    return any(
        isinstance(d, OperationDefinitionNode)
        and (
            len(d.selection_set.selections) > 1
            or not isinstance(d.selection_set.selections[0], FieldNode)
        )
        for d in parsed.definitions
    )


async def compare(
    paths: Paths,
    runtime: Runtime,
    who: Viewing,
    document: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> Comparison:
    async def run(schema: PassageSchema) -> str:
        context = Context(
            runtime=runtime, meta=_meta(), maybe_viewer=who.viewer, bad_token=who.bad_token
        )
        try:
            result: Any = await schema.execute(
                document,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
            )
        except Exception as exc:  # both must raise the same, then
            result = exc
        return as_json(result)

    # The three answers are given at one instant: what reads the clock (a signed link's
    # expiry, "late") must not differ because a second passed between them.
    standing = clock.current_warp()
    now = clock.utcnow()
    clock.set_warp(clock.Warp(now, now, 0.0))
    try:
        before = paths.answered
        planned = await run(paths.planned)
        taken = paths.answered > before
        fast, plain = await run(paths.fast), await run(paths.plain)
    finally:
        clock.set_warp(standing)
    return Comparison(planned, fast, plain, taken, _several_roots(document))


# --- The world the documents read --------------------------------------------------------------


@dataclass
class World:
    """Two agencies' teams, a day of visits in every state, and values to ask with."""

    tokens: dict[str, str | None]
    viewings: dict[str, Viewing]
    home: Agency
    elsewhere: Agency
    home_visits: list[str]  # global ids, in slot order; the last has no worker
    foreign_visits: list[str]
    ids: dict[str, str] = field(default_factory=dict)  # other ids by what they name
    cursors: list[str] = field(default_factory=list)  # calendar positions and event cursors


async def _day_of_visits(team: Agency, count: int) -> list[Intervention]:
    """Visits in every state on DAY (the last one has no worker), and ratings of two."""
    # In slot order, the last one unassigned; two (12 and 13) share their slot.
    starts = [DAY + timedelta(minutes=55 * (i - (i == 13))) for i in range(count)]
    visits = await visits_in_every_state(team, starts)
    client = await Client.get(id=pk(team.client_id))
    moment = DAY + timedelta(hours=20)
    for visit, score in zip(visits[:2], (5, 2), strict=True):
        await Rating.create(
            intervention=visit,
            client=client,
            worker_id=visit.worker_id,  # type: ignore[attr-defined]
            agency_id=client.agency_id,
            score=score,
            comment="Parfait" if score > 3 else "Vitres oubliées",
            created_at=moment,
            updated_at=moment,
        )
    return visits


async def seed_world(api: Api, settings: Settings, home_agency: int, runtime: Runtime) -> World:
    home = await setup_agency(api, settings, home_agency)
    elsewhere = await setup_elsewhere(api, settings)
    mine = await _day_of_visits(home, 15)
    theirs = await _day_of_visits(elsewhere, 3)
    tokens: dict[str, str | None] = {
        "client": home.client_token,
        "worker": home.worker_token,
        "staff": home.staff_token,
        "other client": elsewhere.client_token,
        "other staff": elsewhere.staff_token,
        "anonymous": None,
        "bad token": "pas_not-a-token",
    }
    world = World(
        tokens=tokens,
        viewings={name: await viewing(runtime, token) for name, token in tokens.items()},
        home=home,
        elsewhere=elsewhere,
        home_visits=[to_global_id("Intervention", v.id) for v in mine],
        foreign_visits=[to_global_id("Intervention", v.id) for v in theirs],
    )
    service = await ServiceType.get(code="WINDOWS")
    rating = await Rating.get(intervention_id=mine[0].id)
    client = await Client.get(id=pk(home.client_id)).prefetch_related("account")
    world.ids = {
        "client": home.client_id,
        "worker": home.worker_id,
        "other client": elsewhere.client_id,
        "other worker": elsewhere.worker_id,
        "service type": to_global_id("ServiceType", service.id),
        "rating": to_global_id("Rating", rating.id),
        "account": to_global_id("Account", client.account.id),
        "absent visit": to_global_id("Intervention", 2_000_000_000),
        "pk past 32 bits": to_global_id("Intervention", 2**31),
        "unknown type": to_global_id("Nothing", mine[0].id),
        "garbage": "pas-un-identifiant",
        "empty": "",
    }
    positions = [calendar.encode_position(v.scheduled_start, v.id) for v in mine]
    world.cursors = [*positions[::3], cursor_for(1), "garbage", "1.x", "", "-5.3"]
    return world
