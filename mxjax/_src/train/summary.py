"""``Model.summary``: output shapes and parameter counts per layer, from shapes only."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["model_summary"]


def _count(tree) -> int:
    return sum(math.prod(np.shape(a)) for a in jax.tree.leaves(tree))


def _shape(out):
    if isinstance(out, (tuple, list)):
        return [tuple(o.shape) for o in out]
    return tuple(out.shape)


def model_summary(model, inputs, input_shape, print_fn=print) -> int:
    """Prints the table of :meth:`mxjax.train.Model.summary`; returns the parameter count."""
    if inputs:
        specs = tuple(
            jax.ShapeDtypeStruct((1, *np.shape(a)[1:]), jnp.asarray(a).dtype) for a in inputs
        )
    elif input_shape is not None:
        specs = (jax.ShapeDtypeStruct((1, *tuple(input_shape)), jnp.float32),)
    else:
        specs = getattr(model, "_input_spec", None)
        if specs is None:
            raise ValueError(
                "summary: the model was never built; pass an example input "
                "(model.summary(x)) or input_shape=(784,)"
            )
    layer = model.layer
    params, state = model.params, model.state
    if params is None:
        params, state = jax.eval_shape(lambda *x: layer.init(jax.random.key(0), *x), *specs)
    children = getattr(layer, "layers", None)
    rows = []
    if isinstance(children, tuple) and children:
        xs = specs
        for i, child in enumerate(children):
            p, s = params.get(str(i), {}), state.get(str(i), {})
            out = jax.eval_shape(lambda p, s, *x, c=child: c.apply(p, s, *x)[0], p, s, *xs)
            rows.append((f"{i} ({type(child).__name__})", _shape(out), _count(p)))
            xs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    else:
        out = jax.eval_shape(lambda p, s, *x: layer.apply(p, s, *x)[0], params, state, *specs)
        rows.append((type(layer).__name__, _shape(out), _count(params)))
    total = _count(params)
    line = "-" * 80
    print_fn(f"{'Layer (type)':<30} {'Output Shape':<30} {'Param #':>10}")
    print_fn("=" * 80)
    print_fn(
        f"{'Input':<30} {str([tuple(s.shape) for s in specs][0] if len(specs) == 1 else [tuple(s.shape) for s in specs]):<30} {0:>10}"
    )
    for name, shape, n in rows:
        print_fn(f"{name:<30} {str(shape):<30} {n:>10}")
    print_fn("=" * 80)
    print_fn(f"Total params: {total}")
    print_fn(f"Non-parameter state: {_count(state)}")
    print_fn(line)
    return total
