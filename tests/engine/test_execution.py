"""The fast completion of plain data answers exactly what graphql-core answers."""

from __future__ import annotations

import enum
import gc
import weakref
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from graphql import execute_sync, parse
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.engine.execution import FastExecutionContext


@strawberry.enum
class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tag:
    label: str
    colour: Colour


@strawberry.type
class Item(Named):
    id: strawberry.ID
    count: int
    ratio: float | None
    when: datetime
    tags: list[Tag]
    best: Tag | None
    flag: bool

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Page:
    items: list[Item]
    named: list[Named]


def _item(i: int, **overrides: Any) -> Item:
    values: dict[str, Any] = {
        "id": strawberry.ID(f"i{i}"),
        "name": f"item {i}",
        "count": i,
        "ratio": i / 4 if i % 2 else None,
        "when": datetime(2030, 1, i + 1, 8, tzinfo=UTC),
        "tags": [Tag(label=f"t{i}", colour=Colour.RED), Tag(label="b", colour=Colour.BLUE)],
        "best": Tag(label="best", colour=Colour.BLUE) if i % 3 else None,
        "flag": bool(i % 2),
    }
    values.update(overrides)
    return Item(**values)


PAGES: dict[str, Page] = {}


@strawberry.type
class Query:
    @strawberry.field
    def page(self, kind: str = "plain") -> Page:
        return PAGES[kind]


PAGES["plain"] = Page(items=[_item(i) for i in range(5)], named=[_item(9)])
# A non-null field holding null: graphql-core nulls the nearest nullable parent.
PAGES["null"] = Page(items=[_item(0), _item(1, count=None)], named=[])
# A value the scalar refuses.
PAGES["refused"] = Page(items=[_item(0, count="many")], named=[])
# A tuple and a generator where lists are expected.
PAGES["iterables"] = Page(items=tuple(_item(i) for i in range(2)), named=[])  # type: ignore[arg-type]
PAGES["generator"] = Page(items=(_item(i) for i in range(2)), named=[])  # type: ignore[arg-type]

QUERIES = [
    """query($kind: String!) { page(kind: $kind) { items {
        __typename id name count ratio when flag shout
        tags { label colour } first: best { label } again: best { colour }
    } named { __typename name ... on Item { count } } } }""",
    """query($kind: String!, $skip: Boolean = true) { page(kind: $kind) {
        items { id ...F tags @skip(if: $skip) { label } } } }
       fragment F on Item { name best { ... on Tag { label colour } } }""",
]


def _schema(execution_context_class: Any) -> strawberry.Schema:
    return strawberry.Schema(query=Query, execution_context_class=execution_context_class)


@pytest.mark.parametrize("kind", sorted(PAGES))
@pytest.mark.parametrize("query", QUERIES)
def test_the_fast_path_answers_like_graphql_core(kind, query):
    if kind == "generator":
        PAGES[kind] = Page(items=(_item(i) for i in range(2)), named=[])  # type: ignore[arg-type]
    expected = _schema(StrawberryGraphQLCoreExecutionContext).execute_sync(query, {"kind": kind})
    if kind == "generator":
        PAGES[kind] = Page(items=(_item(i) for i in range(2)), named=[])  # type: ignore[arg-type]
    found = _schema(FastExecutionContext).execute_sync(query, {"kind": kind})
    assert found.data == expected.data
    assert [(e.message, e.path) for e in found.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]
    if kind in {"null", "refused"} and "count ratio" in query:
        assert found.errors


def test_the_passage_schema_uses_it():
    from schema import build_schema
    from services.config import Settings

    for environment in ("development", "production"):
        built = build_schema(Settings(environment=environment))
        assert issubclass(built.execution_context_class, FastExecutionContext)


def test_plain_selections_never_reach_graphql_core_field_by_field(monkeypatch):
    calls = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counted(self, parent_type, *args):
        calls.append(parent_type.name)
        return original(self, parent_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted)
    query = "{ page { items { id name count when tags { label colour } best { label } } } }"
    result = _schema(FastExecutionContext).execute_sync(query)
    assert not result.errors
    assert result.data is not None
    assert len(result.data["page"]["items"]) == 5
    assert calls == ["Query"]  # only `page`, which has a resolver


