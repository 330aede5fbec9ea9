"""Strawberry's extension runner, with each extension class's hooks read once.

Strawberry's own runner takes every extension apart again on each stage of each request
(operation, parsing, validation, execution, and each event a subscription delivers): it
looks the stage's hook up, asks `inspect` what kind of function it is, wraps it with
`contextlib` (`functools.update_wrapper` included) and enters it through an exit stack.
With the product's extensions, reading them once here took a fifth off the CPU of a
signed-in `{ __typename }` in process (docs/benchmarks.md, the reads' twelfth round).

`HookRunner` is that runner (`Schema.create_extensions_runner` returns it) with the same
rules, done with less: which hook each extension class defines for a stage, and its kind,
is read once, and so is the list of a stage's hooks for the schema's extension classes;
a stage calls the hooks in the order of the extensions and leaves them in the reverse
order; an exception raised inside the stage is thrown into the hooks entered, innermost
first, with `contextlib`'s rules (a hook that returns swallows it, one that raises
replaces it). Hooks are what strawberry documents: a generator or an async
generator that yields once, or a plain or async function run on entering. One difference:
when a hook fails on entering, the hooks entered before it are told (their `finally`
runs), where strawberry's exit stack left them suspended.

Only the async stages are ours; a stage entered with a plain `with` (strawberry's
synchronous execution) is strawberry's own context manager.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    StreamResultContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

# What a hook is, so how a stage enters it.
GENERATOR, ASYNC_GENERATOR, FUNCTION, COROUTINE = range(4)

Hook = tuple[Callable[..., Any], int]
# By extension class and stage: its hook and kind, None when it has none. Read once: a
# process has a few extension classes, the same on every request.
_HOOKS: dict[tuple[type[SchemaExtension], str], Hook | None] = {}
# A stage's hooks for a request's extensions: (position, hook, kind) of those that have
# one, by the extensions' classes and the stage. A schema makes the same classes, in the
# same order, for every request: one entry per schema and stage.
Hooks = tuple[tuple[int, Callable[..., Any], int], ...]
_STAGES: dict[tuple[tuple[type[SchemaExtension], ...], str], Hooks] = {}


def hook_of(extension: type[SchemaExtension], stage: str) -> Hook | None:
    """The hook `extension` defines for `stage` and its kind, None if it defines none."""
    key = (extension, stage)
    if key in _HOOKS:
        return _HOOKS[key]
    function = getattr(extension, stage)
    if function is getattr(SchemaExtension, stage):
        found: Hook | None = None
    elif inspect.isgeneratorfunction(function):
        found = (function, GENERATOR)
    elif inspect.isasyncgenfunction(function):
        found = (function, ASYNC_GENERATOR)
    elif inspect.iscoroutinefunction(function):
        found = (function, COROUTINE)
    elif callable(function):
        found = (function, FUNCTION)
    else:
        raise ValueError(f"Hook {stage} on {extension} must be callable, received {function!r}")
    _HOOKS[key] = found
    return found


def stage_hooks(classes: tuple[type[SchemaExtension], ...], stage: str) -> Hooks:
    """The hooks of `stage` for extensions of `classes`, in their order (read once)."""
    key = (classes, stage)
    found = _STAGES.get(key)
    if found is None:
        found = _STAGES[key] = tuple(
            (position, *hook)
            for position, extension in enumerate(classes)
            if (hook := hook_of(extension, stage)) is not None
        )
    return found


_REPORTS: dict[type[SchemaExtension], bool] = {}


def reports(extension: type[SchemaExtension]) -> bool:
    """Whether the class has results of its own for `extensions` (read once)."""
    found = _REPORTS.get(extension)
    if found is None:
        found = _REPORTS[extension] = extension.get_results is not SchemaExtension.get_results
    return found


class Stage:
    """One stage of one request: `async with` enters its extensions' hooks, in order."""

    __slots__ = ("_args", "_entered", "_extensions", "_hooks", "_strawberry", "_sync")

    def __init__(
        self,
        hooks: Hooks,
        extensions: list[SchemaExtension],
        strawberry: Callable[[], ExtensionContextManagerBase],
        *args: Any,
    ) -> None:
        self._hooks = hooks
        self._extensions = extensions
        self._args = args
        self._strawberry = strawberry
        self._entered: list[tuple[Any, bool]] = []
        self._sync: ExtensionContextManagerBase | None = None

    async def __aenter__(self) -> None:
        entered = self._entered
        extensions = self._extensions
        try:
            for position, function, kind in self._hooks:
                extension = extensions[position]
                if kind == GENERATOR:
                    generator = function(extension, *self._args)
                    try:
                        next(generator)
                    except StopIteration:
                        raise RuntimeError("generator didn't yield") from None
                    entered.append((generator, False))
                elif kind == ASYNC_GENERATOR:
                    generator = function(extension, *self._args)
                    try:
                        await generator.__anext__()
                    except StopAsyncIteration:
                        raise RuntimeError("generator didn't yield") from None
                    entered.append((generator, True))
                elif kind == COROUTINE:
                    await function(extension, *self._args)
                else:
                    function(extension, *self._args)
        except BaseException as error:
            await leave(entered, error)
            raise

    async def __aexit__(self, kind: Any, error: BaseException | None, traceback: Any) -> bool:
        try:
            await leave(self._entered, error)
        except BaseException as raised:
            if raised is error:
                return False  # the stage's own error goes on
            raise
        return error is not None  # swallowed by a hook

    # Strawberry's synchronous execution: its own context manager, as it would be.
    def __enter__(self) -> None:
        self._sync = self._strawberry()
        self._sync.__enter__()

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> None:
        assert self._sync is not None
        self._sync.__exit__(kind, error, traceback)


