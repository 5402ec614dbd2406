"""Convolution layers (1-D, 2-D, 3-D, and transposed) with Gluon's hyperparameters.

Parameters have Gluon's names and shapes: ``weight`` is ``(channels, in_channels/groups,
*kernel)`` for channels-first layouts and ``(channels, *kernel, in_channels/groups)`` for
channels-last ones (MXNet converts the weight shape to the data layout); transposed
convolutions swap the two channel axes, ``(in_channels, channels/groups, *kernel)``.

Internally the layers compute channels-last (NHWC input, HWIO kernel, bias and
activation added there) whatever the interface layout, and transpose back at the end;
XLA folds the back-to-back transposes between consecutive convolution and pooling
layers, so a Gluon-style NCHW network runs channels-last end to end. On XLA:CPU this cut
a LeNet-style train step by ~18% of CPU time on jax 0.6.2 and matched NCHW on jax 0.10.2
(``benchmarks/conv_layouts.py``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from mxjax._src.errors import ShapeMismatchError
from mxjax._src.layers.base import Layer, layer
from mxjax._src.layers.conv_gemm import conv_gemm, conv_transpose_gemm, use_gemm
from mxjax._src.layers.conv_subpixel import conv_transpose_subpixel, use_subpixel
from mxjax._src.ops import activation_fn, expand_to

__all__ = [
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
]

LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}
_CHANNELS_LAST_DN = {
    1: ("NWC", "WIO", "NWC"),
    2: ("NHWC", "HWIO", "NHWC"),
    3: ("NDHWC", "DHWIO", "NDHWC"),
}

# Where the layers compute: "channels_last" transposes channels-first inputs to
# channels-last once, convolves/pools/adds bias there and transposes back; XLA folds the
# back-to-back transposes between consecutive conv/pool layers, so a network runs
# channels-last end to end. "direct" computes in the interface layout. The pooling layers
# read this too. Chosen by benchmarks/conv_layouts.py.
_IMPL = "channels_last"


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def as_tuple(value: Any, n: int, owner: str, arg: str, minimum: int) -> tuple[int, ...]:
    """Normalizes an int or a sequence of ``n`` ints to a tuple, checking ``>= minimum``."""
    if _is_int(value):
        out = (int(value),) * n
    elif isinstance(value, (tuple, list)) and len(value) == n and all(_is_int(v) for v in value):
        out = tuple(int(v) for v in value)
    else:
        raise TypeError(f"{owner}: {arg} must be an int or a tuple of {n} ints; received {value!r}")
    if any(v < minimum for v in out):
        raise ValueError(
            f"{owner}: {arg} must be >= {minimum} in every dimension; received {value!r}"
        )
    return out


def check_layout(layout: Any, n: int, owner: str) -> bool:
    """Validates a layout string; returns True if it is channels-last."""
    if layout not in LAYOUTS[n]:
        raise ValueError(f"{owner}: layout must be one of {LAYOUTS[n]}; received {layout!r}")
    return layout == LAYOUTS[n][1]


def to_channels_last(x: jax.Array) -> jax.Array:
    """``(N, C, *S)`` to ``(N, *S, C)``."""
    return jnp.transpose(x, (0, *range(2, x.ndim), 1))


def to_channels_first(x: jax.Array) -> jax.Array:
    """``(N, *S, C)`` to ``(N, C, *S)``."""
    return jnp.transpose(x, (0, x.ndim - 1, *range(1, x.ndim - 1)))


def internal_channels_last(channels_last: bool) -> bool:
    """Whether a layer with the given interface layout computes channels-last."""
    return channels_last or _IMPL == "channels_last"


def _conv_core(x, w_oi, strides, padding, dilation, groups, channels_last, lhs_dilation=None):
    """Convolution of ``x`` (channels-last if ``channels_last``) with an ``(O, I/g, *k)`` kernel.

    A kernel that covers (nearly) the whole padded input, leaving a few output positions,
    runs as one matrix product (:mod:`conv_gemm`): XLA's gradient of such a convolution
    with respect to its input costs ``input x kernel`` size (minutes for 224x224).
    """
    n = w_oi.ndim - 2
    spatial = x.shape[1:-1] if channels_last else x.shape[2:]
    if (lhs_dilation is None or all(d == 1 for d in lhs_dilation)) and use_gemm(
        spatial, w_oi.shape[2:], strides, padding, dilation
    ):
        return conv_gemm(x, w_oi, strides, padding, dilation, groups, channels_last)
    if channels_last:
        w = jnp.transpose(w_oi, (*range(2, n + 2), 1, 0))  # (*k, I/groups, O)
        dn = _CHANNELS_LAST_DN[n]
    else:
        w = w_oi
        dn = (LAYOUTS[n][0], LAYOUTS[n][0].replace("N", "O").replace("C", "I"), LAYOUTS[n][0])
    return lax.conv_general_dilated(
        x, w, strides, padding, lhs_dilation, dilation, dn, feature_group_count=groups
    )


@layer
class _ConvBase(Layer):
    """Shared validation and bias/activation logic of the convolution layers."""

    _NDIM: ClassVar[int] = 2
    _TRANSPOSED: ClassVar[bool] = False

    def _normalize(self, names_minimums):
        n = self._NDIM
        if not _is_int(self.channels) or self.channels <= 0:
            raise ValueError(
                f"{self.name}: channels must be a positive int; received {self.channels!r}"
            )
        for arg, minimum in names_minimums:
            object.__setattr__(self, arg, as_tuple(getattr(self, arg), n, self.name, arg, minimum))
        if not _is_int(self.groups) or self.groups <= 0:
            raise ValueError(
                f"{self.name}: groups must be a positive int; received {self.groups!r}"
            )
        if self.channels % self.groups:
            raise ValueError(
                f"{self.name}: channels={self.channels} must be divisible by groups={self.groups}"
            )
        if not _is_int(self.in_channels) or self.in_channels < 0:
            raise ValueError(
                f"{self.name}: in_channels must be a non-negative int (0 infers it); "
                f"received {self.in_channels!r}"
            )
        check_layout(self.layout, n, self.name)
        activation_fn(self.activation, self.name)

    @property
    def _channels_last(self) -> bool:
        return self.layout == LAYOUTS[self._NDIM][1]

    @property
    def _c_axis(self) -> int:
        return self._NDIM + 1 if self._channels_last else 1

    def _spatial(self, x) -> tuple[int, ...]:
        return tuple(int(d) for d in (x.shape[1:-1] if self._channels_last else x.shape[2:]))

    def _check_x(self, x):
        return self.check_input(
            x,
            ndim=self._NDIM + 2,
            what=f"input of layout {self.layout!r} (batch, channels, *spatial)",
        )

    def _weight_shape(self, in_channels: int) -> tuple[int, ...]:
        if self._TRANSPOSED:
            o, i = in_channels, self.channels // self.groups
        else:
            o, i = self.channels, in_channels // self.groups
        return (o, *self.kernel_size, i) if self._channels_last else (o, i, *self.kernel_size)

    def _weight_oi(self, w):
        """The weight in ``(axis0, axis1, *kernel)`` order whatever the layout."""
        return jnp.moveaxis(w, -1, 1) if self._channels_last else w

    def init(self, key, x, initializer=None):
        x = self._check_x(x)
        in_channels = int(x.shape[self._c_axis])
        if self.in_channels and self.in_channels != in_channels:
            raise ValueError(
                f"{self.name}: in_channels={self.in_channels} but the example input has "
                f"{in_channels} channels (shape {tuple(x.shape)}, layout {self.layout!r})"
            )
        if in_channels % self.groups:
            raise ValueError(
                f"{self.name}: the input's {in_channels} channels must be divisible by "
                f"groups={self.groups} (input shape {tuple(x.shape)})"
            )
        self._out_spatial(self._spatial(x), x.shape)
        kw, kb = jax.random.split(key)
        params = {
            "weight": self.make_param(
                kw, "weight", self._weight_shape(in_channels), self.weight_initializer, initializer
            )
        }
        if self.use_bias:
            params["bias"] = self.make_param(
                kb, "bias", (self.channels,), self.bias_initializer, initializer
            )
        return params, {}

    def apply(self, params, state, x, key=None, train=False):
        x = self._check_x(x)
        w = params["weight"]
        c = int(x.shape[self._c_axis])
        expected = (
            w.shape[0]
            if self._TRANSPOSED
            else w.shape[-1 if self._channels_last else 1] * self.groups
        )
        if c != expected:
            raise ShapeMismatchError(
                f"{self.name}: expected an input with {expected} channels on axis {self._c_axis} "
                f"(layout {self.layout!r}, weight shape {tuple(w.shape)}); received {c} "
                f"(input shape {tuple(x.shape)})"
            )
        self._out_spatial(self._spatial(x), x.shape)
        dtype = jnp.result_type(x.dtype, w.dtype)
        last = internal_channels_last(self._channels_last)
        x = x.astype(dtype)
        if last and not self._channels_last:
            x = to_channels_last(x)
        y = self._compute(x, self._weight_oi(w).astype(dtype), last)
        if self.use_bias:
            y = y + expand_to(params["bias"].astype(dtype), y.ndim, -1 if last else 1)
        y = activation_fn(self.activation)(y)
        if last and not self._channels_last:
            y = to_channels_first(y)
        return y, state


@layer
class _Conv(_ConvBase):
    channels: int
    kernel_size: Any
    strides: Any = 1
    padding: Any = 0
    dilation: Any = 1
    groups: int = 1
    layout: str = "NCHW"
    activation: str | None = None
    use_bias: bool = True
    weight_initializer: Any = None
    bias_initializer: Any = "zeros"
    in_channels: int = 0
    dtype: str = "float32"

    def __post_init__(self):
        self._normalize((("kernel_size", 1), ("strides", 1), ("padding", 0), ("dilation", 1)))

    def _out_spatial(self, spatial, shape):
        out = []
        for i, (s, k, st, p, d) in enumerate(
            zip(spatial, self.kernel_size, self.strides, self.padding, self.dilation)
        ):
            ek = d * (k - 1) + 1
            if s + 2 * p < ek:
                raise ValueError(
                    f"{self.name}: the dilated kernel ({ek}) is larger than the padded input "
                    f"({s} + 2*{p}) in spatial dimension {i}; received input shape {tuple(shape)}"
                )
            out.append((s + 2 * p - ek) // st + 1)
        return tuple(out)

    def _compute(self, x, w, last):
        pads = [(p, p) for p in self.padding]
        return _conv_core(x, w, self.strides, pads, self.dilation, self.groups, last)


@layer
class _ConvTranspose(_ConvBase):
    channels: int
    kernel_size: Any
    strides: Any = 1
    padding: Any = 0
    output_padding: Any = 0
    dilation: Any = 1
    groups: int = 1
    layout: str = "NCHW"
    activation: str | None = None
    use_bias: bool = True
    weight_initializer: Any = None
    bias_initializer: Any = "zeros"
    in_channels: int = 0
    dtype: str = "float32"

    _TRANSPOSED: ClassVar[bool] = True

    def __post_init__(self):
        self._normalize(
            (
                ("kernel_size", 1),
                ("strides", 1),
                ("padding", 0),
                ("output_padding", 0),
                ("dilation", 1),
            )
        )

    def _out_spatial(self, spatial, shape):
        out = []
        for i, (s, k, st, p, op, d) in enumerate(
            zip(
                spatial,
                self.kernel_size,
                self.strides,
                self.padding,
                self.output_padding,
                self.dilation,
            )
        ):
            size = (s - 1) * st - 2 * p + d * (k - 1) + 1 + op
            if size <= 0:
                raise ValueError(
                    f"{self.name}: padding={self.padding} is too large for the input: output size "
                    f"(in-1)*stride - 2*pad + dilation*(k-1) + 1 + output_padding = {size} <= 0 in "
                    f"spatial dimension {i}; received input shape {tuple(shape)}"
                )
            out.append(size)
        return tuple(out)

    def _compute(self, x, w, last):
        spatial = tuple(int(d) for d in (x.shape[1:-1] if last else x.shape[2:]))
        out = self._out_spatial(spatial, x.shape)
        return conv_transpose(
            x, w, out, self.strides, self.padding, self.dilation, self.groups, last
        )


def conv_transpose(x, w_io, out_spatial, strides, padding, dilation, groups, channels_last):
    """MXNet's ``Deconvolution`` of ``x`` (channels-last if ``channels_last``), fastest way.

    ``w_io`` is ``(C, O/groups, *kernel)``; ``padding`` one int per spatial dimension,
    ``out_spatial`` the output size (it implies ``output_padding``). An input with a few
    positions runs as one matrix product (:mod:`conv_gemm`), a strided one on XLA:CPU as
    a stride-1 convolution and a depth-to-space (:mod:`conv_subpixel`), the rest as
    :func:`conv_transpose_dilated`.
    """
    pads = [(p, p) for p in padding]
    y = conv_transpose_gemm(x, w_io, out_spatial, strides, pads, dilation, groups, channels_last)
    if y is not None:  # a few input positions: one matrix product (conv_gemm)
        return y
    if use_subpixel(strides):
        return conv_transpose_subpixel(
            x, w_io, out_spatial, strides, padding, dilation, groups, channels_last
        )
    return conv_transpose_dilated(
        x, w_io, out_spatial, strides, padding, dilation, groups, channels_last
    )


def conv_transpose_dilated(x, w_io, out_spatial, strides, padding, dilation, groups, channels_last):
    """:func:`conv_transpose` as XLA's input-dilated convolution (the literal definition).

    MXNet's Deconvolution is the gradient of Convolution with respect to its input: a
    stride-1 convolution of the stride-dilated input with the spatially flipped kernel
    whose in/out channel axes are swapped within each group.
    """
    n = w_io.ndim - 2
    cin, cout_g = int(w_io.shape[0]), int(w_io.shape[1])
    k = tuple(int(v) for v in w_io.shape[2:])
    w = w_io.reshape(groups, cin // groups, cout_g, *k)
    w = jnp.swapaxes(w, 1, 2).reshape(groups * cout_g, cin // groups, *k)
    w = jnp.flip(w, axis=tuple(range(2, n + 2)))
    spatial = x.shape[1:-1] if channels_last else x.shape[2:]
    pads = []
    for s, y, kk, st, p, d in zip(spatial, out_spatial, k, strides, padding, dilation):
        edge = d * (kk - 1) - p
        op = y - ((s - 1) * st - 2 * p + d * (kk - 1) + 1)  # output_padding
        pads.append((edge, edge + op))
    return _conv_core(x, w, (1,) * n, pads, dilation, groups, channels_last, lhs_dilation=strides)


_CONV_DOC = """{n}-D convolution: ``y = activation(conv(x, weight) + bias)``.

    Gluon's ``nn.Conv{n}D``: cross-correlation with zero ``padding``, ``strides``,
    ``dilation`` and ``groups``. Output size per spatial dimension:
    ``floor((in + 2*padding - dilation*(kernel-1) - 1) / strides) + 1``.

    Args:
        channels: number of output channels.
        kernel_size: int or tuple of {n} ints.
        strides: int or tuple of {n} ints.
        padding: zero padding on both sides, int or tuple of {n} ints.
        dilation: int or tuple of {n} ints.
        groups: number of groups (channels and input channels must divide by it).
        layout: ``{cf!r}`` (default) or channels-last ``{cl!r}``.
        activation: MXNet activation name or None.
        use_bias: whether to add a bias.
        weight_initializer: initializer of ``weight`` (None: the global one).
        bias_initializer: initializer of ``bias``.
        in_channels: expected input channels; 0 infers them from the example input.
        dtype: parameter dtype.

    Inputs: ``(batch, in_channels, *spatial)`` for ``{cf!r}``. Outputs:
    ``(batch, channels, *out_spatial)``. Parameters: ``weight (channels,
    in_channels/groups, *kernel)`` (``{cl!r}``: ``(channels, *kernel,
    in_channels/groups)``, as Gluon), ``bias (channels,)``.

    Raises:
        ValueError: bad hyperparameters, wrong input rank or channel count, or a
            kernel larger than the padded input.
        TypeError: a non-floating-point input.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> conv = L.Conv{n}D(8, 3, padding=1)
        >>> x = jnp.ones((2, 4{sp}))
        >>> params, state = conv.init(jax.random.key(0), x)
        >>> params["weight"].shape
        (8, 4{k})
        >>> conv.apply(params, state, x)[0].shape
        (2, 8{sp})
    """

_CONVT_DOC = """{n}-D transposed convolution (MXNet ``Deconvolution``).

    Gluon's ``nn.Conv{n}DTranspose``: the gradient of a convolution with respect to its
    input. Output size per spatial dimension:
    ``(in - 1)*strides - 2*padding + dilation*(kernel-1) + 1 + output_padding``.

    Args:
        channels: number of output channels.
        kernel_size: int or tuple of {n} ints.
        strides: int or tuple of {n} ints.
        padding: int or tuple of {n} ints (removed from both output edges).
        output_padding: extra size added to the high edge, int or tuple of {n} ints.
        dilation: int or tuple of {n} ints.
        groups: number of groups.
        layout: ``{cf!r}`` (default) or channels-last ``{cl!r}``.
        activation: MXNet activation name or None.
        use_bias: whether to add a bias.
        weight_initializer: initializer of ``weight`` (None: the global one).
        bias_initializer: initializer of ``bias``.
        in_channels: expected input channels; 0 infers them from the example input.
        dtype: parameter dtype.

    Inputs: ``(batch, in_channels, *spatial)`` for ``{cf!r}``. Outputs:
    ``(batch, channels, *out_spatial)``. Parameters: ``weight (in_channels,
    channels/groups, *kernel)`` (``{cl!r}``: ``(in_channels, *kernel, channels/groups)``,
    as Gluon), ``bias (channels,)``.

    Raises:
        ValueError: bad hyperparameters, wrong input rank or channel count, or an
            empty output.
        TypeError: a non-floating-point input.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> deconv = L.Conv{n}DTranspose(3, 2, strides=2)
        >>> x = jnp.ones((2, 4{sp}))
        >>> params, state = deconv.init(jax.random.key(0), x)
        >>> params["weight"].shape
        (4, 3{k2})
        >>> deconv.apply(params, state, x)[0].shape
        (2, 3{sp2})
    """


def _fmt(doc: str, n: int) -> str:
    cf, cl = LAYOUTS[n]
    return doc.format(
        n=n,
        cf=cf,
        cl=cl,
        sp=", 5" * n,
        k=", 3" * n,
        k2=", 2" * n,
        sp2=", 10" * n,
    )


@layer
class Conv1D(_Conv):
    __doc__ = _fmt(_CONV_DOC, 1)
    _NDIM: ClassVar[int] = 1
    layout: str = "NCW"


@layer
class Conv2D(_Conv):
    __doc__ = _fmt(_CONV_DOC, 2)
    _NDIM: ClassVar[int] = 2
    layout: str = "NCHW"


@layer
class Conv3D(_Conv):
    __doc__ = _fmt(_CONV_DOC, 3)
    _NDIM: ClassVar[int] = 3
    layout: str = "NCDHW"


@layer
class Conv1DTranspose(_ConvTranspose):
    __doc__ = _fmt(_CONVT_DOC, 1)
    _NDIM: ClassVar[int] = 1
    layout: str = "NCW"


@layer
class Conv2DTranspose(_ConvTranspose):
    __doc__ = _fmt(_CONVT_DOC, 2)
    _NDIM: ClassVar[int] = 2
    layout: str = "NCHW"


@layer
class Conv3DTranspose(_ConvTranspose):
    __doc__ = _fmt(_CONVT_DOC, 3)
    _NDIM: ClassVar[int] = 3
    layout: str = "NCDHW"
