"""The request's steps, run by strawberry as one schema extension.

Strawberry takes every extension's hooks apart again on each request and for each stage
(operation, parsing, validation, execution): it looks each hook up, inspects it, and wraps
it in a context manager it then enters with an exit stack. With four extensions that was
sixteen lookups and seven context managers per request, and four lookups more for each
event a subscription delivers. Persisted documents stay an extension of their own, before
the pipeline: theirs is the one hook around the whole operation, which a subscription
keeps open for its life, and a pipeline's generator around it cost each subscriber half a
KiB. Counted by instructions, `schema.execute` of a `{ __typename }` does 5 % less work
than with four extensions (docs/benchmarks.md, the reads' eighth round).

`Pipeline` is one `SchemaExtension` holding the steps (themselves `SchemaExtension`s,
written and tested as strawberry documents them). Which hooks the steps' classes define is
read once; on a request each stage (parsing, validation, execution) enters the steps'
hooks in the order of the steps and leaves them in the reverse order, as strawberry's exit
stack does, and an exception raised inside a stage is thrown into the hooks entered,
innermost first, with the same rules as `contextlib`: a hook that returns swallows it, one
that raises replaces it. A step's `get_results` are merged in order. Steps that need more
of strawberry than these (`on_operation`, a field `resolve` hook, `on_stream_result`) are
refused: give them to strawberry directly.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

STAGES = ("on_parse", "on_validate", "on_execute")

# A stage's hooks, in the order of the steps: (index of the step, its unbound hook, async).
Hooks = tuple[tuple[int, Callable[..., Any], bool], ...]
# By the classes of a pipeline's steps: each stage's hooks. Read once, shared by every
# request (a subscription keeps its pipeline for its whole life: nothing per instance).
_PLANS: dict[tuple[type[SchemaExtension], ...], dict[str, Hooks]] = {}


def _plan_of(steps: tuple[type[SchemaExtension], ...]) -> dict[str, Hooks]:
    found = _PLANS.get(steps)
    if found is None:
        stages: dict[str, list[tuple[int, Callable[..., Any], bool]]] = {s: [] for s in STAGES}
        for index, step in enumerate(steps):
            for stage, hook in _hooks_of(step).items():
                stages[stage].append((index, *hook))
        found = _PLANS[steps] = {stage: tuple(hooks) for stage, hooks in stages.items()}
    return found


def _hooks_of(step: type[SchemaExtension]) -> dict[str, tuple[Callable[..., Any], bool]]:
    """The lifecycle hooks `step` defines, by stage, each async or not."""
    if (
        step.on_operation is not SchemaExtension.on_operation
        or step.resolve is not SchemaExtension.resolve
        or step.on_stream_result is not SchemaExtension.on_stream_result
    ):
        raise TypeError(
            f"{step.__name__}: a pipeline step hooks parsing, validation and execution only"
        )
    found = {}
    for stage in STAGES:
        function = getattr(step, stage)
        if function is getattr(SchemaExtension, stage):
            continue
        if inspect.isasyncgenfunction(function):
            found[stage] = (function, True)
        elif inspect.isgeneratorfunction(function):
            found[stage] = (function, False)
        else:
            raise TypeError(f"{step.__name__}.{stage}: a hook is a generator that yields once")
    return found


def _stage(name: str) -> Callable[[Pipeline], AsyncIterator[None]]:
    """The pipeline's hook for stage `name`: enters the steps' hooks in order, yields once,
    leaves them in the reverse order (an async generator function, as strawberry expects)."""

    async def hook(self: Pipeline) -> AsyncIterator[None]:
        entered: list[tuple[Any, bool]] = []
        try:
            for index, function, is_async in self._plan[name]:
                generator = function(self.steps[index])
                if is_async:
                    await generator.__anext__()
                else:
                    next(generator)
                entered.append((generator, is_async))
        except BaseException as error:
            # Strawberry leaves hooks entered before a failing one as they are; they are
            # told here, so their `finally` runs. The stage fails either way.
            await _leave(entered, error)
            raise
        try:
            yield
        except BaseException as error:
            await _leave(entered, error)  # raises, unless a hook swallowed it
            return
        await _leave(entered, None)

    hook.__name__ = hook.__qualname__ = name
    return hook


class Pipeline(SchemaExtension):
    """The steps of a request, in order; see the module's docstring."""

    def __init__(self, steps: Sequence[SchemaExtension]) -> None:
        self.steps = tuple(steps)
        self._plan = _plan_of(tuple(type(step) for step in self.steps))

    @classmethod
    def of(cls, factories: Sequence[Callable[[], SchemaExtension]]) -> Callable[[], Pipeline]:
        """A factory for strawberry's `extensions`: a pipeline of new steps per request."""
        _plan_of(tuple(type(factory()) for factory in factories))  # refused now, not later
        return lambda: cls([factory() for factory in factories])

    # Strawberry sets the request's context on each extension before the first hook.
    @property  # type: ignore[override]
    def execution_context(self) -> ExecutionContext:
        return self._execution_context

    @execution_context.setter
    def execution_context(self, value: ExecutionContext) -> None:
        self._execution_context = value
        for step in self.steps:
            step.execution_context = value

    on_parse = _stage("on_parse")
    on_validate = _stage("on_validate")
    on_execute = _stage("on_execute")

    async def get_results(self) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for step in self.steps:
            found = step.get_results()
            results.update(await found if inspect.isawaitable(found) else found)
        return results


async def _leave(entered: list[tuple[Any, bool]], error: BaseException | None) -> None:
    """Leaves the hooks entered, innermost first: resumed, or `error` thrown into them.

    Raises what is left of `error` (or what a hook raised instead); returns when a hook
    swallowed it (the stage then ends normally, as with `contextlib`)."""
    while entered:
        generator, is_async = entered.pop()
        try:
            if error is None:
                await generator.__anext__() if is_async else next(generator)
            elif is_async:
                await generator.athrow(error)
            else:
                generator.throw(error)
        except (StopIteration, StopAsyncIteration):
            error = None  # finished, or swallowed what was thrown in
            continue
        except BaseException as raised:
            error = raised
            continue
        error = RuntimeError("a pipeline hook yielded more than once")
    if error is not None:
        raise error
