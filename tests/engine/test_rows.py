"""A row type builds the same object whichever way it is asked: from a row alone (compiled),
within a page whose rows share their nested objects, or from a model's attributes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry

from models.enums import InterventionStatus
from schema.engine.codegen import GiveUp
from schema.engine.row_fields import Fetched, Load, Part, column, columns, global_id, load_all
from schema.engine.rows import RowType


@strawberry.type
class Place:
    city: str
    postal_code: str


@strawberry.type
class Thing:
    id: strawberry.ID
    name: str
    label: str
    place: Place | None
    owner: str  # given by the caller


PLACE_ROWS = RowType(Place, {"city": column("city"), "postal_code": column("postal_code")})
THING_ROWS = RowType(
    Thing,
    {
        "id": global_id("id", "Thing"),
        "name": column("name", str.upper),
        "label": columns("name", "postal_code", read=lambda n, p: f"{n} ({p})"),
        "place": Part(PLACE_ROWS, unless_null="postal_code"),
    },
    given=("owner",),
)
ROWS = [
    {"id": 1, "name": "a", "city": "Paris", "postal_code": "75011"},
    {"id": 2, "name": "b", "city": "Lyon", "postal_code": None},
]


@pytest.mark.parametrize("row", ROWS)
def test_every_way_builds_the_same_object(row):
    given = {"owner": "agency"}
    compiled = THING_ROWS.build(row, given=given)
    shared = THING_ROWS.build(row, {}, given=given)
    from_model = THING_ROWS.from_model(SimpleNamespace(**row), given=given)
    assert compiled == shared == from_model
    assert compiled.name == row["name"].upper() and compiled.id
    assert (compiled.place is None) is (row["postal_code"] is None)


def test_a_missing_given_field_or_column_fails_as_the_constructor_does():
    with pytest.raises(TypeError):
        THING_ROWS.build(ROWS[0])
    with pytest.raises(KeyError):
        THING_ROWS.build({"id": 1}, given={"owner": "x"})
    with pytest.raises(AttributeError):
        THING_ROWS.from_model(SimpleNamespace(id=1), given={"owner": "x"})


@strawberry.type
class Tagged:
    id: strawberry.ID
    owner: str  # handed in by its root's resolver; fetched for a whole page when planned


async def _owners(context: object, names: tuple[str, ...], rows: list[dict[str, object]]):
    return {row["id"]: {"owner": f"{row['name']}!"} for row in rows}


OWNERS = Fetched(column("owner"), "id", _owners, reads=("name",))


def test_a_plain_field_may_be_fetched_when_planned_but_not_given_as_well():
    fields = {"id": global_id("id", "Tagged")}
    RowType(Tagged, fields, fetched={"owner": OWNERS})
    with pytest.raises(TypeError):
        RowType(Tagged, fields, fetched={"owner": OWNERS}, given=("owner",))
    with pytest.raises(TypeError):
        RowType(Tagged, fields)  # neither read, nor fetched, nor given


async def test_a_fetch_that_reads_columns_is_handed_the_rows_one_per_key():
    handed: list[list[dict[str, object]]] = []

    async def fetch(context: object, names: tuple[str, ...], rows: list[dict[str, object]]):
        handed.append(rows)
        return await _owners(context, names, rows)

    load = Load("owners", "id", Fetched(column("owner"), "id", fetch, reads=("name",)), (), ())
    rows: list[dict[str, object]] = [
        {"id": 1, "name": "a"},
        {"id": 2, "name": "b"},
        {"id": 1, "name": "a"},
        {"id": None, "name": "c"},  # no key: nothing to fetch for it
    ]
    loaded = await load_all([(load, rows)], None)
    assert handed == [[{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]]
    assert loaded == {"owners": {1: {"owner": "a!"}, 2: {"owner": "b!"}}}


async def test_loads_of_one_field_on_one_level_share_one_statement():
    asked: list[tuple[tuple[str, ...], list[object]]] = []

    async def fetch(context: object, names: tuple[str, ...], keys: list[object]):
        asked.append((names, keys))
        return {key: {"id": key, "name": f"n{key}", "size": key} for key in keys}

    shared = Fetched(column("name"), "id", fetch)
    first = Load("a", "id", shared, ("name",), ())
    second = Load("b", "id", shared, ("size",), ())
    below = Load("c", "id", Fetched(column("name"), "id", fetch), ("name",), ())
    alone = Load("d", "id", shared, ("name",), (below,))  # a level below: its own statement
    loaded = await load_all(
        [(first, [{"id": 1}, {"id": 2}]), (second, [{"id": 2}, {"id": 3}]), (alone, [{"id": 4}])],
        None,
    )
    # The two loads of the same field: one call with both keys and both columns.
    assert asked[0] == (("name", "size"), [1, 2, 3]) and asked[1] == (("name",), [4])
    assert loaded["a"] is loaded["b"] and set(loaded["a"]) == {1, 2, 3}
    assert set(loaded["d"]) == {4} and set(loaded["c"]) == {4} and len(asked) == 3


def _outcome(complete: Any, value: Any) -> tuple[Any, ...]:
    try:
        result = complete(value)
    except Exception as error:
        return ("raised", type(error), str(error))
    return ("completed", type(result), result)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("Int", [0, -5, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, True, 3.0, 3.5, "7", None]),
        (
            "DateTime",
            [
                datetime(2026, 12, 7, 8, 30, tzinfo=UTC),
                datetime(2026, 12, 7, 8, 30),
                date(2026, 12, 7),
                "2026-12-07",
                None,
            ],
        ),
        ("Date", [date(2026, 12, 7), datetime(2026, 12, 7, 8, 30, tzinfo=UTC), None]),
        ("String", ["text", 12, None]),
        # An enum: its members, a value no member has, text, other types, unhashable ones.
        (
            "InterventionStatus",
            [
                InterventionStatus.COMPLETED,
                InterventionStatus.MISSED,
                "COMPLETED",
                "NOPE",
                3,
                ["COMPLETED"],
                ("COMPLETED",),
                ("COMPLETED", ["MISSED"]),
                None,
            ],
        ),
    ],
)
@pytest.mark.parametrize("non_null", [True, False])
def test_a_leaf_written_inline_completes_as_the_leaf_does(name, values, non_null):
    # schema/engine/codegen.py `completed`: the usual values of a row's leaf completed in
    # the generated code itself; every value, usual or not, as `Leaf` completes it.
    from schema import schema
    from schema.engine.codegen import Leaf, completed

    type_ = schema._schema.get_type(name)
    leaf = Leaf(type_, non_null)
    namespace: dict[str, Any] = {}
    inline = eval(f"lambda v: {completed(leaf, 'v', namespace)}", namespace)
    for value in values * 2:  # the second time, an enum's names are known
        assert _outcome(inline, value) == _outcome(Leaf(type_, non_null), value), value


@pytest.mark.parametrize("name", ["Int", "DateTime", "String"])
def test_an_awaitable_is_left_to_the_leaf_written_inline_or_not(name):
    # graphql-core's fast completion (schema/engine/execution.py) completes resolvers'
    # values the same way: an awaitable is never a usual value, and the leaf gives it up.
    import asyncio
    import inspect

    from schema import schema
    from schema.engine.codegen import Leaf, completed

    leaf = Leaf(schema._schema.get_type(name), True, inspect.isawaitable)
    namespace: dict[str, Any] = {}
    inline = eval(f"lambda v: {completed(leaf, 'v', namespace)}", namespace)
    future: asyncio.Future[None] = asyncio.Future(loop=asyncio.new_event_loop())
    assert _outcome(inline, future) == _outcome(leaf, future)
    assert _outcome(inline, future)[1] is GiveUp
    future.get_loop().close()
