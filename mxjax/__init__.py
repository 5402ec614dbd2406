"""mxjax: a deep learning framework on JAX with an MXNet Gluon-compatible facade.

The functional core lives in :mod:`mxjax.layers`, :mod:`mxjax.init`,
:mod:`mxjax.losses` and :mod:`mxjax.optim`; the Gluon facade in
:mod:`mxjax.nd`, :mod:`mxjax.autograd` and :mod:`mxjax.gluon`.
Sub-packages are imported lazily, so ``import mxjax as mx`` is cheap.

Examples:
    >>> import mxjax as mx
    >>> mx.__version__
    '0.1.0.dev0'
"""

from __future__ import annotations

import importlib
from typing import Any

from mxjax._src import persistent_cache as _persistent_cache
from mxjax._src.errors import MXJaxError as MXJaxError

__version__ = "0.1.0.dev0"

# Public sub-modules, imported on first attribute access (PEP 562).
_SUBMODULES = {
    "amp",
    "attribute",
    "autograd",
    "callback",
    "cli",
    "persistent_cache",
    "context",
    "contrib",
    "data",
    "gluon",
    "image",
    "init",
    "initializer",
    "io",
    "kvstore",
    "launch",
    "layers",
    "losses",
    "lr_scheduler",
    "metric",
    "mod",
    "model",
    "module",
    "name",
    "nd",
    "ndarray",
    "ops",
    "optim",
    "optimizer",
    "parallel",
    "random",
    "recordio",
    "runtime",
    "sym",
    "symbol",
    "train",
    "util",
}
# Names MXNet exposes at top level, forwarded to where they live.
_FORWARDS = {
    "AttrScope": ("mxjax.attribute", "AttrScope"),
    "cpu": ("mxjax.context", "cpu"),
    "gpu": ("mxjax.context", "gpu"),
    "cpu_pinned": ("mxjax.context", "cpu_pinned"),
    "cpu_shared": ("mxjax.context", "cpu_shared"),
    "Context": ("mxjax.context", "Context"),
    "current_context": ("mxjax.context", "current_context"),
    "num_gpus": ("mxjax.context", "num_gpus"),
    "kv": ("mxjax", "kvstore"),
    "img": ("mxjax", "image"),
    "is_np_shape": ("mxjax.util", "is_np_shape"),
    "set_np_shape": ("mxjax.util", "set_np_shape"),
    "np_shape": ("mxjax.util", "np_shape"),
    "use_np_shape": ("mxjax.util", "use_np_shape"),
    "is_np_array": ("mxjax.util", "is_np_array"),
    "np_array": ("mxjax.util", "np_array"),
    "use_np_array": ("mxjax.util", "use_np_array"),
    "use_np": ("mxjax.util", "use_np"),
}

__all__ = ["MXJaxError", "__version__", *sorted(_SUBMODULES), *sorted(_FORWARDS)]

# The persistent compilation cache is on by default (MXJAX_CACHE_DIR=off turns it off).
_persistent_cache._configure_at_import()


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"mxjax.{name}")
        globals()[name] = module
        return module
    if name in _FORWARDS:
        module_name, attr = _FORWARDS[name]
        value = getattr(importlib.import_module(module_name), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mxjax' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_FORWARDS))
