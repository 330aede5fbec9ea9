"""The planner and the fast completion answer every document exactly as graphql-core does.

Documents are generated from the schema (hypothesis): rooted at the planned fields
(`interventions`, `interventionHistory`, `intervention(id:)`), at `node(id:)` and other
roots (the read corpus's agency has invoices, conversations, change requests, ratings and
help articles), with random selections, nested objects, aliases (one field under two
names, one name from two merged selections), `__typename`, inline and named fragments (one
spread twice), `@include` and `@skip` on literals and variables, page sizes and cursors
valid or not, ids of visits the viewer may not see, of other types or of nothing, and now
and then a document graphql-core refuses. Each is answered three ways
(tests/engine/differential.py) for one of the viewers of the seeded worlds, then again
from warm caches with its conditions flipped and another viewer; the answers must be the
same JSON. The read corpus (bench/documents) is answered the same way, document by
document.

The default run is derandomized (the same 400 cases every time, about 9 s on SQLite);
`DIFFERENTIAL_EXAMPLES=3000` runs a longer, random search.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_required_argument,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bench.documents import CORPUS
from tests.engine.differential import DAY, Paths, World, compare, seed_world, viewing
from tests.factories import new_prefix, unique

EXAMPLES = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "0"))

# --- The seeded world, once for the module -------------------------------------------------------


@pytest.fixture(scope="module")
async def corpus_world(server) -> Any:
    """The read corpus's agency (bench/documents): invoices, conversations, requests, help."""
    from bench.documents import seed

    tag = unique("corpus")
    return await seed(name=f"Agence {tag}", prefix=new_prefix(), tag=tag)


@pytest.fixture(scope="module")
async def world(server, settings, home_agency, corpus_world) -> World:
    runtime = server.app.state.runtime
    seeded = await seed_world(server.api, settings, home_agency, runtime)
    for viewer in ("staff", "client", "worker"):
        token = corpus_world.token(viewer)
        seeded.tokens[f"corpus {viewer}"] = token
        seeded.viewings[f"corpus {viewer}"] = await viewing(runtime, token)
    return seeded


@pytest.fixture(scope="module")
def paths(server, settings) -> Paths:
    return Paths.build(settings)


# --- Values to ask with --------------------------------------------------------------------------


class Enum(str):
    """An enum value: written bare in a document, as a string in variables."""


def _iso(delta_hours: float) -> str:
    return (DAY + timedelta(hours=delta_hours)).isoformat()


WINDOWS = [
    (_iso(-6), _iso(18)),  # the day
    (_iso(4), _iso(9)),  # a few hours of it
    (_iso(-6 - 24 * 30), _iso(18 + 24 * 61)),  # 92 days: the longest
    (_iso(30), _iso(54)),  # the next day: nothing
]
BAD_WINDOWS = [
    (_iso(-6), _iso(18 + 24 * 92)),  # 93 days
    (_iso(18), _iso(-6)),  # backwards
    ("2035-03-14T00:00:00", _iso(18)),  # no time zone
    ("yesterday", _iso(18)),
]
# Help searches: words of the corpus's articles, stop words only, a word's start, nothing.
SEARCHES = ["crédit d'impôt", "Aspirateur parquet", "le la les", "tach", "   ", "zzzz", "facture"]
BAD_SEARCHES = ["x" * 201, "un deux trois quatre cinq six sept huit neuf"]
CATEGORIES = ["BILLING", "TAX_CREDIT", "FURNITURE_CARE", "VISITS"]
STATUSES = ["SCHEDULED", "IN_PROGRESS", "COMPLETED", "CANCELLED", "MISSED"]
GOOD_FIRSTS = [0, 1, 2, 3, 5, 20, 100]
BAD_FIRSTS = [-1, 101, 2**31 - 1]


@dataclass
class Pools:
    """What each argument may be given, valid first, then not."""

    good: dict[str, Callable[[Any], Any]]
    bad: dict[str, Callable[[Any], Any]]


