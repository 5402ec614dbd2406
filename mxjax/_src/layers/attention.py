"""Multi-head attention in GluonNLP's style (Gluon 1.9.1 itself has no core block)."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.layers.base import Layer, layer
from mxjax._src.ops import expand_to

__all__ = ["MultiHeadAttention"]

_PROJ = ("query", "key", "value")


@layer
class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention (Vaswani et al., 2017), layout NTC.

    .. math::
        \\mathrm{head}_h = \\mathrm{softmax}\\left(\\frac{Q_h K_h^T}{\\sqrt{d}}\\right) V_h,
        \\quad y = [\\mathrm{head}_1, \\dots, \\mathrm{head}_H] W_{out}^T + b_{out}

    with ``Q = query @ query_weight.T + query_bias`` (likewise ``K``, ``V``),
    ``d = units // num_heads``. Positions where ``mask`` is 0/False get zero
    attention weight; a query row whose keys are all masked attends to nothing
    (its context is 0), as GluonNLP's masked softmax does. With ``train=True``
    and ``dropout > 0`` the attention weights are dropped (inverted scaling),
    which needs a PRNG ``key``.

    Parameter names follow GluonNLP's convention, every weight in Gluon's
    ``(out, in)`` layout: ``query_weight (units, Cq)``, ``query_bias (units,)``,
    ``key_weight (units, Ck)``, ``key_bias``, ``value_weight (units, Cv)``,
    ``value_bias``, ``out_weight (units, units)``, ``out_bias`` (biases only
    with ``use_bias=True``).

    Args:
        units: total projection size; must be divisible by ``num_heads``.
        num_heads: number of heads.
        dropout: dropout rate on the attention weights, in ``[0, 1)``.
        use_bias: whether the projections have biases.
        weight_initializer: initializer of the weights (None: the global one).
        bias_initializer: initializer of the biases.
        dtype: parameter dtype.
        return_weights: if True, ``apply`` returns ``(output, weights)`` with
            weights of shape ``(B, num_heads, Tq, Tk)``.

    Inputs: ``query (B, Tq, Cq)``, ``keys (B, Tk, Ck)`` (default: ``query``),
    ``values (B, Tk, Cv)`` (default: ``keys``), ``mask (B, Tq, Tk)`` or None.
    The positional names are ``keys``/``values`` because ``key`` is the PRNG
    keyword of every layer. Outputs: ``(B, Tq, units)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> mha = L.MultiHeadAttention(units=8, num_heads=2)
        >>> q, kv = jnp.ones((2, 5, 6)), jnp.ones((2, 7, 4))
        >>> params, state = mha.init(jax.random.key(0), q, kv, kv)
        >>> sorted(params)[:3], params["key_weight"].shape
        (['key_bias', 'key_weight', 'out_bias'], (8, 4))
        >>> mha.apply(params, state, q, kv, kv)[0].shape
        (2, 5, 8)
    """

    units: int
    num_heads: int
    dropout: float = 0.0
    use_bias: bool = True
    weight_initializer: Any = None
    bias_initializer: Any = "zeros"
    dtype: str = "float32"
    return_weights: bool = False

    def __post_init__(self):
        for name in ("units", "num_heads"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(
                    f"MultiHeadAttention: {name} must be a positive int; received {v!r}"
                )
        if self.units % self.num_heads:
            raise ValueError(
                f"MultiHeadAttention: units={self.units} must be divisible by "
                f"num_heads={self.num_heads}"
            )
        r = self.dropout
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not 0 <= r < 1:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1); received {r!r}")

    def _inputs(self, query, keys, values):
        query = self.check_input(query, ndim=3, what="query")
        keys = query if keys is None else self.check_input(keys, ndim=3, what="keys")
        values = keys if values is None else self.check_input(values, ndim=3, what="values")
        if keys.shape[:2] != values.shape[:2]:
            raise ValueError(
                f"MultiHeadAttention: keys and values must share (batch, length); received "
                f"shapes {tuple(keys.shape)} and {tuple(values.shape)}"
            )
        if query.shape[0] != keys.shape[0]:
            raise ValueError(
                f"MultiHeadAttention: query and keys must share the batch size; received "
                f"shapes {tuple(query.shape)} and {tuple(keys.shape)}"
            )
        return query, keys, values

    def init(self, key, query, keys=None, values=None, mask=None, initializer=None):
        xs = self._inputs(query, keys, values)
        ks = jax.random.split(key, 8)
        params = {}
        for i, (name, x) in enumerate(zip((*_PROJ, "out"), (*xs, None))):
            in_units = self.units if x is None else int(x.shape[-1])
            params[f"{name}_weight"] = self.make_param(
                ks[2 * i],
                f"{name}_weight",
                (self.units, in_units),
                self.weight_initializer,
                initializer,
            )
            if self.use_bias:
                params[f"{name}_bias"] = self.make_param(
                    ks[2 * i + 1], f"{name}_bias", (self.units,), self.bias_initializer, initializer
                )
        return params, {}

    def _project(self, params, name, x):
        w = params[f"{name}_weight"]
        if x.shape[-1] != w.shape[1]:
            raise ValueError(
                f"MultiHeadAttention: expected a {name} input with {w.shape[1]} features "
                f"({name}_weight shape {tuple(w.shape)}); received shape {tuple(x.shape)}"
            )
        y = jnp.matmul(x, w.T.astype(x.dtype))
        if self.use_bias:
            y = y + expand_to(params[f"{name}_bias"].astype(x.dtype), y.ndim, -1)
        return y

    def _heads(self, y):
        b, t, _ = y.shape
        return y.reshape(b, t, self.num_heads, -1).transpose(0, 2, 1, 3)  # (B, H, T, d)

    def apply(self, params, state, query, keys=None, values=None, mask=None, key=None, train=False):
        query, keys, values = self._inputs(query, keys, values)
        use_dropout = bool(train and self.dropout > 0)
        if use_dropout:
            self.require_key(key, train)
        else:
            key = None
        if mask is not None:
            mask = jnp.asarray(mask)
            expected = (query.shape[0], query.shape[1], keys.shape[1])
            if tuple(mask.shape) != expected:
                raise ValueError(
                    f"MultiHeadAttention: expected a mask of shape (batch, query length, key "
                    f"length) = {expected}; received {tuple(mask.shape)}"
                )
        # One compiled program also for eager calls (inlined under an outer jit).
        out = _forward(self, use_dropout, params, query, keys, values, mask, key)
        return out, state

    def _forward(self, use_dropout, params, query, keys, values, mask, key):
        q = self._heads(self._project(params, "query", query))
        k = self._heads(self._project(params, "key", keys))
        v = self._heads(self._project(params, "value", values))
        d = q.shape[-1]
        logits = jnp.einsum("bhqd,bhkd->bhqk", q, k).astype(jnp.float32) / math.sqrt(d)
        b, tq, tk = query.shape[0], query.shape[1], keys.shape[1]
        if mask is not None:
            m = (mask != 0).reshape(b, 1, tq, tk)
            m = jnp.broadcast_to(m, logits.shape)
            logits = jnp.where(m, logits, jnp.finfo(jnp.float32).min)
            weights = jax.nn.softmax(logits, axis=-1) * m.astype(jnp.float32)
        else:
            weights = jax.nn.softmax(logits, axis=-1)
        weights = weights.astype(q.dtype)
        att = weights
        if use_dropout:
            keep = jax.random.bernoulli(key, 1.0 - self.dropout, att.shape)
            att = jnp.where(keep, att / jnp.asarray(1.0 - self.dropout, att.dtype), 0)
        ctx = jnp.einsum("bhqk,bhkd->bhqd", att, v)
        ctx = ctx.transpose(0, 2, 1, 3).reshape(b, tq, self.units)
        out = self._project(params, "out", ctx)
        return (out, weights) if self.return_weights else out


_forward = jax.jit(MultiHeadAttention._forward, static_argnums=(0, 1))
