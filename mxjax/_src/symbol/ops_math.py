"""Elementwise operators of the symbolic API: binary, broadcast, scalar and unary maths.

Each is a few lines over ``jax.numpy`` with MXNet 1.9.1's names, parameters and
dtype rules (comparisons return the input dtype, scalar operands take the
array's dtype).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.symbol.attrs import (
    REQUIRED,
    p_bool,
    p_float,
    p_str,
)
from mxjax._src.symbol.registry import register


def _same_rank(a, b):
    """MXNet broadcasting aligns trailing axes; make ranks equal explicitly."""
    if a.ndim < b.ndim:
        a = a.reshape((1,) * (b.ndim - a.ndim) + a.shape)
    elif b.ndim < a.ndim:
        b = b.reshape((1,) * (a.ndim - b.ndim) + b.shape)
    return a, b


def _cmp(fn):
    return lambda a, b: fn(a, b).astype(jnp.result_type(a))


_BINARY = {
    "add": jnp.add,
    "sub": jnp.subtract,
    "mul": jnp.multiply,
    "div": jnp.divide,
    "mod": jnp.mod,
    "power": jnp.power,
    "maximum": jnp.maximum,
    "minimum": jnp.minimum,
    "hypot": jnp.hypot,
    "equal": _cmp(jnp.equal),
    "not_equal": _cmp(jnp.not_equal),
    "greater": _cmp(jnp.greater),
    "greater_equal": _cmp(jnp.greater_equal),
    "lesser": _cmp(jnp.less),
    "lesser_equal": _cmp(jnp.less_equal),
    "logical_and": _cmp(lambda a, b: jnp.logical_and(a != 0, b != 0)),
    "logical_or": _cmp(lambda a, b: jnp.logical_or(a != 0, b != 0)),
    "logical_xor": _cmp(lambda a, b: jnp.logical_xor(a != 0, b != 0)),
}


def _elemwise(fn, name):
    def compute(p, ctx, lhs, rhs):
        if lhs.shape != rhs.shape:
            raise ValueError(
                f"{name}: both inputs must have the same shape (use broadcast_* to broadcast); "
                f"received {tuple(lhs.shape)} and {tuple(rhs.shape)}"
            )
        return fn(lhs, rhs)

    return compute


def _broadcast(fn):
    def compute(p, ctx, lhs, rhs):
        return fn(*_same_rank(lhs, rhs))

    return compute


def _same_shape_infer(p, s):
    known = next((x for x in s if x is not None), None)
    return [x or known for x in s]


_ELEMWISE_ALIASES = {
    "add": ("elemwise_add", "_plus", "_Plus", "_add", "_grad_add"),
    "sub": ("elemwise_sub", "_minus", "_Minus", "_sub"),
    "mul": ("elemwise_mul", "_mul", "_Mul"),
    "div": ("elemwise_div", "_div", "_Div"),
    "mod": ("_mod", "_Mod"),
    "power": ("_power", "_Power"),
    "maximum": ("_maximum", "_Maximum"),
    "minimum": ("_minimum", "_Minimum"),
    "hypot": ("_hypot", "_Hypot"),
    "equal": ("_equal", "_Equal"),
    "not_equal": ("_not_equal", "_Not_Equal"),
    "greater": ("_greater", "_Greater"),
    "greater_equal": ("_greater_equal", "_Greater_Equal"),
    "lesser": ("_lesser", "_Lesser"),
    "lesser_equal": ("_lesser_equal", "_Lesser_Equal"),
    "logical_and": ("_logical_and",),
    "logical_or": ("_logical_or",),
    "logical_xor": ("_logical_xor",),
}
for _k, _names in _ELEMWISE_ALIASES.items():
    register(
        _names[0],
        _elemwise(_BINARY[_k], _names[0]),
        *_names[1:],
        inputs=("lhs", "rhs"),
        infer=_same_shape_infer,
    )
    _b = {"add": "plus", "sub": "minus"}.get(_k)
    _bnames = [f"broadcast_{_k}"] + ([f"broadcast_{_b}"] if _b else [])
    register(_bnames[0], _broadcast(_BINARY[_k]), *_bnames[1:], inputs=("lhs", "rhs"))


# ----------------------------------------------------------------- scalar ops
def _scalar(fn, reverse=False):
    def compute(p, ctx, data):
        s = jnp.asarray(p.scalar, dtype=data.dtype)
        return fn(s, data) if reverse else fn(data, s)

    return compute


_SCALAR_PARAMS = {"scalar": (p_float, 1.0), "is_int": (p_bool, True)}
for _k, _rev, _hint in [
    ("plus", False, "_plusscalar"),
    ("minus", False, "_minusscalar"),
    ("rminus", True, "_rminusscalar"),
    ("mul", False, "_mulscalar"),
    ("div", False, "_divscalar"),
    ("rdiv", True, "_rdivscalar"),
    ("mod", False, "_modscalar"),
    ("rmod", True, "_rmodscalar"),
    ("power", False, "_powerscalar"),
    ("rpower", True, "_rpowerscalar"),
    ("maximum", False, "_maximumscalar"),
    ("minimum", False, "_minimumscalar"),
    ("hypot", False, "_hypotscalar"),
    ("equal", False, "_equalscalar"),
    ("not_equal", False, "_notequalscalar"),
    ("greater", False, "_greaterscalar"),
    ("greater_equal", False, "_greaterequalscalar"),
    ("lesser", False, "_lesserscalar"),
    ("lesser_equal", False, "_lesserequalscalar"),
    ("logical_and", False, "_logicalandscalar"),
    ("logical_or", False, "_logicalorscalar"),
    ("logical_xor", False, "_logicalxorscalar"),
]:
    _base = {
        "plus": "add",
        "minus": "sub",
        "rminus": "sub",
        "rdiv": "div",
        "rmod": "mod",
        "rpower": "power",
    }.get(_k, _k)
    _camel = "".join(w.capitalize() for w in _k.split("_"))
    register(
        f"_{_k}_scalar",
        _scalar(_BINARY[_base], _rev),
        f"_{_camel}Scalar",
        params=_SCALAR_PARAMS,
        hint=_hint,
        infer=_same_shape_infer,
    )


# ----------------------------------------------------------------- unary ops
_UNARY = {
    "abs": jnp.abs,
    "sign": jnp.sign,
    "round": jnp.round,
    "rint": jnp.rint,
    "ceil": jnp.ceil,
    "floor": jnp.floor,
    "trunc": jnp.trunc,
    "fix": jnp.trunc,
    "square": jnp.square,
    "sqrt": jnp.sqrt,
    "rsqrt": jax.lax.rsqrt,
    "cbrt": jnp.cbrt,
    "rcbrt": lambda x: 1 / jnp.cbrt(x),
    "exp": jnp.exp,
    "expm1": jnp.expm1,
    "log": jnp.log,
    "log10": jnp.log10,
    "log2": jnp.log2,
    "log1p": jnp.log1p,
    "reciprocal": jnp.reciprocal,
    "negative": jnp.negative,
    "sin": jnp.sin,
    "cos": jnp.cos,
    "tan": jnp.tan,
    "arcsin": jnp.arcsin,
    "arccos": jnp.arccos,
    "arctan": jnp.arctan,
    "sinh": jnp.sinh,
    "cosh": jnp.cosh,
    "tanh": jnp.tanh,
    "arcsinh": jnp.arcsinh,
    "arccosh": jnp.arccosh,
    "arctanh": jnp.arctanh,
    "degrees": jnp.degrees,
    "radians": jnp.radians,
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
    "softsign": lambda x: x / (1 + jnp.abs(x)),
    "erf": jax.scipy.special.erf,
    "erfinv": jax.scipy.special.erfinv,
    "gamma": lambda x: jnp.exp(jax.scipy.special.gammaln(x)),
    "gammaln": jax.scipy.special.gammaln,
    "logical_not": lambda x: (x == 0).astype(x.dtype),
    "isnan": lambda x: jnp.isnan(x).astype(x.dtype),
    "isinf": lambda x: jnp.isinf(x).astype(x.dtype),
    "zeros_like": jnp.zeros_like,
    "ones_like": jnp.ones_like,
    "identity": lambda x: x,
}
for _k, _fn in _UNARY.items():
    _aliases = {"identity": ("_copy",), "negative": ("_np_negative",)}.get(_k, ())
    register(_k, (lambda f: lambda p, ctx, data: f(data))(_fn), *_aliases, infer=_same_shape_infer)


def _hard_sigmoid(p, ctx, data):
    return jnp.clip(p.alpha * data + p.beta, 0, 1)


register("hard_sigmoid", _hard_sigmoid, params={"alpha": (p_float, 0.2), "beta": (p_float, 0.5)})


def _clip(p, ctx, data):
    return jnp.clip(data, p.a_min, p.a_max)


register("clip", _clip, params={"a_min": (p_float, REQUIRED), "a_max": (p_float, REQUIRED)})


def _cast(p, ctx, data):
    return data.astype(np.dtype(p.dtype))


register("Cast", _cast, "cast", "amp_cast", params={"dtype": (p_str, REQUIRED)}, hint="cast")


def _block_grad(p, ctx, data):
    return jax.lax.stop_gradient(data)


register("BlockGrad", _block_grad, "stop_gradient", hint="blockgrad")
