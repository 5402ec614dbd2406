"""``Block.summary``: Gluon's table of layers, output shapes and parameter counts."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from mxjax._src.errors import CheckError
from mxjax._src.gluon import _bridge as B

__all__ = ["summary"]


def _summary_input(self: Any) -> Any:
    """A batch-of-one zero input from the first layer's ``input_shape`` (or ``in_units``)."""
    first = self
    while first._children:
        first = next(iter(first._children.values()))
    shape = getattr(first, "input_shape", None)
    if shape is None and getattr(first, "_in_units", 0):
        shape = (first._in_units,)
    if shape is None:
        raise TypeError(
            f"{type(self).__name__}.summary() needs an example input, e.g. "
            "net.summary(mx.nd.ones((1, 784))), or input_shape= on the first layer"
        )
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    params = self.collect_params().values()
    if any(p._data is None and not getattr(p, "_deferred", None) for p in params):
        from mxjax._src import initializers

        self.initialize(initializers.Xavier())  # as fit would; initialized ones are kept
    return B.wrap(jnp.zeros((1, *shape), jnp.float32))


def _shapes_of(x: Any) -> Any:
    """The shape of an array, or the nested list of shapes of a list of arrays."""
    if isinstance(x, (list, tuple)):
        return [_shapes_of(v) for v in x]
    return tuple(x.shape)


def summary(self: Any, inputs: tuple) -> None:
    """Runs ``self`` imperatively on ``inputs`` (or an example input) and prints the table."""
    if getattr(self, "_active", False):
        raise CheckError(
            f"{type(self).__name__}.summary() cannot be called on a hybridized block "
            "(as MXNet); call it before hybridize() or after hybridize(False)"
        )
    if not inputs:
        inputs = (_summary_input(self),)
    rows: list = []
    seen: set = set()
    handles = []

    def hook(block, _inputs, outputs):
        own = [p for p in block._reg_params.values()]
        n = 0
        for p in own:
            if id(p) not in seen and p.shape is not None:
                seen.add(id(p))
                n += int(np.prod(p.shape))
        shape = _shapes_of(outputs)
        name = f"{type(block).__name__}-{len(rows) + 1}"
        rows.append((name, shape, n, own))

    self.apply(lambda b: handles.append(b.register_forward_hook(hook)))
    active: list = []
    self.apply(lambda b: active.append((b, getattr(b, "_active", None))))
    for b, _ in active:
        if hasattr(b, "_active"):
            b._active = False  # run imperatively so every child's hook fires
    try:
        in_shape = [_shapes_of(x) for x in inputs]
        with B.pause(False):
            self(*inputs)
    finally:
        for h in handles:
            h.detach()
        for b, a in active:
            if a is not None:
                b._active = a
    line = "-" * 80
    print(line)
    print(f"{'Layer (type)':>20}  {'Output Shape':>42}  {'Param #':>14}")
    print("=" * 80)
    print(f"{'Input':>20}  {str(in_shape[0] if len(in_shape) == 1 else in_shape):>42}  {0:>14}")
    total = trainable = 0
    for name, shape, n, own in rows:
        print(f"{name:>20}  {str(shape):>42}  {n:>14}")
        total += n
        trainable += sum(int(np.prod(p.shape)) for p in own if p.grad_req != "null" and p.shape)
    print("=" * 80)
    print("Parameters in forward computation graph, duplicate included")
    print(f"   Total params: {total}")
    print(f"   Trainable params: {trainable}")
    print(f"   Non-trainable params: {total - trainable}")
    print("Shared params in forward computation graph: 0")
    print(f"Unique parameters in model: {total}")
    print(line)
