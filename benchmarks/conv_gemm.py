"""XLA's convolution against im2col + matmul for convolutions with a tiny output.

For each case, a 2-D convolution of a ``(batch, S, S, C)`` channels-last input with a
``(O, C, k, k)`` kernel, ``k = S - side + 1`` (stride 1, no padding), so the output is
``side x side``; one jitted ``value_and_grad`` of ``sum(conv(x, w) * dy)`` with respect to
the input and the kernel (the forward and both gradients a training step runs), timed as:

* ``conv``: ``lax.conv_general_dilated`` (NHWC/HWIO, what ``mxjax.layers`` ran before);
* ``gemm``: ``mxjax._src.layers.conv_gemm.conv_gemm`` (one slice per output position,
  stacked, one ``dot_general``).

``--transposed`` times transposed convolutions (MXNet's Deconvolution) of a
``(batch, S, S, C)`` input instead, cases ``batch:S:C:O:k:stride:pad``: ``conv`` is XLA's
input-dilated convolution with the flipped kernel (what ``mxjax.layers`` ran before),
``gemm`` is ``conv_transpose_gemm``.

Prints the first call (compilation included, no persistent compilation cache) and the
best of ``--repeat`` calls in ms, and which path mxjax picks. Run::

    python benchmarks/conv_gemm.py                      # the default grid
    python benchmarks/conv_gemm.py --cases 112:1:3:16 --repeat 2   # S:side:C:O
    python benchmarks/conv_gemm.py --transposed         # DCGAN-like layers
"""

from __future__ import annotations

import argparse
import os
import time

# Compile times are part of the comparison: no persistent compilation cache.
os.environ.setdefault("MXJAX_CACHE_DIR", "off")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

from mxjax._src.layers.conv_gemm import (  # noqa: E402
    conv_gemm,
    conv_transpose_gemm,
    use_gemm,
)

DEFAULT_CASES = (
    "14:1:3:16 28:1:3:16 56:1:3:16 56:1:3:256 112:1:3:16 "
    "28:2:3:16 28:4:3:16 28:8:3:16 56:2:3:16 56:3:3:16 56:4:3:16 56:8:3:16 "
    "56:2:16:64 56:4:16:64 14:4:16:64 14:7:16:64 8:4:16:64 8:8:16:64"
)

DEFAULT_TRANSPOSED = (
    "64:1:100:512:4:1:0 64:4:512:256:4:2:1 64:8:256:128:4:2:1 4:1:3:16:28:1:0 4:1:3:16:56:1:0"
)


def _conv(x, w):
    return lax.conv_general_dilated(
        x,
        jnp.transpose(w, (2, 3, 1, 0)),
        (1, 1),
        "VALID",
        dimension_numbers=("NHWC", "HWIO", "NHWC"),
    )


def _gemm(x, w):
    return conv_gemm(x, w, (1, 1), [(0, 0), (0, 0)], (1, 1), 1, True)


def _time(fn, args, repeat):
    t0 = time.perf_counter()
    jax.block_until_ready(fn(*args))
    first = time.perf_counter() - t0
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        jax.block_until_ready(fn(*args))
        best = min(best, time.perf_counter() - t0)
    return first * 1e3, best * 1e3


def _conv_t(x, w, s, p):
    """The transposed convolution as mxjax computed it before: input-dilated, flipped kernel."""
    k = w.shape[-1]
    w = jnp.flip(jnp.transpose(w, (2, 3, 0, 1)), (0, 1))  # (Cin, O, k, k) -> HWIO
    edge = k - 1 - p
    return lax.conv_general_dilated(
        x, w, (1, 1), [(edge, edge)] * 2, (s, s), None, ("NHWC", "HWIO", "NHWC")
    )


def _transposed(args):
    print("   N   S    C    O   k  s  p | conv first/best ms | gemm first/best ms | ratio | picks")
    for case in (args.cases or DEFAULT_TRANSPOSED).split():
        nb, size, c, o, k, st, p = (int(v) for v in case.split(":"))
        out = (size - 1) * st - 2 * p + k
        x = jax.random.normal(jax.random.key(0), (nb, size, size, c))
        w = jax.random.normal(jax.random.key(1), (c, o, k, k))
        dy = jax.random.normal(jax.random.key(2), (nb, out, out, o))

        def gemm(x, w, st=st, p=p, out=out):
            y = conv_transpose_gemm(x, w, (out, out), (st, st), [(p, p)] * 2, (1, 1), 1, True)
            return _conv_t(x, w, st, p) if y is None else y

        rows = []
        for f in (lambda x, w, st=st, p=p: _conv_t(x, w, st, p), gemm):
            step = jax.jit(
                jax.value_and_grad(lambda x, w, f=f, dy=dy: jnp.sum(f(x, w) * dy), (0, 1))
            )
            rows.append(_time(step, (x, w), args.repeat))
        pick = "gemm" if use_gemm((out, out), (k, k), (st, st), [(p, p)] * 2, (1, 1)) else "conv"
        (cf, cb), (gf, gb) = rows
        print(
            f"{nb:4d} {size:3d} {c:4d} {o:4d} {k:3d} {st:2d} {p:2d} | {cf:8.1f} {cb:9.2f} |"
            f" {gf:8.1f} {gb:9.2f} | {cb / gb:5.1f} | {pick}",
            flush=True,
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=None, help="space-separated S:side:C:O (see --transposed)")
    ap.add_argument("--transposed", action="store_true", help="transposed convolutions")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-conv-above", type=int, default=112, help="skip conv for S above")
    args = ap.parse_args()
    print(f"jax {jax.__version__}, {jax.devices()[0].platform}")
    if args.transposed:
        _transposed(args)
        return
    print(f"batch {args.batch}")
    print("   S side    C    O | conv first/best ms | gemm first/best ms | best ratio | picks")
    for case in (args.cases or DEFAULT_CASES).split():
        s, side, c, o = (int(v) for v in case.split(":"))
        k = s - side + 1
        kx, kw, kd = jax.random.split(jax.random.key(0), 3)
        x = jax.random.normal(kx, (args.batch, s, s, c))
        w = jax.random.normal(kw, (o, c, k, k))
        dy = jax.random.normal(kd, (args.batch, side, side, o))
        rows = []
        for f in (_conv, _gemm):
            if f is _conv and s > args.skip_conv_above:
                rows.append((float("nan"), float("nan")))
                continue
            step = jax.jit(
                jax.value_and_grad(lambda x, w, f=f, dy=dy: jnp.sum(f(x, w) * dy), (0, 1))
            )
            rows.append(_time(step, (x, w), args.repeat))
        pick = "gemm" if use_gemm((s, s), (k, k), (1, 1), [(0, 0)] * 2, (1, 1)) else "conv"
        (cf, cb), (gf, gb) = rows
        print(
            f"{s:4d} {side:4d} {c:4d} {o:4d} | {cf:8.1f} {cb:9.2f} | {gf:8.1f} {gb:9.2f} |"
            f" {cb / gb:10.1f} | {pick}",
            flush=True,
        )


if __name__ == "__main__":
    main()