def _pools(world: World, viewer: str) -> Pools:
    visible = world.home_visits if viewer in {"client", "staff"} else world.home_visits[:-1]

    def window(draw: Any, windows: list[tuple[str, str]]) -> dict[str, Any]:
        start, end = draw(st.sampled_from(windows))
        value: dict[str, Any] = {"from": start, "to": end}
        if draw(st.booleans()):
            value["status"] = [Enum(s) for s in draw(st.lists(st.sampled_from(STATUSES)))]
        if draw(st.integers(0, 3)) == 0:
            value["clientId"] = world.home.client_id
        if draw(st.integers(0, 3)) == 0:
            value["workerId"] = world.home.worker_id
        return value

    def bad_filter(draw: Any) -> dict[str, Any]:
        value = window(draw, WINDOWS + BAD_WINDOWS)
        key = draw(st.sampled_from(["clientId", "workerId", "from"]))
        if key != "from" or draw(st.booleans()):
            value[key] = draw(st.sampled_from(sorted(world.ids.values())))
        return value

    return Pools(
        good={
            "filter": lambda draw: window(draw, WINDOWS),
            "first": lambda draw: draw(st.sampled_from(GOOD_FIRSTS)),
            "after": lambda draw: draw(st.sampled_from([None, *world.cursors[:5]])),
            "id": lambda draw: draw(st.sampled_from(visible)),
            "node id": lambda draw: draw(
                st.sampled_from([*visible[:4], world.ids["client"], world.ids["service type"]])
            ),
            "Boolean": lambda draw: draw(st.booleans()),
            "search": lambda draw: draw(st.sampled_from(SEARCHES)),
            "category": lambda draw: Enum(draw(st.sampled_from(CATEGORIES))),
        },
        bad={
            "filter": bad_filter,
            "first": lambda draw: draw(st.sampled_from(BAD_FIRSTS)),
            "after": lambda draw: draw(st.sampled_from(world.cursors[5:])),
            "id": lambda draw: draw(
                st.sampled_from(
                    [*world.foreign_visits, *world.home_visits[-1:], *world.ids.values()]
                )
            ),
            "node id": lambda draw: draw(
                st.sampled_from([*world.foreign_visits, *world.ids.values()])
            ),
            "Boolean": lambda draw: draw(st.booleans()),
            "search": lambda draw: draw(st.sampled_from(BAD_SEARCHES)),
            "category": lambda draw: Enum(draw(st.sampled_from(CATEGORIES))),
        },
    )


def _pool_key(field_name: str, argument: str, type_: GraphQLInputType) -> str | None:
    if argument == "id" and field_name == "node":
        return "node id"
    if argument == "id" and field_name == "intervention":
        return "id"
    if argument in {"filter", "first", "after"}:
        return argument
    if field_name == "helpArticles" and argument in {"search", "category"}:
        return argument
    if get_named_type(type_).name == "Boolean":
        return "Boolean"
    return None


# --- Documents -----------------------------------------------------------------------------------

ROOTS = [
    "interventions",
    "interventions",
    "interventionHistory",
    "intervention",
    "intervention",
    "node",
    "node",
    "me",
    "serviceTypes",
    "myRatings",
    "interventionEventsCursor",
    "clients",
]
# Roots the corpus's agency has rows for (its viewers mostly ask them).
CORPUS_ROOTS = [
    "invoices",
    "helpArticles",
    "pendingChangeRequests",
    "myChangeRequests",
    "conversations",
    "conversationsAwaitingReply",
    "myConversation",
    "ratings",
    "ratingFollowUps",
    "myHousehold",
]
ROOTS += CORPUS_ROOTS
PLANNED = ["interventions", "interventionHistory", "intervention"]
# Types `node(id:)` is asked about with inline fragments (any other may come too).
NODE_TYPES = ["Intervention", "Client", "Worker", "ServiceType", "Account", "Rating"]
# Fields read with graphql-core whatever the document: never in a document meant for the planner.
RESOLVED = {("Intervention", "anomalies")}
MAX_DEPTH = 4


@dataclass
class Case:
    document: str
    variables: dict[str, Any]
    viewer: str
    operation_name: str | None
    meant_for_planner: bool


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value)
    if isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"


