"""``Model.fit`` against a hand-written jitted step, in one process, interleaved (issue #15).

Both contenders come from the suite (``c_jax.build``: ``jax.jit`` + optax;
``c_mxjax.build_fit``: ``Model.fit`` over pre-built arrays). Each round
times ``--steps`` steps of one, then of the other (the order alternates), so
both see the same machine load; the report gives the minimum over rounds of
each (the least disturbed measurement), the ratio of those minimums, and the
median of the per-round ratios, for wall-clock time and for the process's CPU
time (all threads: the work done, which other processes' load disturbs less).
On a shared machine trust the minimums and the CPU-time ratio.

    python benchmarks/fit_overhead.py --workload mlp_b128 --rounds 15 --steps 100
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def measure(workload: str, rounds: int, steps: int) -> dict:
    """Per-step milliseconds of both contenders over ``rounds`` interleaved rounds."""
    import c_jax
    import c_mxjax
    import jax
    from workloads import WORKLOADS, make_data

    w = WORKLOADS[workload]
    x, y = make_data(w)
    raw, fit = c_jax.build(w, x, y)["step"], c_mxjax.build_fit(w, x, y)["run"]

    def run_raw():
        for _ in range(steps):
            loss = raw()
        jax.block_until_ready(loss)

    def timed(fn):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        return (
            (time.perf_counter() - wall) * 1e3 / steps,
            (time.process_time() - cpu) * 1e3 / steps,
        )

    run_raw(), fit(steps)  # compile and warm up both
    out = {"raw_ms": [], "fit_ms": [], "raw_cpu_ms": [], "fit_cpu_ms": []}
    for r in range(rounds):
        pair = (("raw", run_raw), ("fit", lambda: fit(steps)))
        for key, fn in pair if r % 2 == 0 else pair[::-1]:
            wall, cpu = timed(fn)
            out[f"{key}_ms"].append(wall)
            out[f"{key}_cpu_ms"].append(cpu)
    res = {"workload": workload, "rounds": rounds, "steps": steps}
    for clock in ("", "_cpu"):
        f, r = out[f"fit{clock}_ms"], out[f"raw{clock}_ms"]
        res[f"min_raw{clock}_ms"], res[f"min_fit{clock}_ms"] = min(r), min(f)
        res[f"ratio_of_mins{clock}"] = min(f) / min(r)
        res[f"median_ratio{clock}"] = statistics.median(a / b for a, b in zip(f, r))
    return {**res, "loadavg": list(os.getloadavg()), **out}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", default="mlp_b128")
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--steps", type=int, default=100)
    args = p.parse_args(argv)
    res = measure(args.workload, args.rounds, args.steps)
    print(json.dumps({k: v for k, v in res.items() if not k.endswith("_ms")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
