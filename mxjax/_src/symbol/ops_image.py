"""``_image_*`` operators of the symbolic API (``mx.sym.image``): MXNet 1.9.1's names.

The computations are ``nd.image``'s JAX kernels (one definition), so a graph and
the imperative operators give the same values and gradients.
"""

from __future__ import annotations

from mxjax._src.data import nd_image as _k
from mxjax._src.symbol.attrs import REQUIRED, _literal, p_int
from mxjax._src.symbol.registry import register


def p_floats(owner: str, key: str, s: str) -> tuple[float, ...]:
    """A float or a tuple of floats (``normalize``'s ``mean=(0.5, 0.5, 0.5)``)."""
    v = _literal(owner, key, s)
    v = v if isinstance(v, (tuple, list)) else (v,)
    if not v or not all(isinstance(d, (int, float)) and not isinstance(d, bool) for d in v):
        raise ValueError(f"{owner}: attribute {key} must be floats; received {s!r}")
    return tuple(float(d) for d in v)


def _to_tensor(p, ctx, data):
    return _k._to_tensor(data)


def _normalize(p, ctx, data):
    c = data.shape[-3]
    mean = _k._per_channel("normalize", "mean", p.mean, c)
    std = _k._per_channel("normalize", "std", p.std, c)
    return _k._normalize(data, tuple(mean), tuple(1.0 / std))


def _crop(p, ctx, data):
    _k._check_region(data.shape, p.x, p.y, p.width, p.height)
    return _k._crop(data, p.x, p.y, p.width, p.height)


def _flip_lr(p, ctx, data):
    return _k._flip(data, -2)


def _flip_tb(p, ctx, data):
    return _k._flip(data, -3)


register("_image_to_tensor", _to_tensor, hint="to_tensor")
register(
    "_image_normalize",
    _normalize,
    params={"mean": (p_floats, (0.0,)), "std": (p_floats, (1.0,))},
    hint="normalize",
)
register(
    "_image_crop",
    _crop,
    params={k: (p_int, REQUIRED) for k in ("x", "y", "width", "height")},
    hint="crop",
)
register("_image_flip_left_right", _flip_lr, hint="flip_left_right")
register("_image_flip_top_bottom", _flip_tb, hint="flip_top_bottom")
