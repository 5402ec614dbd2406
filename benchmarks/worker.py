"""Runs ONE contender on ONE workload in this process and prints one ``RESULT {json}`` line.

Started by ``run.py`` (one subprocess per contender x workload, so compile
caches, threads and peak memory never leak between contenders). Also runs
under the MXNet venv (``/tmp/mxnet/bin/python``) for the ``mxnet`` contender,
so it imports neither JAX nor mxjax at module level.

Usage: ``python benchmarks/worker.py CONTENDER WORKLOAD [--quick]``.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import statistics
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workloads import WORKLOADS, make_data  # noqa: E402

# contender -> (module, factory, human label)
CONTENDERS = {
    "jax": ("c_jax", "build", "raw JAX (jax.jit + optax)"),
    "mxjax_functional": ("c_mxjax", "build_functional", "mxjax functional (layers + optax + jit)"),
    "mxjax_fit": ("c_mxjax", "build_fit", "mxjax Model.fit"),
    "gluon_hybrid": ("c_gluon", "build_hybrid", "mxjax Gluon, hybridized"),
    "gluon_plain": ("c_gluon", "build_plain", "mxjax Gluon, not hybridized"),
    "nnx_jit": ("c_peers", "build_nnx_jit", "Flax NNX nnx.jit"),
    "nnx_splitmerge": ("c_peers", "build_nnx_split", "Flax NNX split/merge + jax.jit"),
    "equinox": ("c_peers", "build_equinox", "Equinox (eqx.filter_jit)"),
    "haiku": ("c_peers", "build_haiku", "Haiku (transform + jax.jit)"),
    "torch": ("c_torch", "build", "PyTorch CPU (eager)"),
    "mxnet": ("c_mxnet", "build", "MXNet 1.9.1 Gluon, hybridized"),
}


class Skip(Exception):
    """Raised by a factory when the contender cannot run this workload (the reason is recorded)."""


def _block(out):
    if out is None:
        return
    if hasattr(out, "wait_to_read"):  # MXNet NDArray
        out.wait_to_read()
        return
    if type(out).__module__.startswith("torch"):
        return  # eager CPU torch is synchronous
    import jax

    jax.block_until_ready(out)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def measure(bench: dict, warmup: int, steps: int) -> dict:
    """Times ``bench['step']`` per call (blocking each), or ``bench['run'](n)`` in chunks."""
    if "run" in bench:  # a loop that runs n steps itself (Model.fit) and blocks at its end
        run = bench["run"]
        t = time.perf_counter()
        run(1)
        first = time.perf_counter() - t
        run(max(warmup, 1))
        reps = 5
        chunk = max(steps // reps, 1)
        per_step = []
        for _ in range(reps):
            t = time.perf_counter()
            run(chunk)
            per_step.append((time.perf_counter() - t) / chunk)
        return {
            "first_step_s": first,
            "median_ms": 1e3 * statistics.median(per_step),
            "samples": reps,
            "steps_per_sample": chunk,
        }
    step = bench["step"]
    t = time.perf_counter()
    _block(step())
    first = time.perf_counter() - t
    for _ in range(max(warmup - 1, 0)):
        _block(step())
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        _block(step())
        times.append(time.perf_counter() - t)
    return {
        "first_step_s": first,
        "median_ms": 1e3 * statistics.median(times),
        "min_ms": 1e3 * min(times),
        "samples": len(times),
        "steps_per_sample": 1,
    }


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in argv
    argv = [a for a in argv if a != "--quick"]
    contender, workload = argv
    w = WORKLOADS[workload]
    module, factory, label = CONTENDERS[contender]
    result = {"contender": contender, "label": label, "workload": workload, "status": "ok"}
    try:
        mod = importlib.import_module(module)
        if w.model == "data":
            result.update(mod.data_throughput(w, quick) if hasattr(mod, "data_throughput") else {})
            if not hasattr(mod, "data_throughput"):
                raise Skip("no DataLoader throughput workload for this contender")
        else:
            x, y = make_data(w)
            bench = getattr(mod, factory)(w, x, y)
            steps = w.quick_steps if quick else w.steps
            result.update(measure(bench, w.warmup if not quick else 1, steps))
    except Skip as e:
        result.update(status="skipped", reason=str(e))
    except ImportError as e:
        result.update(status="skipped", reason=f"not installed: {e}")
    except Exception as e:  # a failing contender is a row with its reason, never a crash
        result.update(status="error", reason=f"{type(e).__name__}: {e}".splitlines()[0][:300])
        traceback.print_exc()
    result["peak_rss_mb"] = peak_rss_mb()
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
