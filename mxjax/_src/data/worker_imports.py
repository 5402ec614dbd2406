"""The parent's import system, carried to spawned DataLoader workers.

MXNet's workers are forked, so they see every module the training process has
loaded, under every name it is known by. mxjax's workers are spawned (JAX is
not fork-safe): they start a fresh interpreter, which already gets the parent's
``sys.path`` and working directory from :mod:`multiprocessing`, and unpickle the
dataset there, importing the modules its classes live in. Two things a spawned
interpreter lacks are carried here, so those imports resolve as in the parent:

* module aliases: ``sys.modules['mxnet'] = mxjax`` (a common way to run an
  MXNet code base unchanged) maps ``mxnet`` and ``mxnet.x.y`` to ``mxjax`` and
  ``mxjax.x.y`` in the worker too, ahead of any other module of that name;
* import hooks: the parent's ``sys.meta_path`` finders that pickle by
  reference and that the worker does not already have are appended to the
  worker's ``sys.meta_path``, so they only answer names nothing else finds.

Objects defined in ``__main__`` or a notebook are a separate matter: cloudpickle
sends them by value (see :class:`~mxjax.data.DataLoader`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import pickle
import sys
import types
from typing import Any

__all__ = ["capture", "install"]

_SKIP = ("__main__", "__mp_main__")


def _aliases() -> dict[str, str]:
    """``{name: real name}`` for modules in ``sys.modules`` under a name not their own."""
    out = {}
    for key, mod in list(sys.modules.items()):
        if key in _SKIP or not isinstance(mod, types.ModuleType):
            continue
        real = getattr(mod, "__name__", None)
        if isinstance(real, str) and real != key and real not in _SKIP:
            if sys.modules.get(real) is mod:
                out[key] = real
    return out


def _finder_id(finder: Any) -> str:
    cls = finder if isinstance(finder, type) else type(finder)
    return f"{cls.__module__}.{cls.__qualname__}"


def capture() -> bytes:
    """The parent's module aliases and picklable import hooks, as bytes for a worker.

    Finders that do not pickle (they hold open files, locks, local functions)
    are left out: the worker cannot have them, and most such hooks (pytest's
    assertion rewriter, for one) are not needed to load data.
    """
    finders = []
    for finder in sys.meta_path:
        if isinstance(finder, _AliasFinder) or finder in _STANDARD:
            continue
        try:
            finders.append((_finder_id(finder), pickle.dumps(finder)))
        except Exception:  # noqa: BLE001 - an unpicklable hook is simply not carried
            continue
    return pickle.dumps((_aliases(), finders))


def install(state: bytes) -> None:
    """Installs what :func:`capture` recorded in this (worker) process."""
    aliases, finders = pickle.loads(state)
    have = {_finder_id(f) for f in sys.meta_path}
    for fid, data in finders:
        if fid in have:
            continue
        try:
            sys.meta_path.append(pickle.loads(data))
        except Exception:  # noqa: BLE001 - a hook whose module is gone is not carried
            continue
        have.add(fid)
    aliases = {k: v for k, v in aliases.items() if k not in sys.modules}
    if aliases:
        sys.meta_path.insert(0, _AliasFinder(aliases))


_STANDARD = (
    importlib.machinery.BuiltinImporter,
    importlib.machinery.FrozenImporter,
    importlib.machinery.PathFinder,
)


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``alias`` and ``alias.sub`` to the module the parent had under that name."""

    def __init__(self, aliases: dict[str, str]):
        self.aliases = aliases

    def _target(self, fullname: str) -> str | None:
        if fullname in self.aliases:
            return self.aliases[fullname]
        parts = fullname.split(".")
        for n in range(len(parts) - 1, 0, -1):  # the longest aliased package prefix
            head = ".".join(parts[:n])
            if head in self.aliases:
                return ".".join([self.aliases[head], *parts[n:]])
        return None

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        real = self._target(fullname)
        if real is None:
            return None
        try:
            found = importlib.util.find_spec(real)
        except (ImportError, ValueError):
            return None
        if found is None:
            return None
        return importlib.util.spec_from_loader(
            fullname, self, is_package=found.submodule_search_locations is not None
        )

    def create_module(self, spec: Any) -> types.ModuleType:
        return importlib.import_module(self._target(spec.name))

    def exec_module(self, module: types.ModuleType) -> None:
        """The real module is already executed."""
