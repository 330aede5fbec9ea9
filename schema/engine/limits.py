"""Limits on what one request may ask, all checked before any resolver runs.

Cheapest first: tokens while parsing; then, on the syntax tree alone, operations per
document, depth and aliases; then graphql-core's validation; then introspection and cost,
which need a valid document. Every refusal carries `extensions.code`.

Each fragment is walked once (memoised), whatever the number of spreads: Strawberry's
own depth and alias limiters re-walk every spread, and a document of 18 fragments
(under 1 KB), each spreading the next twice, kept them busy 1.4 s, doubling with
every fragment added.

The walk itself (depth, aliases, the cost estimate) is schema/engine/walker.py. The
estimate is reported in `extensions.cost.requestedQueryCost`, so clients can see how
close they are to the limit; schema/engine/throttle.py draws it from the caller's bucket.

Parsing and validation are cached here rather than by Strawberry's ParserCache and
ValidationCache: ParserCache raises syntax errors out of its hook, which over a websocket
ended the operation with a bare `complete` and no error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import (
    ASTValidationRule,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    parse,
    validate,
)
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from schema.engine.budget import measure, prescan
from schema.engine.edge import document_errors, variables_errors
from schema.engine.refusals import (
    PARSE_FAILED,
    QUERY_TOO_COSTLY,
    QUERY_TOO_DEEP,
    TOO_MANY_ALIASES,
    TOO_MANY_DIRECTIVES,
    TOO_MANY_OPERATIONS,
    TOO_MANY_REPEATS,
    TOO_MANY_TOKENS,
    VALIDATION_FAILED,
    over_limit,
    refusal,
    stand_in,
    tagged,
)
from schema.engine.walker import Walker, chosen_operation, operations, variable_defaults

CACHE_SIZE = 512


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse(query: str, limits: Limits) -> DocumentNode | GraphQLError:
    """The document, or why not: refusals are cached too, and cost no second parse."""
    scan = prescan(query, limits.max_tokens, limits.max_pairs, limits.max_directives)
    if scan.tokens > limits.max_tokens:
        return refusal(
            f"Syntax Error: Document contains more than {limits.max_tokens} tokens.",
            TOO_MANY_TOKENS,
        )
    if scan.pairs > limits.max_pairs:
        return over_limit("pairs", scan.pairs, limits.max_pairs, TOO_MANY_REPEATS)
    if scan.directives > limits.max_directives:
        return over_limit("directives", scan.directives, limits.max_directives, TOO_MANY_DIRECTIVES)
    try:
        return parse(query, max_tokens=limits.max_tokens)
    except GraphQLSyntaxError as error:
        too_long = f"more than {limits.max_tokens} tokens" in error.message
        return tagged(error, TOO_MANY_TOKENS if too_long else PARSE_FAILED)
    except RecursionError:
        return refusal("Document nested too deeply.", QUERY_TOO_DEEP)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> tuple[GraphQLError, ...]:
    all_rules = (
        *rules,
        MaxIntrospectionDepthRule,
        MaybeNullValidationRule,
        OneOfInputValidationRule,
    )
    errors = validate(schema, document, all_rules, hide_suggestions=hide_suggestions)
    return tuple(tagged(error, VALIDATION_FAILED) for error in errors)


# Shape errors by (id of the parsed document, id of the schema, limits); the document and
# schema are kept beside them so that their ids stay theirs while the entry lives.
_shapes: LRUCache[
    tuple[int, int, Limits], tuple[DocumentNode, GraphQLSchema, list[GraphQLError]]
] = LRUCache(CACHE_SIZE)

# Cost estimates by (id of an operation of a parsed document, id of the schema), kept beside
# both: the variables the walk read, and the estimate (and whether it met introspection) for
# each of their values seen lately.
_costs: LRUCache[
    tuple[int, int],
    tuple[
        OperationDefinitionNode,
        GraphQLSchema,
        tuple[str, ...] | None,
        LRUCache[tuple[Any, ...], tuple[int, bool]],
    ],
] = LRUCache(CACHE_SIZE)


def _values(
    variables: dict[str, Any], read: tuple[str, ...], operation: OperationDefinitionNode
) -> tuple[Any, ...] | None:
    """The values of the variables `read` (a page size), or None when one is not a plain
    int or null: then the walk runs again."""
    if not read:
        return ()
    defaults = None
    values = []
    for name in read:
        if name in variables:
            value = variables[name]
        else:
            defaults = variable_defaults(operation) if defaults is None else defaults
            value = defaults.get(name)
        if value is not None and type(value) is not int:
            return None
        values.append(value)
    return tuple(values)


# Parsed documents within their limits' shape and found valid with these rules, by (id of
# the document, id of the schema, rules), kept beside the document, the schema and the
# limits: a document sent again skips both looks (the variables and cost are per request).
_clean: LRUCache[
    tuple[int, int, tuple[type[ASTValidationRule], ...]],
    tuple[DocumentNode, GraphQLSchema, Limits],
] = LRUCache(CACHE_SIZE)

# Documents found valid, by their text with operation names numbered in order of
# appearance: `query u1 {…}` and `query u2 {…}` are validated once between them.
_valid: LRUCache[tuple[Any, ...], bool] = LRUCache(CACHE_SIZE)


def _canonical(document: DocumentNode) -> str | None:
    """The document's text, its operation names replaced by `_0`, `_1`… (same name, same)."""
    if document.loc is None:
        return None
    body = document.loc.source.body
    names: dict[str, str] = {}
    parts: list[str] = []
    last = 0
    for operation in operations(document):
        if operation.name is None or operation.name.loc is None:
            continue
        parts.append(body[last : operation.name.loc.start])
        parts.append(names.setdefault(operation.name.value, f"_{len(names)}"))
        last = operation.name.loc.end
    parts.append(body[last:])
    return "".join(parts)