def _json(value: Any) -> Any:
    if isinstance(value, Enum):
        return str(value)
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


class Writer:
    """Writes one document, drawing every choice from hypothesis."""

    def __init__(self, draw: Any, schema: GraphQLSchema, pools: Pools, planned: bool) -> None:
        self.draw = draw
        self.schema = schema
        self.pools = pools
        # Meant for the planner: one planned root, fields read from rows, no directive,
        # no fragment on another type, every value valid.
        self.planned = planned
        self.definitions: list[str] = []  # variable definitions
        self.variables: dict[str, Any] = {}
        self.fragments: list[str] = []
        # Fragments already written (name, type condition): never one being written, so
        # spreading one again makes no cycle.
        self.spreadable: list[tuple[str, str]] = []
        self.fragment_depth = 0
        self.invalid = False

    def chance(self, percent: int) -> bool:
        return bool(self.draw(st.integers(0, 99)) < percent)

    def variable(self, type_: GraphQLInputType, value: Any) -> str:
        name = f"v{len(self.definitions)}"
        declared = str(type_)
        if not isinstance(type_, GraphQLNonNull) and self.chance(20):
            # Given by its default rather than by the request.
            self.definitions.append(f"${name}: {declared} = {_literal(value)}")
            return f"${name}"
        self.definitions.append(f"${name}: {declared}")
        if self.planned or not self.chance(4):
            self.variables[name] = _json(value)
        # else: not given: graphql-core refuses a non-null one, a nullable one is null
        return f"${name}"

    def value(self, type_: GraphQLInputType, value: Any, depth: int = 0) -> str:
        """`value` as a literal, a variable, or (an input object) with variables inside."""
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if self.chance(35):
            return self.variable(type_, value)
        if isinstance(inner, GraphQLInputObjectType) and isinstance(value, dict):
            parts = [
                f"{key}: {self.value(inner.fields[key].type, item, depth + 1)}"
                for key, item in value.items()
            ]
            return "{" + ", ".join(parts) + "}"
        return _literal(value)

    def arguments(self, field_name: str, field: GraphQLField) -> str | None:
        """The arguments of a field, or None when a required one cannot be given."""
        given = []
        for name, argument in field.args.items():
            key = _pool_key(field_name, name, argument.type)
            required = is_required_argument(argument)
            if key is None:
                if required:
                    return None
                continue
            if not required and not self.chance(50):
                continue
            bad = not self.planned and self.chance(25)
            pool = (self.pools.bad if bad else self.pools.good)[key]
            value = pool(self.draw)
            if value is None and required:
                value = self.pools.good[key](self.draw)
            if not self.planned and self.chance(2):  # a literal of the wrong type
                given.append(f"{name}: {'[1]' if key == 'first' else '1.5'}")
                continue
            given.append(f"{name}: {self.value(argument.type, value)}")
        return f"({', '.join(given)})" if given else ""

    def directives(self) -> str:
        if self.planned or not self.chance(6):
            return ""
        name = self.draw(st.sampled_from(["include", "skip"]))
        if self.chance(50):
            condition = _literal(self.draw(st.booleans()))
        else:
            condition = self.variable(GraphQLNonNull(self.schema.type_map["Boolean"]), True)  # type: ignore[arg-type]
            self.variables[condition[1:]] = self.draw(st.booleans())
        return f" @{name}(if: {condition})"

    def selection_set(self, type_: Any, depth: int) -> str:
        count = self.draw(st.sampled_from([1, 1, 2, 2, 3, 4]))
        written: list[tuple[str, str, str]] = []  # response name, field name, arguments
        parts: list[str] = []
        for _ in range(count):
            if written and self.chance(12):
                # One response name from two selections, merged by graphql-core.
                key, name, arguments = self.draw(st.sampled_from(written))
                field = type_.fields[name]
                parts.append(self.field_text(key, name, arguments, field, depth))
                continue
            parts.append(self.selection(type_, depth, written))
        if not self.planned and self.chance(2):
            parts.append(self.draw(st.sampled_from(["nope", "id { x }", "__typename(a: 1)"])))
            self.invalid = True
        return "{ " + " ".join(parts) + " }"

    def selection(self, type_: Any, depth: int, written: list[tuple[str, str, str]]) -> str:
        # Fragments in fragments, three deep at most (they do not go down a level).
        nested = self.fragment_depth < 3
        kinds = ["field"] * 7 + [
            "typename",
            *(["inline", "bare inline", "named"] if nested else []),
        ]
        kind = self.draw(st.sampled_from(kinds))
        abstract = nested and isinstance(type_, GraphQLInterfaceType | GraphQLUnionType)
        if kind == "typename":
            alias = "kind: " if self.chance(20) else ""
            return f"{alias}__typename{self.directives()}"
        if kind in {"inline", "named"} or (abstract and self.chance(60)):
            condition = self.condition(type_)
            inner = self.schema.type_map[condition]
            again = [name for name, on in self.spreadable if on == condition]
            if kind == "named" and again and self.chance(40):
                # A fragment spread again (graphql-core collects it once).
                return f"...{self.draw(st.sampled_from(again))}{self.directives()}"
            body = self.fragment(inner, depth)
            if kind == "named":
                name = f"F{len(self.fragments)}"
                self.fragments.append(f"fragment {name} on {condition} {body}")
                self.spreadable.append((name, condition))
                return f"...{name}{self.directives()}"
            return f"... on {condition}{self.directives()} {body}"
        if kind == "bare inline":
            return f"...{self.directives()} {self.fragment(type_, depth)}"
        usable = self.usable(type_, depth)
        if not usable:
            return "__typename"
        name = self.draw(st.sampled_from(usable))
        field = type_.fields[name]
        arguments = self.arguments(name, field)
        assert arguments is not None
        key = name
        if self.chance(10 if self.planned else 25):
            # Two names for one field, now and then a name another field has.
            key = f"{name}{self.draw(st.integers(1, 2))}"
            if not self.planned and self.chance(15):
                key = "x"
        written.append((key, name, arguments))
        return self.field_text(key, name, arguments, field, depth)

    def fragment(self, type_: Any, depth: int) -> str:
        self.fragment_depth += 1
        try:
            return self.selection_set(type_, depth)
        finally:
            self.fragment_depth -= 1

    def field_text(
        self, key: str, name: str, arguments: str, field: GraphQLField, depth: int
    ) -> str:
        alias = "" if key == name else f"{key}: "
        inner = get_named_type(field.type)
        body = "" if is_leaf_type(inner) else " " + self.selection_set(inner, depth - 1)
        return f"{alias}{name}{arguments}{self.directives()}{body}"

    def condition(self, type_: Any) -> str:
        """A type condition on `type_`: itself, or (planned or not) what it may be."""
        if isinstance(type_, GraphQLObjectType):
            if self.planned or self.chance(75):
                return str(type_.name)
            return str(
                self.draw(st.sampled_from([i.name for i in type_.interfaces] or [type_.name]))
            )
        possible = [t.name for t in self.schema.get_possible_types(type_)]
        preferred = [name for name in NODE_TYPES if name in possible]
        if self.chance(10) or not preferred:
            return str(self.draw(st.sampled_from([type_.name, *possible])))
        return str(self.draw(st.sampled_from(preferred)))

    def usable(self, type_: Any, depth: int) -> list[str]:
        names = []
        for name, field in type_.fields.items():
            if self.planned and (type_.name, name) in RESOLVED:
                continue
            if depth <= 0 and not is_leaf_type(get_named_type(field.type)):
                continue
            if any(
                _pool_key(name, arg, a.type) is None and is_required_argument(a)
                for arg, a in field.args.items()
            ):
                continue
            names.append(name)
        return names


