"""Mesa, imported without the parts a run of this model never uses (issue 25: start-up).

``import mesa`` loads all of Mesa: its continuous space (which imports SciPy's spatial
module), its network grid (networkx) and a logging decorator that reads the source of
every frame on the stack when Mesa's ``Model`` class is defined. Together these were
about 1.1 s of a command's start-up, more than a third of a national run's time in the
model, and the model uses none of them.

Every module of this project imports Mesa through here (``from sim.mesa_import import
mesa``; ``tests/test_mesa_import.py`` checks that no other module imports it directly):

- the continuous space, networkx and asyncio (which Mesa's batch runner loads through
  ``tqdm.auto``, about 0.04 s, used only by an asynchronous progress bar) are registered
  as modules whose code runs, whole and unchanged, the first time one of their names is
  used (a user's own Mesa model, the browser page), not before;
- while Mesa is imported, :func:`inspect.getouterframes` gives each frame's file, line and
  function without looking up its source. Mesa's ``method_logger`` uses only the calling
  function's name from it (for a debug message).

If Mesa was already imported (a user imported it first) nothing is changed.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

#: Modules that ``import mesa`` loads and a run never uses: loaded when first used.
DEFERRED = ("networkx", "mesa.experimental.continuous_space", "asyncio")


def _spec(name: str) -> Any:
    """The import spec of ``name`` without importing its parent packages."""
    top, _, rest = name.partition(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not rest:
        return spec
    if not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]).joinpath(*rest.split("."))
    init = folder / "__init__.py"
    if not init.is_file():
        return None
    return importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(folder)])


class _LoadedOnFirstUse(ModuleType):
    """A module whose code runs the first time one of its names is looked up (the
    standard :class:`importlib.util.LazyLoader` runs it as soon as the import system
    looks at the module's ``__spec__``, which ``import mesa`` does)."""

    def __getattr__(self, attr: str) -> Any:
        spec = self.__dict__["__spec__"]
        if self.__dict__.get("_loading"):  # a name its own code has not defined yet
            raise AttributeError(attr)
        self.__dict__["_loading"] = True
        try:
            spec.loader.exec_module(self)  # the module's own code, in this module
        finally:
            del self.__dict__["_loading"]
        return object.__getattribute__(self, attr)


def defer(name: str) -> ModuleType | None:
    """Register ``name`` as a module loaded on first use; ``None`` if it is imported
    already or not installed (Mesa treats networkx as optional)."""
    if name in sys.modules:
        return None
    spec = _spec(name)
    if spec is None or spec.loader is None:
        return None
    module = _LoadedOnFirstUse(name)
    module.__spec__ = spec
    module.__loader__ = spec.loader
    module.__file__ = spec.origin
    if spec.submodule_search_locations is not None:
        module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = name if spec.submodule_search_locations is not None else \
        name.rpartition(".")[0]
    sys.modules[name] = module
    return module


def _import_mesa() -> ModuleType:
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    for name in DEFERRED:
        defer(name)
    original = inspect.getouterframes

    def outer_frames_without_source(frame: FrameType | None, context: int = 1
                                    ) -> list[tuple[Any, ...]]:
        """``(frame, file, line, function, None, None)`` for each frame outwards: what
        :func:`inspect.getouterframes` gives, without looking for each frame's source
        file and lines (the slow part)."""
        out = []
        while frame is not None:
            out.append((frame, frame.f_code.co_filename, frame.f_lineno,
                        frame.f_code.co_name, None, None))
            frame = frame.f_back
        return out

    inspect.getouterframes = outer_frames_without_source  # type: ignore[assignment]
    try:
        import mesa
    finally:
        inspect.getouterframes = original  # type: ignore[assignment]
    return mesa


mesa = _import_mesa()

__all__ = ["DEFERRED", "defer", "mesa"]
