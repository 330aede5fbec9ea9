"""The request's steps run by strawberry as one extension (schema/engine/pipeline.py).

A small strawberry schema whose only extension is a pipeline of recording steps: each
stage enters the steps' hooks in order and leaves them in reverse, as strawberry's own
exit stack does for separate extensions; an error inside a stage reaches every hook
entered; results are merged; steps that need more of strawberry are refused. The
product's own steps (persisted documents, limits and cost, partner scopes, the planner)
are covered through HTTP by their own modules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from schema.engine.pipeline import Pipeline

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


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        events.append("resolver")
        return "world"


class Operation(SchemaExtension):
    """An extension of its own around the whole operation, before the pipeline."""

    def on_operation(self) -> Iterator[None]:
        events.append("operation in")
        yield
        events.append("operation out")


def _schema(*steps: type[SchemaExtension]) -> strawberry.Schema:
    return strawberry.Schema(query=Query, extensions=[Operation, Pipeline.of(list(steps))])


async def _separately(*steps: type[SchemaExtension]) -> tuple[Any, list[str]]:
    """The answer and events with the same steps as strawberry's own separate extensions."""
    events.clear()
    schema = strawberry.Schema(query=Query, extensions=[Operation, *steps])
    result = await schema.execute("{ hello }")
    return result, list(events)


async def test_each_stage_enters_the_steps_in_order_and_leaves_them_in_reverse():
    events.clear()
    result = await _schema(SyncStep, AsyncStep).execute("query Hi { hello }")
    assert result.errors is None
    assert result.data == {"hello": "world"}
    assert events == [
        "operation in",
        "sync parse in",
        "sync parse out",
        "async validate in",
        "async validate out",
        "sync execute in",
        "async execute in (Hi)",
        "resolver",
        "async execute out",
        "sync execute out",
        "operation out",
    ]
    # Each step's results, in the order of the steps: a later step's key wins.
    assert result.extensions == {"sync": 1, "async": 2, "both": "async"}
    events.clear()
    await _schema(SyncStep, AsyncStep).execute("{ hello }")
    ours = list(events)
    theirs, their_events = await _separately(SyncStep, AsyncStep)
    assert ours == their_events
    assert theirs.extensions == result.extensions


async def test_steps_are_new_for_each_request():
    seen: list[int] = []

    class Counting(SchemaExtension):
        def __init__(self) -> None:
            self.count = 0

        def on_execute(self) -> Iterator[None]:
            self.count += 1
            seen.append(self.count)
            yield

    schema = _schema(Counting)
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
    events.clear()
    result = await _schema(SyncStep, AsyncStep, Failing).execute("{ hello }")
    # Strawberry answers with the error, as it would from separate extensions.
    assert [error.message for error in result.errors or ()] == ["boom"]
    assert events[5:] == [
        "sync execute in",
        "async execute in (None)",
        "failing execute in",
        "resolver",
        "async execute out",  # its `finally`, innermost first
        "sync saw boom",  # thrown into it; "sync execute out" is never reached
    ]  # and on through the operation's hook, which does not catch it
    theirs, their_events = await _separately(SyncStep, AsyncStep, Failing)
    assert their_events == events
    assert [error.message for error in theirs.errors or ()] == ["boom"]


async def test_a_hook_may_swallow_an_error_thrown_into_it():
    class Swallowing(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            try:
                yield
            except RuntimeError:
                events.append("swallowed")

    events.clear()
    result = await _schema(Swallowing, Failing).execute("{ hello }")
    assert result.data == {"hello": "world"}
    assert events == [
        "operation in",
        "failing execute in",
        "resolver",
        "swallowed",
        "operation out",
    ]
    theirs, their_events = await _separately(Swallowing, Failing)
    assert (theirs.data, their_events) == (result.data, events)


def test_a_step_with_more_than_the_three_stages_or_a_plain_function_is_refused():
    class Middleware(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            return _next(root, info, *args, **kwargs)

    class NotAGenerator(SchemaExtension):
        def on_execute(self) -> None:  # type: ignore[override]
            return None

    for step in (Middleware, Operation):
        with pytest.raises(TypeError, match="parsing, validation and execution only"):
            Pipeline.of([step])
    with pytest.raises(TypeError, match="a generator that yields once"):
        Pipeline.of([NotAGenerator])


async def test_a_hook_that_yields_twice_is_an_error():
    class Twice(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            yield
            yield

    result = await _schema(Twice).execute("{ hello }")
    assert [error.message for error in result.errors or ()] == [
        "a pipeline hook yielded more than once"
    ]
