"""Planned queries: root fields answered from one SQL statement per level, straight to JSON.

graphql-core answers a page of 50 visits field by field, through an object per row:
for the contract's Calendar that was most of the request, the SQL a small part. Here a
query whose root fields are all registered (`plan_connection`, `plan_object`,
`plan_list`, `plan_value`) and whose whole selection is read from rows
(schema/engine/rows.py: columns of the row, nested objects of the same row, and `Fetched`
fields read by one more statement for all the rows of a level, such as an invoice's
lines, or from columns the level's own statement joins, such as a visit's rating) is
answered without graphql-core's execution.

It is a step of the one request pipeline, not a way around it: `PlannedQueries` is the
last of the schema's strawberry extensions (schema/__init__.py), so every document has
been through the same parsing, limits, validation, cost, rate limit and partner scopes
(schema/engine/limits.py, throttle.py, schema/partners/access.py) before it runs, and every
other step sees its answer.
In its `on_execute` it sets the result, which strawberry then uses instead of executing:

- once per document, operation name and values of the variables its `@include`/`@skip`
  read, the fields of each root are collected and the columns, statements and a function
  from rows to JSON are compiled (schema/engine/writers.py, rows.py);
- on each request, the variables are coerced and the root fields' arguments converted as
  graphql-core and strawberry do (strawberry's conversion built once per root:
  schema/engine/arguments.py; the coerced variables kept for the next request with the
  same values, `Planner._coerced`), each registered fetch reads its page with just those
  columns, each level below is read in one statement (the roots' pages first, then the
  levels below all of them: roots reading the same field below share its statement), and
  the compiled functions write. The roots' fetches run side by side, and so do the
  statements of each level below: on PostgreSQL the statements they come to together are
  sent as one (models/backends/batch.py), so `node(id:)` five times is one round trip.

Anything else is left to graphql-core, and so is any request on which the plan meets
something it does not expect: variables or arguments refused, an error from a fetch (no
viewer, a bad cursor, a visit not found), a row the compiled function gives up on.
graphql-core then answers from the start, so errors, their codes and paths are its own.
A fetch only reads: running it twice is safe.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.core.prepared import together
from schema.core.ids import from_global_id
from schema.engine.arguments import compile_arguments
from schema.engine.bounds import violations
from schema.engine.plans import Entry, NodePlan, Plan, RootPlan, make_entry, make_plan
from schema.engine.row_fields import Load, Row, load_all
from schema.engine.throttle import FREE_KEYS

log = logging.getLogger("passage.planner")

PLAN_CACHE_SIZE = 512
# Coerced variables kept per document and values (`Planner._coerced`): a dashboard sends
# its documents again and again with the same day, ids and filters.
COERCED_CACHE_SIZE = 1024
# Only variables that are all JSON scalars, texts no longer than this, are kept: a key
# is then a few hundred bytes at most.
COERCED_KEY_MAX_CHARS = 200
COERCED_KEY_MAX_VARIABLES = 16
_SCALARS = frozenset((str, int, float, bool, type(None)))
# And only when every coerced value is immutable, so that requests can share it (a
# scalar given for a list variable is coerced to a list; a default may be a list).
_IMMUTABLE = frozenset((str, int, float, bool, type(None), datetime, date, time, Decimal))


@dataclass(frozen=True)
class Partial:
    """Planned roots answered; graphql-core answers `rest`, then `merge` puts them together."""

    data: dict[str, Any]
    rest: DocumentNode
    order: tuple[str, ...]

    def merge(self, executed: dict[str, Any]) -> dict[str, Any]:
        both = {**executed, **self.data}
        return {name: both[name] for name in self.order if name in both}


class Read(NamedTuple):
    """A root's rows as its fetch read them: `value` is what its writer takes (a page, a
    list of rows, one row), `rows` the rows the levels below are read for. A tuple: one is
    made per root of every planned request."""

    value: Any
    rows: Sequence[Row]
    loads: tuple[Load, ...]
    write: Callable[..., Any]
    cost: Callable[..., int]


class PlannedResult(GraphQLExecutionResult):
    """A planned answer, with its actual cost counted as it was written (the rate limit
    then need not walk it: schema/engine/throttle.py)."""

    def __init__(self, data: dict[str, Any], cost: int) -> None:
        super().__init__(data=data, errors=None)
        self.cost = cost


class Planner:
    """Answers planned documents for a schema; `answered` counts the requests it took."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema  # the strawberry schema
        self.answered = 0  # requests answered whole
        self.partly = 0  # requests whose planned roots were answered, graphql-core the rest
        self.enabled = True  # off: graphql-core answers everything (comparisons)
        self._entries: LRUCache[tuple[str, str | None], Entry | None] = LRUCache(PLAN_CACHE_SIZE)
        self._coerced_by_values: LRUCache[tuple[int, tuple[Any, ...]], tuple[Entry, Variables]] = (
            LRUCache(COERCED_CACHE_SIZE)
        )

    def extension(self) -> PlannedQueries:
        return PlannedQueries(self)

    async def answer(self, ec: ExecutionContext) -> PlannedResult | Partial | None:
        """The answer to a planned document, its planned roots when only some are (`Partial`),
        or None: graphql-core answers."""
        variables = ec.variables
        if (
            ec.query is None
            or ec.graphql_document is None
            or ec.root_value is not None
            or not (variables is None or isinstance(variables, dict))
        ):
            return None
        entry = self._entry(ec.query, ec.operation_name, ec.graphql_document)
        if entry is None:
            return None
        try:
            answer = await self._run(entry, variables or {}, ec.context)
        except Exception:  # graphql-core runs it again, and reports
            return None
        if answer is None:
            return None
        if isinstance(answer, Partial):
            self.partly += 1
            return answer
        self.answered += 1
        return PlannedResult(*answer)

    async def _run(
        self, entry: Entry, variables: dict[str, Any], context: Any
    ) -> tuple[dict[str, Any], int] | Partial | None:
        coerced = None
        key: tuple[Any, ...] = ()
        if entry.conditions:  # the plan depends on the values of some variables
            coerced = self._coerced(entry, variables)
            if coerced is None:
                return None
            key = tuple(coerced.values.coerced.get(name) for name in entry.conditions)
            if any(type(value) is not bool for value in key):
                return None
        if key in entry.plans:
            found = entry.plans[key]
        else:
            conditions = {n: v is True for n, v in zip(entry.conditions, key, strict=True)}
            found = entry.plans[key] = self._plan(entry, conditions)
        if found is None:  # graphql-core answers: its variables are coerced once, by it
            return None
        if coerced is None:
            coerced = self._coerced(entry, variables)
            if coerced is None:
                return None
        data: dict[str, Any] = {}
        reading: list[RootPlan] = []
        for plan in found.roots:
            if plan.node is None:
                data[plan.response_name] = plan.write()
            else:
                data[plan.response_name] = None  # its place, in the document's order
                reading.append(plan)
        # The roots' rows read side by side, their statements sent as one (PostgreSQL:
        # models/backends/batch.py).
        answers = await together([self._read(plan, coerced, context) for plan in reading])
        if any(type(answer) is not Read for answer in answers):  # None, or an exception
            return None
        read: list[tuple[RootPlan, Read]] = list(zip(reading, answers, strict=True))
        # The levels below every root, read together: roots that read the same field below
        # (two panels' conversations' last messages) share its statement.
        loaded = await load_all([(load, r.rows) for _, r in read for load in r.loads], context)
        cost = 0
        for plan, r in read:
            data[plan.response_name] = r.write(r.value, loaded)
            cost += r.cost(r.value, loaded) + (0 if plan.response_name in FREE_KEYS else 1)
        if found.rest is not None:
            return Partial(data, found.rest, found.order)
        return data, cost

    def _coerced(self, entry: Entry, variables: dict[str, Any]) -> Variables | None:
        """The request's variables as graphql-core coerces them, or None when it refuses them.

        Coercion is a function of the operation and the values alone: when these are
        plain scalars (`values_key`), its answer is kept for the next request of the
        same document with the same values (dates parsed, defaults filled in: 3 to 8 % of
        the CPU of the corpus's day board and pending requests, in one process)."""
        key = values_key(variables)
        if key is not None:
            kept = self._coerced_by_values.get((id(entry), key))
            if kept is not None and kept[0] is entry:
                return kept[1]
        coerced = get_variable_values(
            self.schema._schema, entry.operation.variable_definitions or (), variables
        )
        if isinstance(coerced, list):
            return None
        if key is None or not all(_shareable(value) for value in coerced.coerced.values()):
            return Variables(coerced, None)
        kept = self._coerced_by_values[id(entry), key] = (entry, Variables(coerced, {}))
        return kept[1]

    async def _read(self, plan: RootPlan, coerced: Variables, context: Any) -> Read | None:
        """A root field's rows, or None when graphql-core must answer."""
        assert plan.field is not None
        assert plan.node is not None
        assert plan.convert is not None
        arguments = plan.convert(_argument_values(plan, coerced))
        if violations(arguments, plan.arguments, self.schema.config):
            # Past what the columns hold: graphql-core refuses it (schema/engine/bounds.py).
            return None
        if plan.by_type is not None:
            return await self._node(plan.by_type, arguments["id"], context)
        root = plan.root
        assert root is not None
        if root.value is not None:
            value = await root.value(context, **arguments)
            return Read(value, (), plan.loads, plan.write, plan.cost)
        if root.page is not None:
            page = await root.page(context, plan.columns, **arguments)
            return Read(page, page.rows[: page.size], plan.loads, plan.write, plan.cost)
        if root.many is not None:
            rows = await root.many(context, plan.columns, **arguments)
            return Read(rows, rows, plan.loads, plan.write, plan.cost)
        assert root.one is not None
        row = await root.one(context, plan.columns, **arguments)
        if row is None:  # not found: graphql-core says so
            return None
        return Read(row, [row], plan.loads, plan.write, plan.cost)

    @staticmethod
    async def _node(by_type: Mapping[str, NodePlan], id: str, context: Any) -> Read | None:
        """`node(id:)`'s row by the plan of the id's type, or None: graphql-core answers (an
        id of another type or of nothing, no viewer, an object missing or not the viewer's)."""
        type_name, pk = from_global_id(id)
        plan = by_type.get(type_name)
        if plan is None:
            return None
        assert plan.root.one is not None
        row = await plan.root.one(context, plan.columns, pk)
        if row is None:
            return None
        return Read(row, [row], plan.loads, plan.write, plan.cost)

    # ----------------------------------------------------------------- plans

    def _entry(
        self, query: str, operation_name: str | None, document: DocumentNode
    ) -> Entry | None:
        key = (query, operation_name)
        if key in self._entries:
            return self._entries[key]
        try:
            entry = make_entry(document, operation_name)
        except Exception:  # a planner bug must never fail a request: graphql-core answers
            log.exception("planning failed")
            entry = None
        self._entries[key] = entry
        return entry

    def _plan(self, entry: Entry, conditions: dict[str, bool]) -> Plan | None:
        try:
            plan = make_plan(self.schema._schema, entry, conditions)
            if plan is None:
                return None
            registry = self.schema.schema_converter.scalar_registry
            roots = tuple(
                dataclasses.replace(
                    root, convert=compile_arguments(root.arguments, registry, self.schema.config)
                )
                if root.node is not None
                else root
                for root in plan.roots
            )
            return dataclasses.replace(plan, roots=roots)
        except (GraphQLError, RecursionError):
            return None
        except Exception:  # a planner bug must never fail a request: graphql-core answers
            log.exception("planning failed")
            return None


