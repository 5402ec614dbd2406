"""Normalization layers: BatchNorm, LayerNorm, GroupNorm, InstanceNorm (Gluon 1.9.1 semantics).

Statistics are always computed in float32, also for float16/bfloat16 inputs;
the output has the input's dtype. Variances are biased (divide by ``N``),
as in MXNet, also for the running-variance update of BatchNorm.

Every layer always owns both ``gamma`` and ``beta`` (Gluon creates them even
when ``scale``/``center`` is False, with ``grad_req='null'``), so parameter
names and ``.params`` files match Gluon's. A disabled ``gamma``/``beta`` gets
no gradient.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.errors import ShapeMismatchError
from mxjax._src.layers.base import Layer, layer
from mxjax._src.ops import expand_to

__all__ = ["BatchNorm", "GroupNorm", "InstanceNorm", "LayerNorm"]


_JITTED: dict = {}


def _jitted(method):
    """``method(self, a, b, params, state, x)`` compiled once per (layer, a, b, shapes).

    Eager calls then run one XLA program instead of one per operation; under an
    outer ``jax.jit`` the call is inlined. Validation stays outside, in Python.
    """
    fn = _JITTED.get(method)
    if fn is None:
        fn = _JITTED[method] = jax.jit(method, static_argnums=(0, 1, 2))
    return fn


def _check_positive_float(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{owner}: {name} must be a positive number; received {value!r}")


def _check_axis_type(owner: str, axis: Any) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{owner}: axis must be an int; received {axis!r}")


def _norm_axis(owner: str, axis: int, x) -> int:
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"{owner}: axis={axis} is out of range for an input of shape {tuple(x.shape)} "
            f"({x.ndim} dimensions)"
        )
    return axis % x.ndim


def _affine(y, gamma, beta, ndim: int, axis: int, scale: bool, center: bool):
    """``y * gamma + beta`` along ``axis``; disabled terms get no gradient."""
    gamma = gamma.astype(jnp.float32)
    beta = beta.astype(jnp.float32)
    if not scale:
        gamma = jax.lax.stop_gradient(gamma)
    if not center:
        beta = jax.lax.stop_gradient(beta)
    return y * expand_to(gamma, ndim, axis) + expand_to(beta, ndim, axis)


def _check_channels(owner: str, x, axis: int, expected: int, what: str = "channels") -> None:
    got = int(x.shape[axis])
    if got != expected:
        raise ShapeMismatchError(
            f"{owner}: expected {expected} {what} on axis {axis} (parameter shape ({expected},)); "
            f"received {got} (input shape {tuple(x.shape)})"
        )


@layer
class _Norm(Layer):
    """Shared init of ``gamma``/``beta``; subclasses define ``_channels(x)``."""

    def _common_init(self, key, x, initializer):
        x = self.check_input(x, min_ndim=1)
        c = self._channels(x)
        in_channels = getattr(self, "in_channels", 0)
        if in_channels and in_channels != c:
            raise ValueError(
                f"{self.name}: in_channels={in_channels} but the example input has {c} "
                f"channels (input shape {tuple(x.shape)})"
            )
        kg, kb = jax.random.split(key)
        params = {
            "gamma": self.make_param(kg, "gamma", (c,), self.gamma_initializer, initializer),
            "beta": self.make_param(kb, "beta", (c,), self.beta_initializer, initializer),
        }
        return x, c, params


@layer
class BatchNorm(_Norm):
    """Batch normalization (Ioffe & Szegedy, 2015) with MXNet's running statistics.

    .. math::
        y = \\frac{x - \\mathrm{mean}}{\\sqrt{\\mathrm{var} + \\epsilon}} \\gamma + \\beta

    With ``train=True`` (and ``use_global_stats=False``) the mean and biased
    variance of the batch over all axes but ``axis`` are used, and the running
    statistics are updated as MXNet does:
    ``running = momentum * running + (1 - momentum) * batch`` (biased batch
    variance). Otherwise the running statistics are used and the state is
    returned unchanged.

    Args:
        axis: the channel axis (1 for NCHW).
        momentum: running-average momentum.
        epsilon: added to the variance.
        center: whether ``beta`` is learned (if False it is kept at its value).
        scale: whether ``gamma`` is used; if False it is fixed to 1 (MXNet's ``fix_gamma``).
        use_global_stats: always use the running statistics, also when training.
        beta_initializer, gamma_initializer: initializers of ``beta``/``gamma``.
        running_mean_initializer, running_variance_initializer: of the state.
        in_channels: expected channel count; 0 infers it.
        dtype: dtype of parameters and state; float16/bfloat16 give float32
            parameters and state, as Gluon's ``BatchNorm.cast`` does.

    Inputs: ``x`` of any shape with ``C`` channels on ``axis``. Outputs: same shape and dtype.
    Parameters: ``gamma (C,)``, ``beta (C,)``; state: ``running_mean (C,)``, ``running_var (C,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> bn = L.BatchNorm()
        >>> x = jnp.arange(12.0).reshape(2, 3, 2)
        >>> params, state = bn.init(jax.random.key(0), x)
        >>> y, state = bn.apply(params, state, x, train=True)
        >>> [round(v, 3) for v in state["running_mean"].tolist()]
        [0.35, 0.55, 0.75]
    """

    axis: int = 1
    momentum: float = 0.9
    epsilon: float = 1e-5
    center: bool = True
    scale: bool = True
    use_global_stats: bool = False
    beta_initializer: Any = "zeros"
    gamma_initializer: Any = "ones"
    running_mean_initializer: Any = "zeros"
    running_variance_initializer: Any = "ones"
    in_channels: int = 0
    dtype: str = "float32"

    def __post_init__(self):
        _check_axis_type(self.name, self.axis)
        _check_positive_float(self.name, "epsilon", self.epsilon)
        m = self.momentum
        if isinstance(m, bool) or not isinstance(m, (int, float)) or not 0 <= m <= 1:
            raise ValueError(f"BatchNorm: momentum must be in [0, 1]; received {m!r}")

    def _channels(self, x) -> int:
        return int(x.shape[_norm_axis(self.name, self.axis, x)])

    def make_param(self, key, name, shape, specific=None, initializer=None, dtype=None):
        # Gluon's BatchNorm.cast keeps float32 parameters for float16 networks; the
        # same holds here for bfloat16, so running statistics keep their precision.
        dtype = dtype if dtype is not None else self.dtype
        if jnp.dtype(dtype) in (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16)):
            dtype = "float32"
        return super().make_param(key, name, shape, specific, initializer, dtype)

    def init(self, key, x, initializer=None):
        key, ks = jax.random.split(key)
        x, c, params = self._common_init(key, x, initializer)
        km, kv = jax.random.split(ks)
        state = {
            "running_mean": self.make_param(
                km, "running_mean", (c,), self.running_mean_initializer, initializer
            ),
            "running_var": self.make_param(
                kv, "running_var", (c,), self.running_variance_initializer, initializer
            ),
        }
        return params, state

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x, min_ndim=1)
        axis = _norm_axis(self.name, self.axis, x)
        _check_channels(self.name, x, axis, int(params["gamma"].shape[0]))
        return _jitted(BatchNorm._compute)(self, axis, bool(train), params, state, x)

    def _compute(self, axis, train, params, state, x):
        x32 = x.astype(jnp.float32)
        reduce_axes = tuple(i for i in range(x.ndim) if i != axis)
        if train and not self.use_global_stats:
            mean = jnp.mean(x32, axis=reduce_axes)
            var = jnp.mean(jnp.square(x32 - expand_to(mean, x.ndim, axis)), axis=reduce_axes)
            m = self.momentum
            rm, rv = state["running_mean"], state["running_var"]
            new_mean = m * rm.astype(jnp.float32) + (1 - m) * jax.lax.stop_gradient(mean)
            new_var = m * rv.astype(jnp.float32) + (1 - m) * jax.lax.stop_gradient(var)
            state = {
                "running_mean": new_mean.astype(rm.dtype),
                "running_var": new_var.astype(rv.dtype),
            }
        else:
            mean = state["running_mean"].astype(jnp.float32)
            var = state["running_var"].astype(jnp.float32)
        inv = jax.lax.rsqrt(var + self.epsilon)
        y = (x32 - expand_to(mean, x.ndim, axis)) * expand_to(inv, x.ndim, axis)
        gamma = params["gamma"] if self.scale else jnp.ones_like(params["gamma"])
        y = _affine(y, gamma, params["beta"], x.ndim, axis, True, self.center)
        return y.astype(x.dtype), state


def _standardize(x32, axes: tuple[int, ...], epsilon: float):
    mean = jnp.mean(x32, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x32 - mean), axis=axes, keepdims=True)
    return (x32 - mean) * jax.lax.rsqrt(var + epsilon)


@layer
class LayerNorm(_Norm):
    """Layer normalization (Ba et al., 2016) along one axis, as Gluon's ``LayerNorm``.

    ``y = (x - mean) / sqrt(var + epsilon) * gamma + beta`` with mean and biased
    variance taken over ``axis`` only.

    Args:
        axis: the normalized axis (default: last).
        epsilon: added to the variance.
        center: whether ``beta`` is learned.
        scale: whether ``gamma`` is learned.
        beta_initializer, gamma_initializer: initializers.
        in_channels: expected size of ``axis``; 0 infers it.
        dtype: parameter dtype.

    Inputs: any shape with ``C`` entries on ``axis``. Outputs: same shape and dtype.
    Parameters: ``gamma (C,)``, ``beta (C,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> x = jnp.array([[1.0, 2.0, 3.0]])
        >>> params, state = L.LayerNorm().init(jax.random.key(0), x)
        >>> y, _ = L.LayerNorm().apply(params, state, x)
        >>> [round(v, 3) for v in y[0].tolist()]
        [-1.225, 0.0, 1.225]
    """

    axis: int = -1
    epsilon: float = 1e-5
    center: bool = True
    scale: bool = True
    beta_initializer: Any = "zeros"
    gamma_initializer: Any = "ones"
    in_channels: int = 0
    dtype: str = "float32"

    def __post_init__(self):
        _check_axis_type(self.name, self.axis)
        _check_positive_float(self.name, "epsilon", self.epsilon)

    def _channels(self, x) -> int:
        return int(x.shape[_norm_axis(self.name, self.axis, x)])

    def init(self, key, x, initializer=None):
        _, _, params = self._common_init(key, x, initializer)
        return params, {}

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x, min_ndim=1)
        axis = _norm_axis(self.name, self.axis, x)
        _check_channels(self.name, x, axis, int(params["gamma"].shape[0]))
        return _jitted(LayerNorm._compute)(self, axis, (axis,), params, state, x)

    def _compute(self, axis, axes, params, state, x):
        y = _standardize(x.astype(jnp.float32), axes, self.epsilon)
        y = _affine(y, params["gamma"], params["beta"], x.ndim, axis, self.scale, self.center)
        return y.astype(x.dtype), state


@layer
class InstanceNorm(_Norm):
    """Instance normalization (Ulyanov et al., 2016), as Gluon's ``InstanceNorm``.

    Each sample and channel is normalized over the remaining (spatial) axes,
    then scaled by ``gamma`` and shifted by ``beta`` per channel. Note Gluon's
    default ``scale=False``: ``gamma`` exists but stays at its initial value.

    Args:
        axis: the channel axis (1 for NCHW).
        epsilon: added to the variance.
        center: whether ``beta`` is learned.
        scale: whether ``gamma`` is learned (Gluon's default: False).
        beta_initializer, gamma_initializer: initializers.
        in_channels: expected channel count; 0 infers it.
        dtype: parameter dtype.

    Inputs: ``(N, ..., C on axis, ...)`` with at least 3 dimensions. Outputs: same shape.
    Parameters: ``gamma (C,)``, ``beta (C,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> x = jnp.arange(8.0).reshape(1, 2, 4)
        >>> params, state = L.InstanceNorm().init(jax.random.key(0), x)
        >>> y, _ = L.InstanceNorm().apply(params, state, x)
        >>> [round(v, 2) for v in y[0, 1].tolist()]
        [-1.34, -0.45, 0.45, 1.34]
    """

    axis: int = 1
    epsilon: float = 1e-5
    center: bool = True
    scale: bool = False
    beta_initializer: Any = "zeros"
    gamma_initializer: Any = "ones"
    in_channels: int = 0
    dtype: str = "float32"

    def __post_init__(self):
        _check_axis_type(self.name, self.axis)
        _check_positive_float(self.name, "epsilon", self.epsilon)

    def _axis(self, x) -> int:
        x = self.check_input(x, min_ndim=3)
        axis = _norm_axis(self.name, self.axis, x)
        if axis == 0:
            raise ValueError(
                f"{self.name}: axis={self.axis} is the batch axis of input shape "
                f"{tuple(x.shape)}; expected the channel axis (1 for NCHW, -1 for NHWC)"
            )
        return axis

    def _channels(self, x) -> int:
        return int(x.shape[self._axis(x)])

    def init(self, key, x, initializer=None):
        _, _, params = self._common_init(key, x, initializer)
        return params, {}

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x, min_ndim=3)
        axis = self._axis(x)
        _check_channels(self.name, x, axis, int(params["gamma"].shape[0]))
        axes = tuple(i for i in range(1, x.ndim) if i != axis)
        return _jitted(InstanceNorm._compute)(self, axis, axes, params, state, x)

    def _compute(self, axis, axes, params, state, x):
        y = _standardize(x.astype(jnp.float32), axes, self.epsilon)
        y = _affine(y, params["gamma"], params["beta"], x.ndim, axis, self.scale, self.center)
        return y.astype(x.dtype), state


@layer
class GroupNorm(_Norm):
    """Group normalization (Wu & He, 2018), as Gluon 1.9.1's ``GroupNorm``.

    The ``C`` channels on axis 1 are split into ``num_groups`` groups; each
    sample and group is normalized over its channels and remaining axes. As
    in MXNet 1.x, ``gamma`` and ``beta`` have one entry **per group**, shape
    ``(num_groups,)``, not per channel.

    Args:
        num_groups: number of groups; must divide the channel count.
        epsilon: added to the variance.
        center: whether ``beta`` is learned.
        scale: whether ``gamma`` is learned.
        beta_initializer, gamma_initializer: initializers.
        dtype: parameter dtype.

    Inputs: ``(N, C, ...)`` with at least 2 dimensions. Outputs: same shape and dtype.
    Parameters: ``gamma (num_groups,)``, ``beta (num_groups,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> gn = L.GroupNorm(num_groups=2)
        >>> params, state = gn.init(jax.random.key(0), jnp.ones((2, 4, 3)))
        >>> params["gamma"].shape
        (2,)
    """

    num_groups: int = 1
    epsilon: float = 1e-5
    center: bool = True
    scale: bool = True
    beta_initializer: Any = "zeros"
    gamma_initializer: Any = "ones"
    dtype: str = "float32"

    def __post_init__(self):
        g = self.num_groups
        if isinstance(g, bool) or not isinstance(g, int) or g <= 0:
            raise ValueError(f"GroupNorm: num_groups must be a positive int; received {g!r}")
        _check_positive_float(self.name, "epsilon", self.epsilon)

    def _channels(self, x) -> int:
        x = self.check_input(x, min_ndim=2)
        c = int(x.shape[1])
        if c % self.num_groups:
            raise ValueError(
                f"GroupNorm: num_groups={self.num_groups} must divide the channel count; "
                f"received {c} channels (input shape {tuple(x.shape)})"
            )
        return self.num_groups

    def init(self, key, x, initializer=None):
        _, _, params = self._common_init(key, x, initializer)
        return params, {}

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x, min_ndim=2)
        g = self._channels(x)
        if int(params["gamma"].shape[0]) != g:
            raise ValueError(
                f"GroupNorm: gamma has shape {tuple(params['gamma'].shape)}; expected ({g},)"
            )
        return _jitted(GroupNorm._compute)(self, g, None, params, state, x)

    def _compute(self, g, unused, params, state, x):
        del unused
        n, c = x.shape[0], x.shape[1]
        xg = x.astype(jnp.float32).reshape((n, g, (c // g)) + tuple(x.shape[2:]))
        y = _standardize(xg, tuple(range(2, xg.ndim)), self.epsilon)
        y = _affine(y, params["gamma"], params["beta"], y.ndim, 1, self.scale, self.center)
        return y.reshape(x.shape).astype(x.dtype), state
