"""Descriptor registry driving the generic layer tests.

Each ``tests/layers/descriptors_*.py`` module defines ``DESCRIPTORS``, a list of
:class:`Descriptor`. ``test_registry.py`` runs every generic check on every
descriptor and fails if a public layer of ``mxjax.layers`` has none.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import tests.layers as _pkg


@dataclasses.dataclass
class Descriptor:
    """How to build and feed one layer configuration.

    Attributes:
        id: test id.
        make: zero-argument factory returning the layer (called with
            ``dtype=`` overrides via ``make_dtype`` for low-precision runs).
        inputs: shapes of the example inputs (floats unless ``int_inputs``).
        names: the exact Gluon names of params and state, joined with ``.``.
        out_shape: expected output shape (of the first output if a tuple).
        int_inputs: (low, high) to draw integer inputs instead of floats.
        batch_axis: the batch axis of the inputs and of the output, for vmap.
        vmap: whether per-sample vmap must equal the batched call.
        grads: whether to run ``check_grads``.
        make_dtype: factory taking a dtype string, for float16/bfloat16 runs
            (None: the layer has no dtype option, inputs are cast only).
        low_precision: whether float16/bfloat16 runs are expected to work.
    """

    id: str
    make: Callable[[], Any]
    inputs: list[tuple[int, ...]]
    names: set[str]
    out_shape: tuple[int, ...]
    int_inputs: tuple[int, int] | None = None
    batch_axis: int = 0
    vmap: bool = True
    grads: bool = True
    make_dtype: Callable[[str], Any] | None = None
    low_precision: bool = True
    apply_kwargs: dict = dataclasses.field(default_factory=dict)


def all_descriptors() -> list[Descriptor]:
    out: list[Descriptor] = []
    for mod in pkgutil.iter_modules(_pkg.__path__):
        if mod.name.startswith("descriptors_"):
            out.extend(importlib.import_module(f"tests.layers.{mod.name}").DESCRIPTORS)
    return out