@st.composite
def cases(draw: Any, schema: GraphQLSchema, world: World) -> Case:
    planned = draw(st.integers(0, 99)) < 35
    roots = [draw(st.sampled_from(PLANNED if planned else ROOTS))]
    if planned:
        viewer = draw(st.sampled_from(["client", "worker", "staff"]))
    elif roots[0] in CORPUS_ROOTS and draw(st.integers(0, 4)):
        viewer = draw(st.sampled_from(["corpus staff", "corpus client", "corpus worker"]))
    else:
        viewer = draw(st.sampled_from([*world.tokens, "client", "staff"]))
    writer = Writer(draw, schema, _pools(world, viewer), planned)
    query = schema.query_type
    assert query is not None
    if not planned and draw(st.integers(0, 9)) == 0:
        roots.append(draw(st.sampled_from(ROOTS)))
    parts = []
    for root in roots:
        field = query.fields[root]
        arguments = writer.arguments(root, field)
        assert arguments is not None
        key = root if draw(st.booleans()) else draw(st.sampled_from(["page", "one", root + "2"]))
        parts.append(writer.field_text(key, root, arguments, field, MAX_DEPTH))
    name = (
        draw(st.sampled_from(["Q", "Calendar"]))
        if writer.definitions or draw(st.booleans())
        else None
    )
    head = f"query {name}" if name else ""
    if writer.definitions:
        head += "(" + ", ".join(writer.definitions) + ")"
    operations = [f"{head} {{ {' '.join(parts)} }}".strip()]
    operation_name = None
    if name and draw(st.integers(0, 9)) == 0:
        # A second operation: the request names the one to run (or forgets to).
        operations.append("query Other { __typename }")
        operation_name = name if planned or draw(st.integers(0, 4)) else None
    elif name and draw(st.integers(0, 9)) == 0:
        operation_name = name
    elif not planned and draw(st.integers(0, 29)) == 0:
        operation_name = "Nope"  # no operation of that name
    definitions = operations + writer.fragments
    document = "\n".join(draw(st.permutations(definitions)))
    return Case(document, writer.variables, viewer, operation_name, planned and not writer.invalid)