def values_key(variables: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The variables as a key (name, type and value of each: `1`, `1.0` and `True` are
    equal, yet coerced apart), or None when one is not a short scalar."""
    if len(variables) > COERCED_KEY_MAX_VARIABLES:
        return None
    key = []
    for name, value in variables.items():
        kind = type(value)
        if kind not in _SCALARS or (kind is str and len(value) > COERCED_KEY_MAX_CHARS):
            return None
        key.append((name, kind, value))
    return tuple(key)


class Variables(NamedTuple):
    """A request's coerced variables (graphql-core's `VariableValues`) and, when they are
    kept for the next requests with the same values, the graphql-core values of each
    root's arguments worked out with them, by root (`_argument_values`)."""

    values: Any
    arguments: dict[int, tuple[RootPlan, dict[str, Any]]] | None


# The roots whose arguments' values are kept with one set of coerced variables: a document
# has a few roots, and a few plans (by its conditions' values).
KEPT_ROOTS = 32


def _argument_values(plan: RootPlan, variables: Variables) -> dict[str, Any]:
    """graphql-core's values of the root's arguments (literals and variables, defaults
    filled in), kept with kept variables: they are read, never changed (the conversion
    to what the fetch takes builds its own lists and inputs: schema/engine/arguments.py)."""
    assert plan.field is not None
    assert plan.node is not None
    kept = variables.arguments
    if kept is None:
        return get_argument_values(plan.field, plan.node, variables.values)
    found = kept.get(id(plan))
    if found is None or found[0] is not plan:
        values = get_argument_values(plan.field, plan.node, variables.values)
        if len(kept) >= KEPT_ROOTS:
            kept.clear()
        found = kept[id(plan)] = (plan, values)
    return found[1]


def _shareable(value: Any) -> bool:
    return type(value) in _IMMUTABLE or isinstance(value, Enum)


class PlannedQueries(SchemaExtension):
    """The last step: answers a planned query before graphql-core would execute it."""

    def __init__(self, planner: Planner) -> None:
        self.planner = planner

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        if not (self.planner.enabled and ec.result is None and not ec.pre_execution_errors):
            yield
            return
        answer = await self.planner.answer(ec)
        if not isinstance(answer, Partial):
            if answer is not None:
                ec.result = answer
            yield
            return
        # graphql-core executes the rest of the document; the planned roots join its answer.
        document = ec.graphql_document
        ec.graphql_document = answer.rest
        try:
            yield
        finally:
            ec.graphql_document = document
        result = ec.result
        if isinstance(result, GraphQLExecutionResult) and isinstance(result.data, dict):
            merged = answer.merge(result.data)
            result.data.clear()  # in place: strawberry answers with this very object
            result.data.update(merged)
