"""Data-parallel throughput against device count (issue #6), simulated CPU devices.

Each device count runs in its own subprocess with
``XLA_FLAGS=--xla_force_host_platform_device_count=N``; the MLP 784-256-256-10
trains with ``Model.fit(devices=N)`` at a fixed global batch. On a CPU the
"devices" share the same cores, so this measures the overhead of the sharded
program rather than a speed-up; on a GPU host run it with real devices.

    python benchmarks/scaling.py [--devices 1,2,4] [--batch 256] [--steps 100]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import json, sys, time
import numpy as np, optax
from mxjax._src.train.zoo import mlp
from mxjax.train import Model
n, batch, steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
x = rng.standard_normal((batch * steps, 784)).astype(np.float32)
y = rng.integers(0, 10, batch * steps).astype(np.int32)
m = Model(mlp(10))
m.compile(optax.adam(1e-3), lambda o, t: optax.softmax_cross_entropy_with_integer_labels(o, t))
m.fit(x, y, batch_size=batch, epochs=1, verbose=0, devices=n)  # compile + warm-up
times = []
for _ in range(3):
    t = time.perf_counter()
    m.fit(x, y, batch_size=batch, epochs=1, verbose=0, devices=n)
    times.append(time.perf_counter() - t)
best = min(times)
print(json.dumps({"devices": n, "ms_per_step": 1e3 * best / steps, "samples_per_s": batch * steps / best}))
"""


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", default="1,2,4")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--steps", type=int, default=100)
    args = ap.parse_args(argv)
    rows = []
    for n in [int(d) for d in args.devices.split(",")]:
        env = dict(
            os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={n}", JAX_PLATFORMS="cpu"
        )
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(args.batch), str(args.steps)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(
            f"{n} device(s): {rows[-1]['ms_per_step']:.2f} ms/step, {rows[-1]['samples_per_s']:,.0f} samples/s"
        )
    return rows


if __name__ == "__main__":
    main()
