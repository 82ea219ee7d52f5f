"""Schema-extension hooks run without strawberry's per-request wrapping.

strawberry's `SchemaExtensionsRunner` wraps every hook of every phase in
`contextlib.contextmanager` and enters it through an `ExitStack`, a measurable part of a read's
CPU (bench/README.md). `LightRunner` runs hooks that are plain generator functions, as all the
gateway's are, the way `contextlib` would (in order on entry, in reverse on exit, exceptions
passed through); `LightSchema` uses it when every hook is one, strawberry's runner otherwise."""

from __future__ import annotations

import inspect
from collections.abc import Generator
from types import TracebackType
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

PHASES = ("on_operation", "on_parse", "on_validate", "on_execute")


class _Phase:
    """One phase's hooks, entered in order and left in reverse order."""

    __slots__ = ("hooks", "running")

    def __init__(self, hooks: list[Any]) -> None:
        self.hooks = hooks
        self.running: list[Generator[None, None, None]] = []

    def __enter__(self) -> None:
        for hook in self.hooks:
            generator = hook()
            next(generator)
            self.running.append(generator)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        pending = exc
        running, self.running = self.running, []
        for generator in reversed(running):
            try:
                if pending is None:
                    next(generator)
                else:
                    generator.throw(pending)
            except StopIteration:
                pending = None  # finished; an exception thrown into it was handled there
                continue
            except BaseException as raised:
                pending = raised
                continue
            name = getattr(generator, "__qualname__", "a hook")
            pending = RuntimeError(f"{name} did not stop after its yield")
        if pending is None:
            return exc is not None  # an exception every hook handled is suppressed
        if pending is exc:
            return False
        raise pending

    async def __aenter__(self) -> None:
        self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        return self.__exit__(exc_type, exc, tb)


# Extension class → the names of the phases it overrides, or None if a hook of it is not a
# plain generator function (strawberry's runner handles those).
_hooks_of: dict[type[SchemaExtension], tuple[str, ...] | None] = {}


def _overridden(cls: type[SchemaExtension]) -> tuple[str, ...] | None:
    if cls not in _hooks_of:
        names: list[str] | None = []
        for name in PHASES:
            hook = getattr(cls, name)
            if hook is getattr(SchemaExtension, name):
                continue
            if not inspect.isgeneratorfunction(hook):
                names = None
                break
            names.append(name)  # type: ignore[union-attr]
        _hooks_of[cls] = tuple(names) if names is not None else None
    return _hooks_of[cls]


class LightRunner(SchemaExtensionsRunner):
    def __init__(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> None:
        super().__init__(execution_context, extensions)
        self.phases: dict[str, list[Any]] = {name: [] for name in PHASES}
        for extension in extensions:
            for name in _hooks_of[type(extension)] or ():
                self.phases[name].append(getattr(extension, name))

    def operation(self) -> Any:
        return _Phase(self.phases["on_operation"])

    def parsing(self) -> Any:
        return _Phase(self.phases["on_parse"])

    def validation(self) -> Any:
        return _Phase(self.phases["on_validate"])

    def executing(self) -> Any:
        return _Phase(self.phases["on_execute"])


class LightSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        if all(_overridden(type(extension)) is not None for extension in extensions):
            return LightRunner(execution_context, extensions)
        return super().create_extensions_runner(execution_context, extensions)