class HookRunner(SchemaExtensionsRunner):
    """Strawberry's runner, its stages `Stage`s; see the module's docstring."""

    def __init__(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension] | None = None
    ) -> None:
        super().__init__(execution_context, extensions)
        self._classes = tuple(type(extension) for extension in self.extensions)

    def _stage(
        self, name: str, strawberry: Callable[[], ExtensionContextManagerBase], *args: Any
    ) -> Stage:
        return Stage(stage_hooks(self._classes, name), self.extensions, strawberry, *args)

    def operation(self) -> Any:
        return self._stage("on_operation", self._operation)

    def validation(self) -> Any:
        return self._stage("on_validate", self._validation)

    def parsing(self) -> Any:
        return self._stage("on_parse", self._parsing)

    def executing(self) -> Any:
        return self._stage("on_execute", self._executing)

    def on_stream_result(self, result: Any) -> Any:
        return self._stage(
            "on_stream_result",
            lambda: StreamResultContextManager(self.extensions, result),
            result,
        )

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        """strawberry's, asking only the extensions whose class reports something."""
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if not reports(type(extension)):
                continue  # SchemaExtension.get_results: nothing
            results = extension.get_results()
            data.update(results if type(results) is dict else await await_maybe(results))
        data.update(ctx.extensions_results)
        return data

    def _operation(self) -> ExtensionContextManagerBase:
        return OperationContextManager(self.extensions)

    def _validation(self) -> ExtensionContextManagerBase:
        return ValidationContextManager(self.extensions)

    def _parsing(self) -> ExtensionContextManagerBase:
        return ParsingContextManager(self.extensions)

    def _executing(self) -> ExtensionContextManagerBase:
        return ExecutingContextManager(self.extensions)


async def leave(entered: list[tuple[Any, bool]], error: BaseException | None) -> None:
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
        # It yielded again: contextlib's error, with its words.
        thrown = "athrow()" if is_async else "throw()"
        error = RuntimeError(
            "generator didn't stop" if error is None else f"generator didn't stop after {thrown}"
        )
    if error is not None:
        raise error
