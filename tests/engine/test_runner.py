"""Strawberry's extension runner with each class's hooks read once (schema/engine/runner.py).

Every test runs the same extensions twice: on a schema whose runner is `HookRunner`, and
on strawberry's own schema and runner, and compares what the hooks saw and what the
caller got. The product's own extensions (persisted documents, limits and cost, partner
scopes, the planner) are covered through HTTP by their own modules.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from schema.engine.runner import HookRunner

events: list[str] = []


class SyncStep(SchemaExtension):
    name = "sync"

    def on_parse(self) -> Iterator[None]:
        events.append(f"{self.name} parse in")
        yield
        events.append(f"{self.name} parse out")

    def on_execute(self) -> Iterator[None]:
        events.append(f"{self.name} execute in")
        try:
            yield
        except RuntimeError as error:
            events.append(f"{self.name} saw {error}")
            raise
        events.append(f"{self.name} execute out")

    def get_results(self) -> dict[str, Any]:
        return {"sync": 1, "both": "sync"}


class AsyncStep(SchemaExtension):
    name = "async"

    async def on_validate(self) -> AsyncIterator[None]:
        events.append(f"{self.name} validate in")
        yield
        events.append(f"{self.name} validate out")

    async def on_execute(self) -> AsyncIterator[None]:
        events.append(f"{self.name} execute in ({self.execution_context.operation_name})")
        try:
            yield
        finally:
            events.append(f"{self.name} execute out")

    async def get_results(self) -> dict[str, Any]:
        return {"async": 2, "both": "async"}


class Operation(SchemaExtension):
    """Around the whole operation."""

    def on_operation(self) -> Iterator[None]:
        events.append("operation in")
        yield
        events.append("operation out")


class Plain(SchemaExtension):
    """Hooks that are plain functions, run on entering the stage."""

    def on_parse(self) -> None:  # type: ignore[override]
        events.append("plain parse")

    async def on_validate(self) -> None:  # type: ignore[override]
        events.append("plain validate")


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        events.append("resolver")
        return "world"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def count(self) -> AsyncIterator[int]:
        for number in range(3):
            events.append(f"event {number}")
            yield number


class Ours(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> HookRunner:
        return HookRunner(execution_context, extensions)


def _schemas(*extensions: type[SchemaExtension]) -> tuple[strawberry.Schema, strawberry.Schema]:
    """The same extensions run by `HookRunner`, then by strawberry's own runner."""
    found = [
        schema(query=Query, subscription=Subscription, extensions=list(extensions))
        for schema in (Ours, strawberry.Schema)
    ]
    return found[0], found[1]


async def _both(document: str, *extensions: type[SchemaExtension]) -> list[tuple[Any, list[str]]]:
    """(result, events) of `document` by each runner, ours first."""
    answers = []
    for schema in _schemas(*extensions):
        events.clear()
        result = await schema.execute(document)
        answers.append((result, list(events)))
    return answers


def _seen(result: Any) -> tuple[Any, list[str], Any]:
    return result.data, [error.message for error in result.errors or ()], result.extensions


async def test_each_stage_enters_the_hooks_in_order_and_leaves_them_in_reverse():
    (ours, our_events), (theirs, their_events) = await _both(
        "query Hi { hello }", Operation, SyncStep, AsyncStep, Plain
    )
    assert ours.errors is None
    assert ours.data == {"hello": "world"}
    assert our_events == [
        "operation in",
        "sync parse in",
        "plain parse",
        "sync parse out",
        "async validate in",
        "plain validate",
        "async validate out",
        "sync execute in",
        "async execute in (Hi)",
        "resolver",
        "async execute out",
        "sync execute out",
        "operation out",
    ]
    # Each extension's results, in order: a later extension's key wins.
    assert ours.extensions == {"sync": 1, "async": 2, "both": "async"}
    assert (_seen(ours), our_events) == (_seen(theirs), their_events)


async def test_extensions_are_new_for_each_request():
    seen: list[int] = []

    class Counting(SchemaExtension):
        def __init__(self) -> None:
            self.count = 0

        def on_execute(self) -> Iterator[None]:
            self.count += 1
            seen.append(self.count)
            yield

    schema, _ = _schemas(Counting)
    for _ in range(3):
        assert (await schema.execute("{ hello }")).data == {"hello": "world"}
    assert seen == [1, 1, 1]


