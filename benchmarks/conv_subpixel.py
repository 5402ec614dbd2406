"""Strided transposed convolutions on XLA: input-dilated convolution against sub-pixel.

Each case is a channels-last MXNet ``Deconvolution`` (``mxjax.layers.Conv{1,2,3}DTranspose``
computing internally), one jitted ``value_and_grad`` of ``sum(deconv(x, w) * dy)`` with
respect to the input and the kernel (the forward and both gradients of a training step),
timed for:

* ``dilated``: XLA's convolution of the stride-dilated input with the flipped kernel
  (``conv_transpose_dilated``; ``lax.conv_transpose`` lowers to the same convolution),
  what ``mxjax.layers`` ran before for these cases;
* ``subpixel``: ``conv_transpose_subpixel`` (one stride-1 convolution with ``stride**d``
  times the output channels, then depth-to-space);
* ``gemm``: ``conv_transpose_gemm`` where it applies (an input with a few positions).

Cases are ``dims:batch:S:C:O:k:stride:pad:output_padding[:dilation[:groups]]`` (an
``S**dims`` input with ``C`` channels to ``O`` channels). Prints the first call
(compilation included, no persistent compilation cache) and the best of ``--repeat``
rounds (each contender once per round) in ms, and the path ``mxjax.layers`` picks now::

    python benchmarks/conv_subpixel.py                  # DCGAN generator layers + others
    python benchmarks/conv_subpixel.py --cases 2:64:8:256:128:4:2:1:0 --repeat 2
    python benchmarks/conv_subpixel.py --dcgan          # a whole generator, both paths
"""

from __future__ import annotations

import argparse
import os
import time

# Compile times are part of the comparison: no persistent compilation cache.
os.environ.setdefault("MXJAX_CACHE_DIR", "off")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from mxjax import layers as L  # noqa: E402
from mxjax._src.layers import conv as conv_mod  # noqa: E402
from mxjax._src.layers.conv import conv_transpose_dilated  # noqa: E402
from mxjax._src.layers.conv_gemm import conv_transpose_gemm  # noqa: E402
from mxjax._src.layers.conv_subpixel import (  # noqa: E402
    conv_transpose_subpixel,
    use_subpixel,
)

DEFAULT_CASES = (
    # DCGAN generator (batch 64, kernel 4, stride 2, pad 1)
    "2:64:4:512:256:4:2:1:0 2:64:8:256:128:4:2:1:0 2:64:16:128:64:4:2:1:0 2:64:32:64:3:4:2:1:0 "
    # stride 2, kernel 3, pad 1, output_padding 1; 1-D and 3-D
    "2:16:16:64:64:3:2:1:1 1:16:64:64:64:4:2:1:0 1:16:32:32:32:3:2:1:1 "
    "3:4:8:32:16:4:2:1:0 3:4:8:16:16:3:2:1:1 "
    # U-Net 2x2 stride-2 upsampling, kernel 1 stride 2, dilation 2, groups 4, 8, 16, 64,
    # 4 and depthwise (FCN's bilinear upsampling)
    "2:8:32:64:32:2:2:0:0 2:16:16:64:64:1:2:0:1 2:16:16:64:64:3:2:1:0:2 "
    "2:16:16:64:64:4:2:1:0:1:4 2:16:16:64:64:4:2:1:0:1:8 2:16:16:64:64:4:2:1:0:1:16 "
    "2:16:16:64:64:4:2:1:0:1:64 2:64:8:256:128:4:2:1:0:1:4 2:64:8:256:256:4:2:1:0:1:256"
)


def _time(fns, args, repeat):
    """First call (compilation included) of each, then the best of ``repeat`` rounds that
    call each once in turn (so that they share the machine's load)."""
    first, best = {}, dict.fromkeys(fns, float("inf"))
    for name, fn in fns.items():
        t0 = time.perf_counter()
        jax.block_until_ready(fn(*args))
        first[name] = (time.perf_counter() - t0) * 1e3
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            jax.block_until_ready(fn(*args))
            best[name] = min(best[name], (time.perf_counter() - t0) * 1e3)
    return {name: (first[name], best[name]) for name in fns}


