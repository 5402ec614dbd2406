"""Convolutions with a tiny output, lowered to one matrix product (im2col on a few windows).

When the (dilated) kernel covers the whole padded input, or nearly, a convolution has one
or a handful of output positions. XLA:CPU runs the forward pass of such a convolution
well, but its gradient with respect to the input is a convolution of the zero-padded
output gradient with the flipped kernel, whose cost grows with ``input size x kernel
size`` even though almost every product is with a padding zero: for a ``(4, 3, 112, 112)``
input and a ``112 x 112`` kernel with 16 channels forward and backward take ~8 s (jax
0.10.2), at 224 x 224 about 150 s. MXNet runs the same layer as one GEMM. Gathering the few windows (one slice per
output position) and contracting them with the kernel is one ``dot_general`` whose
gradients are matrix products and slices as well.

The transposed convolution (MXNet's ``Deconvolution``) of an input with a few positions
is the mirror case: XLA runs it as a convolution of the stride-dilated, padded input, again
mostly products with zeros (a DCGAN generator's ``4x4`` layer from ``1x1``, batch 64, 100 ->
512 channels: 75 ms forward and backward; ``4x4 -> 8x8``, 512 -> 256 channels: 3.4 s).
:func:`conv_transpose_gemm` computes it as the transpose of :func:`conv_gemm` (16 ms, 250 ms).

This module knows nothing about layers: :func:`use_gemm` decides from the shapes,
:func:`conv_gemm` computes the same result as ``lax.conv_general_dilated`` (without input
dilation) for channels-first or channels-last inputs and ``(O, I/groups, *kernel)`` weights,
and :func:`conv_transpose_gemm` the transposed convolution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
from jax import lax

# Largest number of output positions (product over the spatial dimensions) lowered to a
# matrix product, and the least number of padded input positions per output position (below
# it the kernel is small next to the input and XLA's convolution is as good; a 1x1 kernel
# is 1). The patches hold at most MAX_OUTPUT_POSITIONS times the input. Measured with
# `python benchmarks/conv_gemm.py --repeat 2` (jax 0.10.2, XLA:CPU, 2 loaded cores, batch 4,
# SxS input, C -> O channels, kernel S-side+1, jitted forward + gradients of input and
# kernel, best of 2 calls; first call with compilation in brackets):
#     S side   C    O      conv ms            gemm ms
#   224    1   3   16   148035 (227707)     20.3 (266)
#   112    1   3   16     8276   (9119)      1.5 (376)
#    56    1   3  256     8150   (8354)      7.8 (456)
#    28    1   3   16       33    (565)     0.19 (388)
#    14    1   3   16      2.1    (472)     0.16 (311)
#    56    2  16   64       39    (517)      9.0 (330)
#    56    4  16   64       73    (350)       16 (233)
#     8    4  16   64     0.95    (285)     0.24 (275)
#    14    7  16   64      8.1    (248)      1.2 (586)   49 positions: conv kept
#    56    8   3   16       17    (195)      3.2 (297)   64 positions: conv kept
#     8    8  16   64     0.10    (126)     0.14 (377)   1x1 kernel: conv kept
# XLA's cost is its input gradient (a convolution of the zero-padded output gradient);
# the matrix product also wins at 49-64 positions, but its patches grow with them.
# Transposed (`benchmarks/conv_gemm.py --transposed --repeat 2`, N:S:C:O:k:stride:pad):
#   64:1:100:512:4:1:0  conv 74.8 (828)  gemm 16.2 (801)
#   64:4:512:256:4:2:1  conv 3373 (4212) gemm 250 (1739)
#   4:1:3:16:56:1:0     conv 763 (1324)  gemm 0.87 (666)
MAX_OUTPUT_POSITIONS = 16
MIN_INPUT_PER_OUTPUT = 4


def out_size(
    spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    padding: Sequence[tuple[int, int]],
    dilation: Sequence[int],
) -> tuple[int, ...]:
    """Output spatial size of a convolution (``padding`` as ``(low, high)`` pairs)."""
    return tuple(
        (s + lo + hi - d * (k - 1) - 1) // st + 1
        for s, k, st, (lo, hi), d in zip(spatial, kernel, strides, padding, dilation)
    )


def use_gemm(
    spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    padding: Sequence[tuple[int, int]],
    dilation: Sequence[int],
) -> bool:
    """Whether :func:`conv_gemm` is the faster way to run this convolution on XLA."""
    out = out_size(spatial, kernel, strides, padding, dilation)
    positions = math.prod(out)
    if positions < 1:
        return False
    if positions == 1:
        return True
    padded = math.prod(s + lo + hi for s, (lo, hi) in zip(spatial, padding))
    return positions <= MAX_OUTPUT_POSITIONS and padded >= MIN_INPUT_PER_OUTPUT * positions


def conv_gemm(
    x: jax.Array,
    w_oi: jax.Array,
    strides: Sequence[int],
    padding: Sequence[tuple[int, int]],
    dilation: Sequence[int],
    groups: int,
    channels_last: bool,
) -> jax.Array:
    """``lax.conv_general_dilated`` of ``x`` with ``w_oi`` as im2col + one matrix product.

    ``x`` is ``(N, C, *S)`` (``(N, *S, C)`` if ``channels_last``), ``w_oi`` is ``(O, C/groups,
    *kernel)``; the result is ``(N, O, *out)`` (``(N, *out, O)``). Meant for a few output
    positions: it stacks one slice of the padded input per output position.
    """
    n = w_oi.ndim - 2
    kernel = tuple(int(k) for k in w_oi.shape[2:])
    sp_axes = tuple(range(1, n + 1)) if channels_last else tuple(range(2, n + 2))
    spatial = tuple(int(x.shape[a]) for a in sp_axes)
    out = out_size(spatial, kernel, strides, padding, dilation)
    if any(lo or hi for lo, hi in padding):
        pads = [(0, 0)] * x.ndim
        for a, p in zip(sp_axes, padding):
            pads[a] = tuple(p)
        x = jnp.pad(x, pads)
    # Window i of dimension d: a strided slice of that dimension, stacked on a new axis
    # after the batch axis; sum(out) slices rather than prod(out), and for one output
    # position just slices. Result: (N, *out, C, *k) or (N, *out, *k, C).
    for i, (a, o, k, st, d) in enumerate(zip(sp_axes, out, kernel, strides, dilation)):
        a += i  # the position axes inserted so far sit before it
        windows = []
        for p in range(o):
            start, limit, step = [0] * x.ndim, list(x.shape), [1] * x.ndim
            start[a], limit[a], step[a] = p * st, p * st + d * (k - 1) + 1, d
            windows.append(lax.slice(x, start, limit, step))
        x = jnp.stack(windows, axis=1 + i)
    pcount = math.prod(out)
    patches = x.reshape(x.shape[0], pcount, *x.shape[n + 1 :])  # (N, P, C, *k) / (N, P, *k, C)
    nb, o = x.shape[0], int(w_oi.shape[0])
    cg, og, ksize = int(w_oi.shape[1]), o // groups, math.prod(kernel)
    if channels_last:
        # Put the spatial and channel axes in the same order on both sides; move whichever
        # operand is smaller (the patches for a few samples, the kernel for large batches).
        if nb * pcount <= o:
            patches = jnp.moveaxis(patches, -1, 2)
        else:
            w_oi = jnp.moveaxis(w_oi, 1, -1)
            patches = patches.reshape(nb, pcount, ksize, groups, cg)
            patches = jnp.swapaxes(patches, 2, 3)
    lhs = patches.reshape(nb, pcount, groups, cg * ksize)
    rhs = w_oi.reshape(groups, og, cg * ksize)
    # (g, N, P, Og): batch over the groups, contract over (C/g, *k).
    y = lax.dot_general(lhs, rhs, (((3,), (2,)), ((2,), (0,))))
    y = jnp.moveaxis(y, 0, 2).reshape(nb, *out, o)  # (N, *out, g, Og) -> (N, *out, O)
    return y if channels_last else jnp.moveaxis(y, -1, 1)


def conv_transpose_gemm(
    x: jax.Array,
    w_oi: jax.Array,
    out_spatial: Sequence[int],
    strides: Sequence[int],
    padding: Sequence[tuple[int, int]],
    dilation: Sequence[int],
    groups: int,
    channels_last: bool,
) -> jax.Array | None:
    """A transposed convolution of ``x`` with few positions, as the transpose of :func:`conv_gemm`.

    MXNet's ``Deconvolution`` of ``x`` is the gradient with respect to its input of the
    convolution (``strides``, ``padding``, ``dilation``, ``groups``, kernel ``w_oi`` of
    shape ``(C_x, O/groups, *kernel)``) that maps an ``out_spatial`` input with ``O``
    channels to ``x``'s spatial size; when that convolution qualifies for :func:`use_gemm`
    (``x`` has a few positions), this is one matrix product and an overlap-add, where
    XLA's input-dilated convolution multiplies mostly zeros. Returns None when the sizes
    do not round-trip (an ``output_padding`` of a stride or more).
    """
    kernel = tuple(int(k) for k in w_oi.shape[2:])
    spatial = tuple(int(d) for d in (x.shape[1:-1] if channels_last else x.shape[2:]))
    if out_size(out_spatial, kernel, strides, padding, dilation) != spatial:
        return None
    if not use_gemm(out_spatial, kernel, strides, padding, dilation):
        return None
    o, nb = int(w_oi.shape[1]) * groups, x.shape[0]
    shape = (nb, *out_spatial, o) if channels_last else (nb, o, *out_spatial)

    def conv(z):
        return conv_gemm(z, w_oi, strides, padding, dilation, groups, channels_last)

    (y,) = jax.linear_transpose(conv, jax.ShapeDtypeStruct(shape, x.dtype))(x)
    return y