def _recording(base: Any = FastExecutionContext, weak: bool = False) -> tuple[Any, list[Any]]:
    """A subclass of executor `base`, and the executors it makes (weak references if `weak`)."""
    made: list[Any] = []

    class Recorded(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(weakref.ref(self) if weak else self)

    return Recorded, made


def test_executions_of_one_document_share_what_they_compile():
    # Parsed documents are cached (schema/engine/limits.py): each request of the same text
    # brings the same nodes, and finds its completers compiled.
    recorded, made = _recording()
    schema = _schema(recorded)
    document = parse(QUERIES[0])
    for kind in ("plain", "null", "plain"):
        found = execute_sync(
            schema._schema, document, variable_values={"kind": kind}, executor_class=recorded
        )
        expected = _schema(StrawberryGraphQLCoreExecutionContext).execute_sync(
            QUERIES[0], {"kind": kind}
        )
        assert found.data == expected.data
        assert [e.message for e in found.errors or []] == [e.message for e in expected.errors or []]
    first, *others = made
    assert first._completers
    assert all(other._completers is first._completers for other in others)


def test_a_variable_that_changes_the_selection_keeps_completers_of_its_own():
    recorded, made = _recording()
    schema = _schema(recorded)
    document = parse(QUERIES[1])  # tags @skip(if: $skip)
    for skip in (True, False, True):
        variables = {"kind": "plain", "skip": skip}
        found = execute_sync(
            schema._schema, document, variable_values=variables, executor_class=recorded
        )
        expected = _schema(StrawberryGraphQLCoreExecutionContext).execute_sync(
            QUERIES[1], variables
        )
        assert found.data == expected.data
        assert found.data is not None
        assert ("tags" in found.data["page"]["items"][0]) is not skip
    assert len({id(executor._completers) for executor in made}) == 3


def test_a_finished_execution_leaves_nothing_to_the_cycle_collector():
    # graphql-core's executor refers to itself through the helpers it lends resolvers; left
    # to the cycle collector, every request's executor, context and collected fields aged
    # into the old generation, whose collections then took whole seconds with thousands of
    # open sockets.
    recorded, made = _recording(weak=True)
    schema = _schema(recorded)
    gc.collect()
    gc.disable()
    try:
        for query in QUERIES:
            result = schema.execute_sync(query, {"kind": "plain"})
            assert result.data and not result.errors
        assert len(made) == 2
        assert [ref() for ref in made] == [None, None]  # freed when the last reference went
    finally:
        gc.enable()


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def items(self, count: int) -> AsyncGenerator[Item, None]:
        for i in range(count):
            yield _item(i % 5)


SUBSCRIPTION = """subscription($count: Int!) { items(count: $count) {
    id name tags { label colour } best { ...B } } }
    fragment B on Tag { label }"""


async def _events(execution_context_class: Any, count: int) -> tuple[list[Any], list[Any]]:
    """The answers to each event, and the executors the subscription made."""
    recorded, made = _recording(execution_context_class)
    schema = strawberry.Schema(
        query=Query, subscription=Subscription, execution_context_class=recorded
    )
    stream = await schema.subscribe(SUBSCRIPTION, variable_values={"count": count})
    assert not isinstance(stream, strawberry.types.ExecutionResult)
    answers = [(result.data, result.errors) async for result in stream]
    return answers, made


async def test_each_event_of_a_subscription_answers_like_graphql_core():
    expected, _ = await _events(StrawberryGraphQLCoreExecutionContext, 5)
    found, _ = await _events(FastExecutionContext, 5)
    assert found == expected
    assert all(data and errors is None for data, errors in found)


async def test_a_long_subscription_keeps_no_memory_of_past_events():
    # Each event is executed by a shallow copy of the subscription's executor: what it
    # memoises by field group must not pile up in the dicts they share.
    _, [few] = await _events(FastExecutionContext, 3)
    _, [many] = await _events(FastExecutionContext, 300)
    assert 0 < len(many._completers) == len(few._completers)
    assert len(many._relevant_sub_fields) == len(few._relevant_sub_fields)