class Failing(SchemaExtension):
    """Fails inside the execution stage, after the others entered it."""

    async def on_execute(self) -> AsyncIterator[None]:
        events.append("failing execute in")
        yield
        raise RuntimeError("boom")


async def test_an_error_in_a_stage_reaches_the_hooks_entered_before_it():
    (ours, our_events), (theirs, their_events) = await _both(
        "{ hello }", Operation, SyncStep, AsyncStep, Failing
    )
    assert [error.message for error in ours.errors or ()] == ["boom"]
    assert our_events[5:] == [
        "sync execute in",
        "async execute in (None)",
        "failing execute in",
        "resolver",
        "async execute out",  # its `finally`, innermost first
        "sync saw boom",  # thrown into it; "sync execute out" is never reached
    ]  # and on through the operation's hook, which does not catch it
    assert (_seen(ours), our_events) == (_seen(theirs), their_events)


async def test_a_hook_may_swallow_an_error_thrown_into_it():
    class Swallowing(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            try:
                yield
            except RuntimeError:
                events.append("swallowed")

    (ours, our_events), (theirs, their_events) = await _both(
        "{ hello }", Operation, Swallowing, Failing
    )
    assert ours.data == {"hello": "world"}
    assert our_events == [
        "operation in",
        "failing execute in",
        "resolver",
        "swallowed",
        "operation out",
    ]
    assert (_seen(ours), our_events) == (_seen(theirs), their_events)


async def test_a_hook_that_yields_twice_is_contextlibs_error():
    class Twice(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            yield
            yield

    class TwiceAfterAnError(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:
            try:
                yield
            except RuntimeError:
                yield

    for extensions in ((Twice,), (TwiceAfterAnError, Failing)):
        (ours, _), (theirs, _) = await _both("{ hello }", *extensions)
        assert ours.errors
        assert _seen(ours) == _seen(theirs)


async def test_a_hook_failing_on_entering_tells_the_hooks_entered_before_it():
    class Refusing(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            raise RuntimeError("no")
            yield  # a generator that never gets there

    (ours, our_events), (theirs, their_events) = await _both(
        "{ hello }", SyncStep, AsyncStep, Refusing
    )
    assert _seen(ours) == _seen(theirs)
    assert [error.message for error in ours.errors or ()] == ["no"]
    # Strawberry leaves the hooks entered before it suspended; ours are told, and their
    # `finally` runs. Nothing else differs.
    assert our_events[-4:] == [
        "sync execute in",
        "async execute in (None)",
        "async execute out",
        "sync saw no",
    ]
    assert their_events == our_events[:-2]


async def test_each_event_of_a_subscription_goes_through_the_stream_hooks():
    class Streamed(SchemaExtension):
        def on_stream_result(self, result: Any) -> Iterator[None]:  # type: ignore[override]
            events.append(f"stream in {result.data}")
            yield
            events.append("stream out")

    answers = []
    for schema in _schemas(Operation, AsyncStep, Streamed):
        events.clear()
        stream = await schema.subscribe("subscription { count }")
        results = [result.data async for result in stream]  # type: ignore[union-attr]
        answers.append((results, list(events)))
    (ours, our_events), theirs = answers
    assert ours == [{"count": 0}, {"count": 1}, {"count": 2}]
    assert "stream in {'count': 1}" in our_events
    assert (ours, our_events) == theirs


def test_a_synchronous_execution_is_strawberrys_own():
    for extensions, data in (((Operation, SyncStep), {"hello": "world"}), ((Plain,), None)):
        answers = []
        for schema in _schemas(*extensions):
            events.clear()
            result = schema.execute_sync("{ hello }")
            data, errors, extensions = _seen(result)
            errors = [re.sub(r" at 0x[0-9a-f]+", "", error) for error in errors]  # its address
            answers.append(((data, errors, extensions), list(events)))
        # An async hook (Plain's on_validate) is refused, as strawberry does.
        assert answers[0][0][0] == data
        assert answers[0] == answers[1]
