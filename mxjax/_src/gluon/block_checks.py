"""MXNet's checks on Blocks: hybridized call inputs, containers of unregistered Blocks."""

from __future__ import annotations

from typing import Any

import numpy as np

from mxjax._src.gluon import _bridge as B

__all__ = ["check_hybrid_inputs", "unregistered_containers"]


def unregistered_containers(block: Any, block_type: type) -> list[str]:
    """Names of ``block``'s list/tuple/dict attributes holding Blocks that are not its children."""
    children = {id(c) for c in block._children.values()}

    def unregistered(data: Any) -> bool:
        if isinstance(data, (list, tuple)):
            return any(unregistered(v) for v in data)
        if isinstance(data, dict):
            return any(unregistered(v) for v in data.values())
        return isinstance(data, block_type) and id(data) not in children

    return [
        k
        for k, v in block.__dict__.items()
        if isinstance(v, (list, tuple, dict))
        and not k.startswith("__")
        and k != "_children"
        and unregistered(v)
    ]


def check_hybrid_inputs(args: tuple, active: bool) -> None:
    """MXNet's checks of a HybridBlock call: at least one NDArray or Symbol, not both; when
    hybridized, only (nested lists of) NDArrays or None, on one context."""
    if len(args) == 1 and B.is_ndarray(args[0]):
        return  # the common call: nothing to check
    leaves = B.flatten_args(args)[0]
    n_nd = sum(1 for a in leaves if B.is_ndarray(a))
    n_sym = sum(1 for a in leaves if type(a).__name__ == "Symbol")
    if n_nd and n_sym:
        raise ValueError(
            "In HybridBlock, we do not support mixed NDArrays and Symbols types for the "
            "input. Please check the type of the args."
        )
    if not n_nd and not n_sym and all(a is None for a in leaves):
        raise ValueError(
            "In HybridBlock, there must be one NDArray or one Symbol in the input. Please "
            "check the type of the args."
        )
    if not active or n_sym:
        return
    ctxs: set = set()
    for a in leaves:
        if B.is_ndarray(a):
            c = a.context
            ctxs.add(("cpu", c.device_id) if c.device_type.startswith("cpu") else c)
        elif isinstance(a, (int, float, bool, np.generic)):
            raise ValueError(
                "When hybridized, the input of HybridBlock input must be (nested) list of "
                f"Symbol or NDArray, but got {a!r} of type {type(a)}"
            )
    if len(ctxs) > 1:
        found = sorted({str(a.context) for a in B.flatten_args(args)[0] if B.is_ndarray(a)})
        raise ValueError(
            "Find multiple contexts in the input, After hybridized, the HybridBlock only "
            f"supports one input context. Find all contexts = {found}"
        )