def _case(case, repeat):
    n, nb, size, c, o, k, st, p, op, d, g = (int(v) for v in (case + ":1:1").split(":")[:11])
    y = (size - 1) * st - 2 * p + d * (k - 1) + 1 + op
    out, sts, ps, ds = (y,) * n, (st,) * n, (p,) * n, (d,) * n
    x = jax.random.normal(jax.random.key(0), (nb, *(size,) * n, c))
    w = jax.random.normal(jax.random.key(1), (c, o // g, *(k,) * n))
    dy = jax.random.normal(jax.random.key(2), (nb, *out, o))
    fns = {
        "dilated": lambda x, w: conv_transpose_dilated(x, w, out, sts, ps, ds, g, True),
        "subpixel": lambda x, w: conv_transpose_subpixel(x, w, out, sts, ps, ds, g, True),
    }
    pick = "subpixel" if use_subpixel(sts) else "dilated"
    if conv_transpose_gemm(x, w, out, sts, [(p, p)] * n, ds, g, True) is not None:
        fns["gemm"] = lambda x, w: conv_transpose_gemm(x, w, out, sts, [(p, p)] * n, ds, g, True)
        pick = "gemm"
    steps = {
        name: jax.jit(jax.value_and_grad(lambda x, w, f=f: jnp.sum(f(x, w) * dy), (0, 1)))
        for name, f in fns.items()
    }
    res = _time(steps, (x, w), repeat)
    (df, db), (sf, sb) = res["dilated"], res["subpixel"]
    gemm = f"{res['gemm'][1]:12.1f}" if "gemm" in res else " " * 12
    print(
        f"{n} {nb:4d} {size:3d} {c:4d} {o:4d} {k:2d} {st} {p} {op:2d} {d} {g} | {df:9.1f} {db:11.1f} |"
        f" {sf:10.1f} {sb:11.1f} | {gemm} | {db / sb:7.1f} | {pick}",
        flush=True,
    )


def _dcgan(repeat):
    """A DCGAN generator (batch 64, 100 -> 512 -> 256 -> 128 -> 64 -> 3 channels, 1x1 -> 64x64,
    NCHW ``layers.Conv2DTranspose`` + relu), forward and backward, both paths."""
    specs = [(512, 1, 0), (256, 2, 1), (128, 2, 1), (64, 2, 1), (3, 2, 1)]
    nets = [L.Conv2DTranspose(c, 4, strides=s, padding=p, use_bias=False) for c, s, p in specs]
    x = jax.random.normal(jax.random.key(0), (64, 100, 1, 1))
    params, y = [], x
    for i, net in enumerate(nets):
        params.append(net.init(jax.random.key(i + 1), y)[0])
        y = net.apply(params[-1], {}, y)[0]

    def loss(params, x):
        for net, p in zip(nets, params):
            x = jax.nn.relu(net.apply(p, {}, x)[0])
        return jnp.sum(x * x)

    steps, compile_ms = {}, {}
    for name in ("dilated", "subpixel"):  # traced now, with the path patched in
        t0 = time.perf_counter()
        step = jax.jit(jax.value_and_grad(lambda p, x: loss(p, x)))
        picked = conv_mod.use_subpixel
        if name == "dilated":
            conv_mod.use_subpixel = lambda strides: False
        steps[name] = step.lower(params, x).compile()
        conv_mod.use_subpixel = picked
        compile_ms[name] = (time.perf_counter() - t0) * 1e3
    res = _time(steps, (params, x), repeat)
    print("DCGAN generator, forward + backward:")
    for name, (_, best) in res.items():
        print(f"  {name:8s} compile {compile_ms[name]:8.1f} ms   best {best:8.1f} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--cases", default=DEFAULT_CASES, help="dims:batch:S:C:O:k:stride:pad:op[:dil[:groups]] ..."
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dcgan", action="store_true", help="a whole DCGAN generator instead")
    args = ap.parse_args()
    print(f"jax {jax.__version__}, {jax.devices()[0].platform}")
    if args.dcgan:
        _dcgan(args.repeat)
        return
    print(
        "d    N   S    C    O  k s p op d g | dilated first/best ms | subpixel first/best ms |"
        " gemm best ms | speedup | picks"
    )
    for case in args.cases.split():
        _case(case, args.repeat)


if __name__ == "__main__":
    main()