@dataclass(frozen=True)
class Limits:  # hashable: the key of the parse cache
    """What one request may ask; shared by the extension below and the query planner."""

    max_tokens: int
    max_depth: int
    max_aliases: int
    max_operations: int
    max_cost: int
    introspection: str
    hide_suggestions: bool = False
    # Validation budget (schema/engine/budget.py).
    max_pairs: int = 200
    max_directives: int = 20

    def parse(self, query: str) -> DocumentNode:
        """The document (cached); raises a GraphQLError past a limit or on bad syntax."""
        found = _parse(query, self)
        if isinstance(found, GraphQLError):
            raise found
        return found

    def walker(self, schema: GraphQLSchema, document: DocumentNode, variables: Any) -> Walker:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return Walker(schema, fragments, variables or {})

    def shape_errors(self, document: DocumentNode, walker: Walker) -> list[GraphQLError]:
        """Too many operations, too deep, too many aliases, too costly to validate.

        None of it depends on the variables: measured once per parsed document (parsing is
        cached, so a document sent again is the same object) and schema."""
        key = (id(document), id(walker.schema), self)
        found = _shapes.get(key)
        if found is None or found[0] is not document or found[1] is not walker.schema:
            found = _shapes[key] = (document, walker.schema, self._shape_errors(document, walker))
        return list(found[2])

    def _shape_errors(self, document: DocumentNode, walker: Walker) -> list[GraphQLError]:
        found = operations(document)
        measures = (
            ("operations", len(found), self.max_operations, TOO_MANY_OPERATIONS),
            (
                "depth",
                max((walker.depth(o.selection_set) for o in found), default=0),
                self.max_depth,
                QUERY_TOO_DEEP,
            ),
            (
                "aliases",
                sum(walker.aliases(o.selection_set) for o in found),
                self.max_aliases,
                TOO_MANY_ALIASES,
            ),
        )
        for name, value, limit, code in measures:
            if value > limit:
                return [over_limit(name, value, limit, code)]
        return self.budget_errors(walker.schema, document)

    def budget_errors(self, schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        """What validation would cost, bounded before it runs (one error at most)."""
        budget = measure(schema, document)
        if budget.pairs > self.max_pairs:
            return [over_limit("pairs", budget.pairs, self.max_pairs, TOO_MANY_REPEATS)]
        if budget.directives > self.max_directives:
            return [
                over_limit(
                    "directives", budget.directives, self.max_directives, TOO_MANY_DIRECTIVES
                )
            ]
        if budget.directive_problem is not None:
            return [refusal(budget.directive_problem, VALIDATION_FAILED)]
        return document_errors(document)

    def validation_errors(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        canonical = _canonical(document)
        key = (schema, canonical, rules, self.hide_suggestions)
        if canonical is not None and _valid.get(key, False):
            return []
        errors = list(_validate(schema, document, rules, self.hide_suggestions))
        if not errors and canonical is not None:
            _valid[key] = True
        return errors

    def cost(self, walker: Walker, operation: OperationDefinitionNode) -> int:
        """The estimate for `operation`, with the walker's variables (defaults filled in).

        Walked once per parsed document, operation and values of the variables the walk
        read (page sizes), and kept."""
        key = (id(operation), id(walker.schema))
        found = _costs.get(key)
        if found is None or found[0] is not operation or found[1] is not walker.schema:
            found = _costs[key] = (operation, walker.schema, None, LRUCache(8))
        variables = walker.variables
        read, by_values = found[2], found[3]
        values = None if read is None else _values(variables, read, operation)
        if values is not None and values in by_values:
            cost, walker.introspection = by_values[values]
            return cost
        root = walker.schema.get_root_type(operation.operation)
        walker.variables = {**variable_defaults(operation), **variables}
        cost = walker.cost(operation.selection_set, root)
        if read is None:  # what it read is the same for every request of this operation
            read = tuple(sorted(walker.read))
            _costs[key] = (operation, walker.schema, read, by_values)
            values = _values(variables, read, operation)
        if values is not None:
            by_values[values] = (cost, walker.introspection)
        return cost

    def cost_error(self, cost: int) -> GraphQLError | None:
        if cost > self.max_cost:
            return over_limit("cost", cost, self.max_cost, QUERY_TOO_COSTLY)
        return None

    def results(self, requested: int, actual: int | None = None) -> dict[str, Any]:
        """What `extensions` reports of a request estimated at `requested`.

        schema/engine/throttle.py adds the caller's bucket.
        """
        cost = {"requestedQueryCost": requested, "actualQueryCost": actual}
        return {"cost": {**cost, "maxQueryCost": self.max_cost}}


class QueryLimits(SchemaExtension):
    """Refuses, before execution, documents that are too big, too many, too costly or too curious.

    Also parses and validates (both cached), hiding "Did you mean" suggestions when asked.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cost: int | None = None
        self.refused: GraphQLError | None = None

    # Hooks that only act on entering their stage are plain functions, not generators:
    # strawberry runs them as they are (schema/engine/runner.py), with no generator to
    # make, resume and finish on every request.
    def on_parse(self) -> None:  # type: ignore[override]
        ec = self.execution_context
        if ec.graphql_document is None and ec.query:
            try:
                ec.graphql_document = self.limits.parse(ec.query)
            except GraphQLError as error:
                # Strawberry would parse again: it is handed a stand-in document instead,
                # and `on_validate` answers with the refusal.
                self.refused = error
                ec.graphql_document = stand_in(ec.operation_name)

    def on_validate(self) -> None:  # type: ignore[override]
        ec = self.execution_context
        document = ec.graphql_document
        if self.refused is not None:
            ec.pre_execution_errors = [self.refused]
        elif document is not None:
            schema = ec.schema._schema
            walker = self.limits.walker(schema, document, ec.variables)
            rules = tuple(ec.validation_rules)
            key = (id(document), id(schema), rules)
            seen = _clean.get(key)
            clean = (
                seen is not None
                and seen[0] is document
                and seen[1] is schema
                and seen[2] == self.limits
            )
            try:
                errors = [] if clean else self.limits.shape_errors(document, walker)
                if not errors:
                    errors = variables_errors(ec.variables)
                if not errors and ec.pre_execution_errors is None and not clean:
                    errors = self.limits.validation_errors(schema, document, rules)
                    if not errors:
                        _clean[key] = (document, schema, self.limits)
                if not errors:
                    errors = ec.pre_execution_errors or self._cost_errors(document, walker)
            except RecursionError:
                errors = [refusal("Document nested too deeply.", QUERY_TOO_DEEP)]
            ec.pre_execution_errors = errors

    def _cost_errors(self, document: DocumentNode, walker: Walker) -> list[GraphQLError]:
        operation = chosen_operation(document, self.execution_context.operation_name)
        if operation is None:
            return []  # execution reports the unknown operation name
        self.cost = self.limits.cost(walker, operation)
        if walker.introspection and (error := self._introspection_error()):
            return [error]
        error = self.limits.cost_error(self.cost)
        return [] if error is None else [error]

    def _introspection_error(self) -> GraphQLError | None:
        if self.limits.introspection == "public":
            return None
        if self.limits.introspection == "off":
            return refusal("Introspection is turned off.", "FORBIDDEN")
        if getattr(self.execution_context.context, "maybe_viewer", None) is not None:
            return None
        return refusal("Introspection needs a signed-in caller.", "UNAUTHENTICATED")

    def get_results(self) -> dict[str, Any]:
        return {} if self.cost is None else self.limits.results(self.cost)