# --- The tests -----------------------------------------------------------------------------------


async def test_fixed_documents_are_answered_the_same(paths, world, server):
    """A few documents written by hand, so a broken generator cannot hide everything."""
    runtime = server.app.state.runtime
    window = {"from": WINDOWS[0][0], "to": WINDOWS[0][1]}
    documents = [
        (
            "query($w: InterventionFilter!) { interventions(filter: $w, first: 4) { edges "
            "{ cursor node { id again: id status worker { displayName } } } pageInfo "
            "{ hasNextPage endCursor } } }",
            {"w": window},
            True,
        ),
        (
            "query($id: ID!) { intervention(id: $id) { ...V address { city } } }"
            " fragment V on Intervention { __typename id late actualMinutes }",
            {"id": world.home_visits[0]},
            True,
        ),
        ("{ interventionHistory(first: 2) { edges { node { id status } } } }", {}, True),
        (
            "query($id: ID!) { node(id: $id) { __typename id ... on Intervention { status "
            "rating { score } } } }",
            {"id": world.home_visits[0]},
            True,
        ),
        (
            "query($id: ID!) { node(id: $id) { __typename id ... on Intervention { status "
            "anomalies { kind } } } }",
            {"id": world.home_visits[0]},
            False,
        ),
    ]
    before = paths.answered
    for document, variables, planned in documents:
        found = await compare(paths, runtime, world.viewings["client"], document, variables)
        assert found.same(), found.report(document, variables, "client")
        assert found.taken is planned, found.report(document, variables, "client")
        assert '"errors"' not in found.plain, found.plain
    assert paths.answered == before + 4


# Documents meant for the planner, and how many of them it took.
TAKEN = [0, 0]


