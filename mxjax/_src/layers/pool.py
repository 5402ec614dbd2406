"""Pooling layers with Gluon's hyperparameters and MXNet's pooling conventions.

``ceil_mode=True`` is MXNet's ``'full'`` pooling convention: the output size is
``ceil((in + 2*padding - pool_size) / strides) + 1`` and windows may run past the padded
input. Average pooling with ``count_include_pad=True`` divides by the part of the window
inside the padded input (so a window that runs past it in ceil mode is divided by less
than ``prod(pool_size)``), with ``False`` by the part inside the unpadded input; both as
MXNet 1.9.1 (checked against its goldens in ``tests/golden/conv``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import jax.numpy as jnp
import numpy as np
from jax import lax

from mxjax._src.layers.base import Layer, layer
from mxjax._src.layers.conv import (
    LAYOUTS,
    as_tuple,
    check_layout,
    internal_channels_last,
    to_channels_first,
    to_channels_last,
)

__all__ = [
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
]


def _kw(default: Any) -> Any:
    return dataclasses.field(default=default, kw_only=True)


def _spatial_axes(ndim: int, n: int, channels_last: bool) -> tuple[int, ...]:
    return tuple(range(1, n + 1)) if channels_last else tuple(range(2, n + 2))


@layer
class _Pool(Layer):
    pool_size: Any = 2
    strides: Any = None
    padding: Any = 0
    ceil_mode: bool = _kw(False)
    layout: str = _kw("NCHW")

    _NDIM: ClassVar[int] = 2
    _KIND: ClassVar[str] = "max"

    def __post_init__(self):
        n = self._NDIM
        object.__setattr__(
            self, "pool_size", as_tuple(self.pool_size, n, self.name, "pool_size", 1)
        )
        strides = self.pool_size if self.strides is None else self.strides
        object.__setattr__(self, "strides", as_tuple(strides, n, self.name, "strides", 1))
        object.__setattr__(self, "padding", as_tuple(self.padding, n, self.name, "padding", 0))
        if not isinstance(self.ceil_mode, bool):
            raise TypeError(f"{self.name}: ceil_mode must be a bool; received {self.ceil_mode!r}")
        check_layout(self.layout, n, self.name)

    @property
    def _channels_last(self) -> bool:
        return self.layout == LAYOUTS[self._NDIM][1]

    def _geometry(self, x, channels_last=None):
        last = self._channels_last if channels_last is None else channels_last
        axes = _spatial_axes(x.ndim, self._NDIM, last)
        out = []
        for i, ax in enumerate(axes):
            size, k, s, p = int(x.shape[ax]), self.pool_size[i], self.strides[i], self.padding[i]
            if size + 2 * p < k:
                raise ValueError(
                    f"{self.name}: pool_size {k} is larger than the padded input ({size} + 2*{p}) "
                    f"in spatial dimension {i}; received input shape {tuple(x.shape)}"
                )
            span = size + 2 * p - k
            out.append((-(-span // s) if self.ceil_mode else span // s) + 1)
        return axes, tuple(out)

    def init(self, key, x, initializer=None):
        del key, initializer
        self._geometry(self._check(x))
        return {}, {}

    def _divisor(self, x, axes, out, shape) -> np.ndarray:
        div = np.ones([1] * x.ndim, np.float64)
        for i, ax in enumerate(axes):
            size, k, s, p = int(x.shape[ax]), self.pool_size[i], self.strides[i], self.padding[i]
            lo, hi = (-p, size + p) if self.count_include_pad else (0, size)
            starts = np.arange(out[i]) * s - p
            counts = np.minimum(starts + k, hi) - np.maximum(starts, lo)
            if counts.min() <= 0:
                raise ValueError(
                    f"{self.name}: output position {int(counts.argmin())} of spatial dimension {i} "
                    f"averages a window with no element to count (count_include_pad="
                    f"{self.count_include_pad}; MXNet returns NaN there); received input shape "
                    f"{shape}, pool_size={self.pool_size}, strides={self.strides}, "
                    f"padding={self.padding}, ceil_mode={self.ceil_mode}. Reduce the padding or "
                    f"use ceil_mode=False."
                )
            shape = [1] * x.ndim
            shape[ax] = out[i]
            div = div * counts.reshape(shape)
        return div

    def _check(self, x):
        return self.check_input(
            x,
            ndim=self._NDIM + 2,
            what=f"input of layout {self.layout!r} (batch, channels, *spatial)",
        )

    def apply(self, params, state, x, key=None, train=False):
        x = self._check(x)
        self._geometry(x)
        shape = tuple(x.shape)
        last = internal_channels_last(self._channels_last)
        if last and not self._channels_last:
            x = to_channels_last(x)
        axes, out = self._geometry(x, last)
        window, strides, pads = [1] * x.ndim, [1] * x.ndim, [(0, 0)] * x.ndim
        for i, ax in enumerate(axes):
            size, k, s, p = int(x.shape[ax]), self.pool_size[i], self.strides[i], self.padding[i]
            window[ax], strides[ax] = k, s
            pads[ax] = (p, max((out[i] - 1) * s + k - size - p, 0))
        if self._KIND == "max":
            # MXNet pads with the lowest finite value: a window lying entirely in the
            # padding (possible in ceil mode) gives finfo.min, as in MXNet. The init values
            # are concrete NumPy constants (-inf, 0): only then does lax use its
            # differentiable max/sum pooling primitives, also under jit.
            ninf = np.array(-np.inf, x.dtype)
            y = lax.reduce_window(x, ninf, lax.max, window, strides, pads)
            y = jnp.maximum(y, np.array(jnp.finfo(x.dtype).min, x.dtype))
        else:
            y = lax.reduce_window(x, np.array(0, x.dtype), lax.add, window, strides, pads)
            y = y / jnp.asarray(self._divisor(x, axes, out, shape), x.dtype)
        if last and not self._channels_last:
            y = to_channels_first(y)
        return y, state


@layer
class _MaxPool(_Pool):
    _KIND: ClassVar[str] = "max"


@layer
class _AvgPool(_Pool):
    count_include_pad: bool = _kw(True)
    _KIND: ClassVar[str] = "avg"


@layer
class _GlobalPool(Layer):
    layout: str = "NCHW"

    _NDIM: ClassVar[int] = 2
    _KIND: ClassVar[str] = "max"

    def __post_init__(self):
        check_layout(self.layout, self._NDIM, self.name)

    def init(self, key, x, initializer=None):
        del key, initializer
        self._check(x)
        return {}, {}

    def _check(self, x):
        return self.check_input(
            x,
            ndim=self._NDIM + 2,
            what=f"input of layout {self.layout!r} (batch, channels, *spatial)",
        )

    def apply(self, params, state, x, key=None, train=False):
        x = self._check(x)
        channels_last = self.layout == LAYOUTS[self._NDIM][1]
        axes = _spatial_axes(x.ndim, self._NDIM, channels_last)
        reduce = jnp.max if self._KIND == "max" else jnp.mean
        return reduce(x, axis=axes, keepdims=True), state


_POOL_DOC = """{n}-D {what} pooling (Gluon's ``nn.{cls}``).

    Output size per spatial dimension: ``floor((in + 2*padding - pool_size) / strides) + 1``,
    or with ``ceil_mode=True`` (MXNet's ``'full'`` convention) ``ceil(...) + 1``.{extra}

    Args:
        pool_size: window size, int or tuple of {n} ints.
        strides: int or tuple of {n} ints; None (default) means ``pool_size``.
        padding: padding on both sides, int or tuple of {n} ints.
        ceil_mode: use ceil instead of floor to compute the output size.
        layout: ``{cf!r}`` (default) or channels-last ``{cl!r}``.{argextra}

    Inputs: ``(batch, channels, *spatial)`` for ``{cf!r}``. Outputs:
    ``(batch, channels, *out_spatial)``. No parameters.

    Raises:
        ValueError: bad hyperparameters, wrong input rank, or a window larger than the
            padded input.
        TypeError: a non-floating-point input.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> pool = L.{cls}(3, strides=2, padding=1, ceil_mode=True)
        >>> x = jnp.ones((2, 4{sp}))
        >>> params, state = pool.init(jax.random.key(0), x)
        >>> pool.apply(params, state, x)[0].shape
        (2, 4{osp})
    """

_AVG_EXTRA = """

    ``count_include_pad=True`` divides each sum by the number of window elements inside
    the padded input, ``False`` by the number inside the input itself (MXNet's rules)."""

_GLOBAL_DOC = """Global {n}-D {what} pooling (Gluon's ``nn.{cls}``) over all spatial axes.

    Args:
        layout: ``{cf!r}`` (default) or channels-last ``{cl!r}``.

    Inputs: ``(batch, channels, *spatial)`` for ``{cf!r}``. Outputs:
    ``(batch, channels, 1, ...)``: the spatial axes are kept with size 1, as Gluon.

    Raises:
        ValueError: bad layout or wrong input rank.
        TypeError: a non-floating-point input.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> pool = L.{cls}()
        >>> x = jnp.ones((2, 4{sp}))
        >>> pool.apply({{}}, {{}}, x)[0].shape
        (2, 4{one})
    """


def _doc(template: str, n: int, cls: str, what: str) -> str:
    cf, cl = LAYOUTS[n]
    avg = what == "average"
    return template.format(
        n=n,
        cls=cls,
        what=what,
        cf=cf,
        cl=cl,
        sp=", 8" * n,
        osp=", 5" * n,
        one=", 1" * n,
        extra=_AVG_EXTRA if avg else "",
        argextra="\n        count_include_pad: whether padding counts in the divisor."
        if avg
        else "",
    )


@layer
class MaxPool1D(_MaxPool):
    __doc__ = _doc(_POOL_DOC, 1, "MaxPool1D", "max")
    _NDIM: ClassVar[int] = 1
    layout: str = _kw("NCW")


@layer
class MaxPool2D(_MaxPool):
    __doc__ = _doc(_POOL_DOC, 2, "MaxPool2D", "max")
    _NDIM: ClassVar[int] = 2
    layout: str = _kw("NCHW")


@layer
class MaxPool3D(_MaxPool):
    __doc__ = _doc(_POOL_DOC, 3, "MaxPool3D", "max")
    _NDIM: ClassVar[int] = 3
    layout: str = _kw("NCDHW")


@layer
class AvgPool1D(_AvgPool):
    __doc__ = _doc(_POOL_DOC, 1, "AvgPool1D", "average")
    _NDIM: ClassVar[int] = 1
    layout: str = _kw("NCW")


@layer
class AvgPool2D(_AvgPool):
    __doc__ = _doc(_POOL_DOC, 2, "AvgPool2D", "average")
    _NDIM: ClassVar[int] = 2
    layout: str = _kw("NCHW")


@layer
class AvgPool3D(_AvgPool):
    __doc__ = _doc(_POOL_DOC, 3, "AvgPool3D", "average")
    _NDIM: ClassVar[int] = 3
    layout: str = _kw("NCDHW")


@layer
class GlobalMaxPool1D(_GlobalPool):
    __doc__ = _doc(_GLOBAL_DOC, 1, "GlobalMaxPool1D", "max")
    _NDIM: ClassVar[int] = 1
    layout: str = "NCW"


@layer
class GlobalMaxPool2D(_GlobalPool):
    __doc__ = _doc(_GLOBAL_DOC, 2, "GlobalMaxPool2D", "max")
    _NDIM: ClassVar[int] = 2
    layout: str = "NCHW"


@layer
class GlobalMaxPool3D(_GlobalPool):
    __doc__ = _doc(_GLOBAL_DOC, 3, "GlobalMaxPool3D", "max")
    _NDIM: ClassVar[int] = 3
    layout: str = "NCDHW"


@layer
class GlobalAvgPool1D(_GlobalPool):
    __doc__ = _doc(_GLOBAL_DOC, 1, "GlobalAvgPool1D", "average")
    _NDIM: ClassVar[int] = 1
    _KIND: ClassVar[str] = "avg"
    layout: str = "NCW"


@layer
class GlobalAvgPool2D(_GlobalPool):
    __doc__ = _doc(_GLOBAL_DOC, 2, "GlobalAvgPool2D", "average")
    _NDIM: ClassVar[int] = 2
    _KIND: ClassVar[str] = "avg"
    layout: str = "NCHW"


@layer
class GlobalAvgPool3D(_GlobalPool):
    __doc__ = _doc(_GLOBAL_DOC, 3, "GlobalAvgPool3D", "average")
    _NDIM: ClassVar[int] = 3
    _KIND: ClassVar[str] = "avg"
    layout: str = "NCDHW"
