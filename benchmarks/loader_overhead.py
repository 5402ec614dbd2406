"""Issue #4: cost of feeding LeNet training from ``mxjax.data.DataLoader`` vs pre-built device arrays.

One epoch over the embedded MNIST subset (4,000 images, batch 128, full
batches only) with the same jitted NCHW LeNet-style step (adam, softmax
cross-entropy); the images are ToTensor + Normalize'd either by the
DataLoader (vectorized ``batch_transform``, 0 or 2 workers) or once, up
front, into device arrays that the epoch slices. Reports median epoch times
and their ratio.

Run: ``python benchmarks/loader_overhead.py [--epochs 3] [--workers 0,2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from c_jax import apply_model, init_model  # noqa: E402
from data_throughput import MEAN, STD, BatchToTensorNormalize  # noqa: E402

from mxjax.data import ArrayDataset, DataLoader, embedded_mnist  # noqa: E402


def make_step():
    tx = optax.adam(1e-3)

    def train_step(p, s, xb, yb):
        def loss_fn(p):
            logits = apply_model("cnn", p, xb)
            return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

        loss, g = jax.value_and_grad(loss_fn)(p)
        updates, s = tx.update(g, s, p)
        return optax.apply_updates(p, updates), s, loss

    params = init_model("cnn", jax.random.key(0))
    return jax.jit(train_step, donate_argnums=(0, 1)), [params, tx.init(params)]


def epoch(step, st, batches) -> float:
    t = time.perf_counter()
    loss = None
    for xb, yb in batches:
        st[0], st[1], loss = step(st[0], st[1], xb, yb)
    jax.block_until_ready((st, loss))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs per feeding path")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--workers", default="0,2")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args()
    x, y = embedded_mnist(train=True)
    bs, n = args.batch_size, (len(x) // args.batch_size) * args.batch_size
    step, st = make_step()

    xt = np.transpose(x.astype(np.float32) / 255.0, (0, 3, 1, 2))
    xd, yd = jnp.asarray((xt - MEAN) / STD), jnp.asarray(y)

    def arrays():
        for i in range(0, n, bs):
            yield xd[i : i + bs], yd[i : i + bs]

    epoch(step, st, arrays())  # compile + warm-up
    res = {
        "arrays_epoch_s": statistics.median(epoch(step, st, arrays()) for _ in range(args.epochs))
    }
    for workers in [int(w) for w in args.workers.split(",")]:
        loader = DataLoader(
            ArrayDataset(x, y),
            batch_size=bs,
            num_workers=workers,
            last_batch="discard",
            batch_transform=BatchToTensorNormalize(),
        )
        try:

            def fed(loader=loader):
                for xb, yb in loader:
                    yield jnp.asarray(xb), jnp.asarray(yb)

            epoch(step, st, fed())  # warm-up: starts the workers
            t = statistics.median(epoch(step, st, fed()) for _ in range(args.epochs))
        finally:
            loader.close()
        res[f"loader_w{workers}_epoch_s"] = t
        res[f"loader_w{workers}_ratio"] = t / res["arrays_epoch_s"]
    res["loadavg"] = os.getloadavg()
    print(json.dumps(res, indent=1))
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