@settings(
    max_examples=EXAMPLES or 400,
    deadline=None,
    derandomize=not EXAMPLES,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_generated_documents_are_answered_the_same(paths, world, server, data):
    case = data.draw(cases(paths.plain._schema, world), label="case")
    found = await compare(
        paths,
        server.app.state.runtime,
        world.viewings[case.viewer],
        case.document,
        case.variables,
        case.operation_name,
    )
    report = found.report(case.document, case.variables, case.viewer)
    event("answered by " + ("the planner" if found.taken else "graphql-core"))
    if '"errors"' not in found.plain and len(found.plain) > 1000:
        event("an answer over 1 kB")
    if found.plain.startswith("{"):
        for error in json.loads(found.plain).get("errors", []):
            event(f"error {error.get('extensions', {}).get('code')}")
            if len(error.get("path") or ()) > 1:
                event("an error below the root field")
    assert found.same(), report
    # Meant for it and answered without error (not over a limit, say): the planner's.
    if case.meant_for_planner and '"errors"' not in found.plain:
        TAKEN[0] += 1
        TAKEN[1] += found.taken
        assert found.taken, "the planner did not take it\n" + report
    # The same text again, from what the first request left in the caches (parsed
    # documents, plans, compiled completers): conditions flipped, another viewer.
    flipped = {k: not v if isinstance(v, bool) else v for k, v in case.variables.items()}
    viewer = data.draw(st.sampled_from(sorted(world.viewings)), label="second viewer")
    again = await compare(
        paths,
        server.app.state.runtime,
        world.viewings[viewer],
        case.document,
        flipped,
        case.operation_name,
    )
    assert again.same(), again.report(case.document, flipped, viewer)


def test_the_planner_took_the_documents_meant_for_it():
    """Otherwise the test above compared graphql-core with itself."""
    assert TAKEN[0] > 20 and TAKEN[1] == TAKEN[0], TAKEN


# --- The read corpus (bench/documents) ------------------------------------------------------------


# The corpus's documents the planner answers, whole or their planned roots beside others
# (the rest have only roots it leaves to graphql-core): if one stops being planned, this
# test says so.
CORPUS_PLANNED = {
    "calendar_ratings",
    "conversations_waiting",
    "history",
    "day_board",
    "worker_day",
    "visit_detail",
    "pending_requests",
    "dashboard_first_load",
    "household_home",
    "invoices",
    "payment_statement",
    "help_search",
    "nodes",
    "rating_follow_ups",
}


@pytest.mark.parametrize("document", CORPUS, ids=lambda d: d.name)
async def test_the_read_corpus_is_answered_the_same(paths, server, corpus_world, document):
    runtime = server.app.state.runtime
    who = await viewing(runtime, corpus_world.token(document.viewer))
    variables = document.variables(corpus_world)
    found = await compare(paths, runtime, who, document.text, variables)
    report = found.report(document.text, variables, document.viewer)
    assert found.same(), report
    assert '"errors"' not in found.plain and '"data": null' not in found.plain, report
    assert found.taken is (document.name in CORPUS_PLANNED), report


@pytest.mark.parametrize("viewer", ["client", "staff"])
async def test_help_searches_are_answered_the_same(paths, server, corpus_world, viewer):
    """The planned help search, page after page, with and without words or a category:
    the same articles in the same order as graphql-core's (drafts for the staff only)."""
    runtime = server.app.state.runtime
    who = await viewing(runtime, corpus_world.token(viewer))
    document = (
        "query($s: String, $c: HelpCategoryCode, $after: String) { helpArticles(search: $s, "
        "category: $c, first: 3, after: $after) { edges { cursor node { id slug status shared "
        "title kind category bodyHtml updatedAt } } pageInfo { hasNextPage endCursor } } }"
    )
    seen = 0
    for search in (None, "crédit d'impôt", "aspirateur tache", "le la"):
        for category in (None, "TAX_CREDIT"):
            after = None
            for _ in range(4):
                variables = {"s": search, "c": category, "after": after}
                found = await compare(paths, runtime, who, document, variables)
                report = found.report(document, variables, viewer)
                assert found.same(), report
                assert found.taken and '"errors"' not in found.plain, report
                page = json.loads(found.plain)["data"]["helpArticles"]
                seen += len(page["edges"])
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
    assert seen > 20
    # Every shape read was written once by Tortoise, then reused (resolvers/core/prepared.py).
    from resolvers.help import articles

    rows = articles._ARTICLES
    assert rows._prepared and all(p is not None for p in rows._prepared.values())
