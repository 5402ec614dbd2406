"""Strided transposed convolutions as one stride-1 convolution and a depth-to-space.

MXNet's ``Deconvolution`` with ``stride > 1`` is, written literally, a convolution of the
stride-dilated input (``stride - 1`` zeros between neighbours) with the flipped kernel;
XLA:CPU runs that input-dilated convolution, and its gradients, through a slow generic
path (a DCGAN generator's ``8x8 -> 16x16`` layer, batch 64, 256 -> 128 channels: seconds
per training step where the arithmetic takes a tenth of that).

Output position ``t`` (before the ``padding`` crop) of a stride-``s`` transposed
convolution receives ``x[i] * w[j]`` for ``i*s + j = t``: writing ``t = s*q + r``, the
outputs of residue ``r`` are a stride-1 convolution of ``x`` with the sub-kernel
``w[r], w[r+s], w[r+2s], ...`` (flipped). All ``s**d`` sub-kernels, zero-padded to the
same ``ceil(k/s)`` taps, are stacked on the output channel axis, so the whole layer is
one ordinary convolution with ``s**d`` times the channels and a ``ceil(k/s)`` kernel,
followed by interleaving the residues into the output ("sub-pixel convolution",
depth-to-space). Its gradients are stride-1 convolutions as well. A dilated kernel is
zero-filled first (exact; some taps multiply zeros). Groups run as ungrouped
convolutions: XLA:CPU's grouped convolution is several times slower than the groups run
apart (4 groups, 64 -> 64 channels: 104 ms against 11 ms); up to :data:`MAX_UNROLLED_GROUPS`
as one convolution each in the program (each adds ~0.1 s to the compilation), more in a
``lax.map`` loop over the groups (one compiled body; 64 groups: 16 ms against XLA's 217 ms).

:func:`conv_transpose_subpixel` computes the same result as ``mxjax.layers``'
input-dilated formulation; :func:`use_subpixel` says where it is the faster one.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from jax import lax

_DN = {1: ("NWC", "WIO", "NWC"), 2: ("NHWC", "HWIO", "NHWC"), 3: ("NDHWC", "DHWIO", "NDHWC")}

# Up to this many groups run as one convolution each, more in a loop over the groups
# (`lax.map`: one body to compile, but slower for a few groups: 4 groups, 256 -> 128
# channels, 8x8: 34 ms unrolled, 676 ms looped; 16 groups 5 ms and 1.0 s to compile
# against 16 ms and 0.8 s). `benchmarks/conv_subpixel.py`.
MAX_UNROLLED_GROUPS = 8


def use_subpixel(strides: Sequence[int]) -> bool:
    """Whether :func:`conv_transpose_subpixel` is the faster way to run this on the backend.

    On XLA:CPU it wins for every strided case measured by ``python
    benchmarks/conv_subpixel.py`` (2-20x forward and backward; see CHANGELOG); a stride of
    1 is an ordinary convolution already. Other backends keep XLA's own input-dilated
    convolution (not measured there). Decided at trace time.
    """
    return any(s > 1 for s in strides) and jax.default_backend() == "cpu"


def conv_transpose_subpixel(
    x: jax.Array,
    w_io: jax.Array,
    out_spatial: Sequence[int],
    strides: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    groups: int,
    channels_last: bool,
) -> jax.Array:
    """MXNet's ``Deconvolution`` of ``x`` as stride-1 convolutions + depth-to-space.

    Args:
        x: ``(N, C, *S)`` (``(N, *S, C)`` if ``channels_last``).
        w_io: ``(C, O/groups, *kernel)``, MXNet's transposed-convolution weight.
        out_spatial: the output's spatial size, ``(S-1)*stride - 2*padding +
            dilation*(kernel-1) + 1 + output_padding`` per dimension.
        strides, padding, dilation: one int per spatial dimension (``padding`` is cropped
            from both edges of the full output; ``output_padding`` is implied by
            ``out_spatial``).
        groups: the number of groups.
        channels_last: the layout of ``x`` and of the result.

    Returns:
        ``(N, O, *out_spatial)`` (``(N, *out_spatial, O)`` if ``channels_last``).
    """
    if not channels_last:
        x = jnp.moveaxis(x, 1, -1)
    args = (out_spatial, strides, padding, dilation)
    if groups == 1:
        y = _subpixel(x, w_io, *args)
    elif groups <= MAX_UNROLLED_GROUPS:  # output channels are group-major, as the inputs
        xs, ws = jnp.split(x, groups, axis=-1), jnp.split(w_io, groups, axis=0)
        y = jnp.concatenate([_subpixel(a, b, *args) for a, b in zip(xs, ws)], axis=-1)
    else:  # (g, N, *S, C/g) and (g, C/g, O/g, *k) -> (g, N, *Y, O/g) -> (N, *Y, O)
        xs = jnp.moveaxis(x.reshape(*x.shape[:-1], groups, -1), -2, 0)
        ws = w_io.reshape(groups, -1, *w_io.shape[1:])
        y = lax.map(lambda xw: _subpixel(xw[0], xw[1], *args), (xs, ws))
        y = jnp.moveaxis(y, 0, -2).reshape(*y.shape[1:-1], -1)
    return y if channels_last else jnp.moveaxis(y, -1, 1)


def _subpixel(x, w, out_spatial, strides, padding, dilation):
    """:func:`conv_transpose_subpixel` of a channels-last ``x``, one group."""
    n = w.ndim - 2
    spatial = tuple(int(v) for v in x.shape[1:-1])
    if any(d > 1 for d in dilation):  # zero-fill the dilated kernel: exact, a few zero taps
        w = lax.pad(w, jnp.zeros((), w.dtype), [(0, 0, 0)] * 2 + [(0, 0, d - 1) for d in dilation])
    ke = tuple(int(v) for v in w.shape[2:])
    taps = tuple(-(-k // s) for k, s in zip(ke, strides))  # ceil(k/s) taps per sub-kernel
    # Pad to taps*s and split each kernel axis j = m*s + r into (m, r); flip m (the
    # residue's sub-kernel is convolved, not correlated).
    w = jnp.pad(w, [(0, 0)] * 2 + [(0, t * s - k) for t, s, k in zip(taps, strides, ke)])
    c, o = int(w.shape[0]), int(w.shape[1])
    w = w.reshape(c, o, *[v for t, s in zip(taps, strides) for v in (t, s)])
    w = jnp.flip(w, tuple(2 + 2 * i for i in range(n)))
    # (C, O, m1, r1, ..., mn, rn) -> (m1..mn, C, r1..rn, O) -> (*taps, C, s**d * O).
    perm = (*(2 + 2 * i for i in range(n)), 0, *(3 + 2 * i for i in range(n)), 1)
    w = jnp.transpose(w, perm).reshape(*taps, c, -1)
    # Residue outputs q cover t = q*s + r in [pad, pad + out); sub-kernel output q reads
    # x[q - taps + 1 .. q]: pad x by (taps - 1 - q_lo, ...) (negative: crop).
    pads, counts = [], []
    for size, t, s, p, y in zip(spatial, taps, strides, padding, out_spatial):
        q_lo, q_hi = p // s, (p + y - 1) // s
        lo = t - 1 - q_lo
        counts.append(q_hi - q_lo + 1)
        pads.append((lo, counts[-1] + t - 1 - size - lo))
    # Padding in the convolution itself sends XLA:CPU's gradients to a slow generic loop
    # (DCGAN 8x8 -> 16x16 layer: 6.5 s against 0.13 s): pad (or crop) explicitly.
    if any(lo or hi for lo, hi in pads):
        x = lax.pad(
            x, jnp.zeros((), x.dtype), [(0, 0, 0), *[(lo, hi, 0) for lo, hi in pads], (0, 0, 0)]
        )
    z = lax.conv_general_dilated(x, w, (1,) * n, "VALID", dimension_numbers=_DN[n])
    # (N, *Q, *s, O) -> (N, Q1, s1, ..., Qn, sn, O) -> (N, *(Q*s), O), cropped.
    nb = z.shape[0]
    z = z.reshape(nb, *counts, *strides, o)
    perm = (0, *(v for i in range(n) for v in (1 + i, n + 1 + i)), 2 * n + 1)
    z = jnp.transpose(z, perm).reshape(nb, *(q * s for q, s in zip(counts, strides)), o)
    starts = [p % s for p, s in zip(padding, strides)]
    return lax.slice(z, [0, *starts, 0], [nb, *(a + y for a, y in zip(starts, out_spatial)), o])
