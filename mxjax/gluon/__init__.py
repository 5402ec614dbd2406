"""Gluon: Blocks, Parameters, layers (``nn``, ``rnn``), losses, the Trainer and utilities.

``gluon.data``, ``gluon.model_zoo`` and ``gluon.contrib`` are imported lazily.

Examples:
    >>> import mxjax as mx
    >>> from mxjax import gluon
    >>> net = gluon.nn.Dense(2, in_units=3)
    >>> net.initialize()
    >>> net(mx.nd.ones((1, 3))).shape
    (1, 2)
"""

import importlib as _importlib
from typing import Any as _Any

from mxjax._src.compile_cache import (
    clear_compile_cache as clear_compile_cache,
    compile_cache_info as compile_cache_info,
    set_compile_cache_size as set_compile_cache_size,
)
from mxjax._src.gluon.block import (
    Block as Block,
    HybridBlock as HybridBlock,
)
from mxjax._src.gluon.parameter import (
    Constant as Constant,
    DeferredInitializationError as DeferredInitializationError,
    Parameter as Parameter,
)
from mxjax._src.gluon.parameter_dict import ParameterDict as ParameterDict

_LAZY = {
    "nn",
    "rnn",
    "loss",
    "utils",
    "data",
    "model_zoo",
    "contrib",
    "trainer",
    "parameter",
    "block",
}

__all__ = [
    "Block",
    "Constant",
    "DeferredInitializationError",
    "HybridBlock",
    "Parameter",
    "ParameterDict",
    "SymbolBlock",
    "Trainer",
    "TrainingCheckpoint",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        module = _importlib.import_module(f"mxjax.gluon.{name}")
        globals()[name] = module
        return module
    if name == "Trainer":
        from mxjax._src.gluon.trainer import Trainer

        globals()["Trainer"] = Trainer
        return Trainer
    if name == "SymbolBlock":
        from mxjax._src.symbol.block import SymbolBlock

        globals()["SymbolBlock"] = SymbolBlock
        return SymbolBlock
    if name == "TrainingCheckpoint":
        from mxjax._src.gluon.checkpoint import TrainingCheckpoint

        globals()["TrainingCheckpoint"] = TrainingCheckpoint
        return TrainingCheckpoint
    raise AttributeError(f"module 'mxjax.gluon' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | _LAZY | {"Trainer", "TrainingCheckpoint"})
