"""Time to first step: a cold process (empty compilation cache) and a warm second one.

Each contender runs in fresh subprocesses: the first with an empty cache
folder (``MXJAX_CACHE_DIR``; for raw JAX, JAX's own cache settings), the
second with the folder the first one filled. A row gives, in seconds from
the start of the process's script: imports, building the model (parameters
initialized, optimizer state), the first training step (compilation
included) and their total; plus how many XLA programs were compiled before
the first step finished and how many were loaded from the cache.

The ``floor`` row is what every JAX program pays before its own work: importing
jax and optax, starting the CPU backend and running one small jitted op (loaded
from the cache when warm). No warm process can be faster than it.

Python modules run from bytecode compiled beforehand (``compileall`` of mxjax and
the benchmark scripts), as after ``pip install``; ``PYTHONDONTWRITEBYTECODE`` set in
the caller's environment would otherwise make every process compile mxjax's sources.

Also measures ``initialize()`` of a Gluon Dense layer and of the model
zoo's ResNet-50 (v1) in a process whose imports are done.

Usage::

    python benchmarks/first_step.py                       # all contenders, mlp_b32 + cnn_b128
    python benchmarks/first_step.py --workloads mlp_b32 --contenders jax,mxjax_fit
    python benchmarks/first_step.py --repeat 3 --out benchmarks   # writes first_step.json/.md

MXNet 1.9.1 runs from ``--mxnet-python`` (default ``/work/mxnet-venv/bin/python``)
if it exists; PyTorch from ``--torch-python`` (default: this interpreter if it has
torch, else ``/work/torch-venv/bin/python`` if it exists).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CONTENDERS = {
    "floor": "floor: import jax + optax, one cached op (no model)",
    "jax": "raw JAX (jax.jit + optax)",
    "mxjax_functional": "mxjax functional (layers + optax + jit)",
    "mxjax_fit": "mxjax Model.fit",
    "gluon_hybrid": "mxjax Gluon, hybridized",
    "gluon_plain": "mxjax Gluon, not hybridized",
    "estimator": "mxjax Gluon Estimator",
    "module": "mxjax Module (symbolic)",
    "torch": "PyTorch CPU (eager)",
    "mxnet": "MXNet 1.9.1 Gluon, hybridized",
}
DEFAULT_WORKLOADS = ("mlp_b32", "cnn_b128")


# --------------------------------------------------------------------- child side
def _count_programs(events: dict) -> None:
    """Counts compiled programs and persistent-cache hits into ``events``."""
    import jax

    def listen(name, *args, **kwargs):
        if name == "/jax/core/compile/backend_compile_duration":
            events["compiled"] += 1
        elif name == "/jax/compilation_cache/cache_hits":
            events["cache_hits"] += 1

    jax.monitoring.register_event_listener(listen)
    jax.monitoring.register_event_duration_secs_listener(listen)


def _phases(out: dict, events: dict, t0, t_import, t_build, t_first) -> dict:
    out.update(
        import_s=t_import - t0,
        build_s=t_build - t_import,
        first_step_s=t_first - t_build,
        total_s=t_first - t0,
        programs_compiled=events["compiled"] - events["cache_hits"],
        programs_from_cache=events["cache_hits"],
    )
    return out


def _child(contender: str, workload: str) -> dict:
    t0 = time.perf_counter()
    sys.path.insert(0, HERE)
    out: dict = {"contender": contender, "workload": workload}
    events = {"compiled": 0, "cache_hits": 0}
    if contender == "floor":
        return _child_floor(t0, out, events)
    if contender != "mxnet" and contender != "torch":
        _count_programs(events)
        if contender != "jax":
            import mxjax  # noqa: F401  (the cache is configured at import)
    elif contender == "torch":
        import torch  # noqa: F401  (the framework's import belongs to the import phase)
    else:
        import mxnet  # noqa: F401
    from workloads import WORKLOADS, make_data

    w = WORKLOADS[workload]
    x, y = make_data(w)
    t_import = time.perf_counter()
    bench = _build(contender, w, x, y)
    t_build = time.perf_counter()
    if "run" in bench:
        bench["run"](1)
    else:
        _block(bench["step"]())
    return _phases(out, events, t0, t_import, t_build, time.perf_counter())


def _child_floor(t0: float, out: dict, events: dict) -> dict:
    """The fixed start-up cost: imports, backend start, one small cached program."""
    _count_programs(events)
    import jax
    import numpy as np
    import optax  # noqa: F401

    import mxjax  # noqa: F401  (configures the persistent cache)

    t_import = time.perf_counter()
    x = jax.device_put(np.ones((4,), np.float32))  # a host upload: no program
    t_build = time.perf_counter()
    jax.block_until_ready(jax.jit(lambda v: v * 2.0 + 1.0)(x))
    return _phases(out, events, t0, t_import, t_build, time.perf_counter())


def _block(v):
    if hasattr(v, "wait_to_read"):
        v.wait_to_read()
    elif type(v).__module__.startswith("torch"):
        pass
    else:
        import jax

        jax.block_until_ready(v)


def _build(contender, w, x, y):
    if contender == "jax":
        import c_jax

        return c_jax.build(w, x, y)
    if contender == "mxjax_functional":
        import c_mxjax

        return c_mxjax.build_functional(w, x, y)
    if contender == "mxjax_fit":
        import c_mxjax

        return c_mxjax.build_fit(w, x, y)
    if contender in ("gluon_hybrid", "gluon_plain"):
        import c_gluon

        return c_gluon.build_loop(c_gluon._mx(), w, x, y, hybridize=contender == "gluon_hybrid")
    if contender == "estimator":
        return _build_estimator(w, x, y)
    if contender == "module":
        import c_gluon

        return c_gluon.build_module(c_gluon._mx(), w, x, y)
    if contender == "torch":
        import c_torch

        return c_torch.build(w, x, y)
    if contender == "mxnet":
        import c_mxnet

        return c_mxnet.build(w, x, y)
    raise ValueError(contender)


def _build_estimator(w, x, y):
    import c_gluon
    from workloads import LR

    import mxjax as mx
    from mxjax.gluon.contrib.estimator import Estimator

    net = c_gluon._net(mx, w.model)
    net.initialize(mx.init.Xavier())
    net.hybridize()
    trainer = mx.gluon.Trainer(net.collect_params(), "adam", {"learning_rate": LR})
    # the class axis is the last one (the LSTM's predictions are (batch, time, vocab))
    acc = mx.metric.Accuracy(axis=-1)
    est = Estimator(
        net, mx.gluon.loss.SoftmaxCrossEntropyLoss(), train_metrics=acc, trainer=trainer
    )
    est.logger.disabled = True
    loader = [(mx.nd.array(x), mx.nd.array(y))]

    def run(n):
        est.fit(loader, batches=n)
        net.collect_params()[next(iter(net.collect_params().keys()))].data().wait_to_read()

    return {"run": run}


def _child_init() -> dict:
    """``initialize()`` timings in a process whose imports (and JAX's start) are done."""
    import jax

    import mxjax as mx

    jax.devices()
    gluon = mx.gluon
    warm = gluon.nn.Dense(3, in_units=2)  # the first Parameter pays one-time lazy imports
    warm.initialize()
    dense = gluon.nn.Dense(13, in_units=17)
    t, c = time.perf_counter(), time.process_time()
    dense.initialize()
    dense.weight.data().wait_to_read()
    t_dense, c_dense = time.perf_counter() - t, time.process_time() - c
    from mxjax.gluon.model_zoo import vision

    # The zoo's ResNet-50 infers most input channels at the first forward (as in MXNet):
    # learn the shapes from a reference network first, then time initialize() of a new
    # one whose shapes are set, so every parameter is initialized inside the timing.
    ref = vision.resnet50_v1()
    ref.initialize()
    ref.hybridize()
    ref(mx.nd.zeros((1, 3, 32, 32))).wait_to_read()
    shapes = [p.shape for p in ref.collect_params().values()]
    net = vision.resnet50_v1()
    for p, shape in zip(net.collect_params().values(), shapes):
        p.shape = shape
    t, c = time.perf_counter(), time.process_time()
    net.initialize(mx.init.Xavier())
    params = list(net.collect_params().values())
    jax.block_until_ready([p.data().jax for p in params])
    t_resnet, c_resnet = time.perf_counter() - t, time.process_time() - c
    return {
        "dense_initialize_s": t_dense,
        "dense_initialize_cpu_s": c_dense,  # CPU time of all threads: robust to machine load
        "resnet50_initialize_s": t_resnet,
        "resnet50_initialize_cpu_s": c_resnet,
        "resnet50_parameters_initialized": sum(p._data is not None for p in params),
        "resnet50_parameters": len(params),
        "resnet50_values": sum(int(p.data().size) for p in params),
    }


# -------------------------------------------------------------------- parent side
def _python_for(contender: str, mxnet_python: str, torch_python: str | None) -> str | None:
    if contender == "mxnet":
        return mxnet_python if os.path.exists(mxnet_python) else None
    if contender == "torch":
        if torch_python:
            return torch_python if os.path.exists(torch_python) else None
        import importlib.util

        if importlib.util.find_spec("torch") is not None:
            return sys.executable
        fallback = "/work/torch-venv/bin/python"
        return fallback if os.path.exists(fallback) else None
    return sys.executable


def _run_child(python: str, args: list, cache_dir: str, timeout: float) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JAX_COMP", "JAX_PERS")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["PYTHONPATH"] = ROOT + os.pathsep + HERE + os.pathsep + env.get("PYTHONPATH", "")
    env["MXJAX_CACHE_DIR"] = cache_dir  # mxjax configures JAX's cache itself
    env.setdefault("JAX_PLATFORMS", "cpu")
    if args[0] in ("jax", "floor"):  # raw JAX gets the same cache through JAX's own settings
        env["JAX_COMPILATION_CACHE_DIR"] = cache_dir
        env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    t = time.perf_counter()
    proc = subprocess.run(
        [python, os.path.abspath(__file__), "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    wall = time.perf_counter() - t
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            res = json.loads(line[7:])
            res["process_wall_s"] = wall
            return res
    return {"status": "error", "reason": (proc.stderr or proc.stdout)[-500:]}


def _compile_bytecode() -> None:
    """Byte-compile mxjax and the benchmark scripts, as ``pip install`` does for a package."""
    import compileall

    for folder in (os.path.join(ROOT, "mxjax"), HERE):
        compileall.compile_dir(folder, quiet=1, force=False)


def _median(rows: list, key: str):
    vals = [r[key] for r in rows if isinstance(r.get(key), (int, float))]
    return statistics.median(vals) if vals else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS))
    ap.add_argument("--contenders", default=",".join(CONTENDERS))
    ap.add_argument("--repeat", type=int, default=1, help="cold+warm pairs per contender")
    ap.add_argument("--mxnet-python", default="/work/mxnet-venv/bin/python")
    ap.add_argument("--torch-python", default=None, help="a Python with torch installed")
    ap.add_argument("--out", default=None, help="folder for first_step.json and first_step.md")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--no-init", action="store_true", help="skip the initialize() timings")
    ap.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        res = _child_init() if args.child == ["init"] else _child(*args.child)
        print("RESULT " + json.dumps(res), flush=True)
        return 0

    _compile_bytecode()
    rows = []
    load_start = os.getloadavg()
    for workload in args.workloads.split(","):
        for contender in args.contenders.split(","):
            python = _python_for(contender, args.mxnet_python, args.torch_python)
            row = {"contender": contender, "label": CONTENDERS[contender], "workload": workload}
            if python is None:
                row.update(status="skipped", reason="not installed")
                rows.append(row)
                print(f"{workload:10s} {contender:18s} skipped", flush=True)
                continue
            runs = {"cold": [], "warm": []}
            for _ in range(args.repeat):
                cache = tempfile.mkdtemp(prefix="mxjax-first-step-")
                try:
                    for mode in ("cold", "warm"):
                        res = _run_child(python, [contender, workload], cache, args.timeout)
                        runs[mode].append(res)
                finally:
                    shutil.rmtree(cache, ignore_errors=True)
            for mode in ("cold", "warm"):
                ok = [r for r in runs[mode] if "total_s" in r]
                if not ok:
                    row[mode] = {"status": "error", "reason": runs[mode][0].get("reason", "")}
                    continue
                row[mode] = {
                    k: _median(ok, k)
                    for k in (
                        "import_s",
                        "build_s",
                        "first_step_s",
                        "total_s",
                        "process_wall_s",
                        "programs_compiled",
                        "programs_from_cache",
                    )
                }
                row[mode]["runs_total_s"] = [r["total_s"] for r in ok]
            row["status"] = "ok" if "total_s" in row.get("cold", {}) else "error"
            rows.append(row)
            print(f"{workload:10s} {contender:18s} {json.dumps(row)}", flush=True)
    init = None
    if not args.no_init:
        cache = tempfile.mkdtemp(prefix="mxjax-first-step-")
        try:
            init = _run_child(sys.executable, ["init"], cache, args.timeout)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        print("initialize", json.dumps(init), flush=True)
    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "command": "python benchmarks/first_step.py " + " ".join(argv or sys.argv[1:]),
        "cores": os.cpu_count(),
        "loadavg_start": load_start,
        "loadavg_end": os.getloadavg(),
        "rows": rows,
        "initialize": init,
    }
    md = render(report)
    print(md)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "first_step.json"), "w") as f:
            json.dump(report, f, indent=1)
        with open(os.path.join(args.out, "first_step.md"), "w") as f:
            f.write(md)
    return 0


def _f(v, fmt="{:.2f}"):
    return "-" if v is None else fmt.format(v)


def render(report: dict) -> str:
    """The Markdown table of a report (one table per workload)."""
    lines = [
        "## Time to first step (cold process, empty cache; warm: a second process with the cache)",
        "",
        f"Date: {report['date']}. Command: `{report['command']}`. {report['cores']} cores; "
        f"load average at start {tuple(round(v, 1) for v in report['loadavg_start'])}, "
        f"at end {tuple(round(v, 1) for v in report['loadavg_end'])}.",
        "",
        "Seconds from the start of the script: imports, building the model (initialization,"
        " optimizer state), the first training step (compilation included), their total;"
        " ratio of the total to raw JAX's cold total; XLA programs compiled / loaded from the cache;"
        " the warm process's first step and total as fractions of the cold one's. Medians over"
        " the cold+warm pairs.",
    ]
    for workload in dict.fromkeys(r["workload"] for r in report["rows"]):
        rows = [r for r in report["rows"] if r["workload"] == workload]
        base = next((r for r in rows if r["contender"] == "jax" and r["status"] == "ok"), None)
        base_total = base["cold"]["total_s"] if base else None
        lines += [
            "",
            f"### {workload}",
            "",
            "| contender | cold: import | build | first step | total | vs JAX | programs "
            "| warm: import | build | first step | total | programs (cached) "
            "| warm/cold: first step | total |",
            "|---|" + "---:|" * 13,
        ]
        for r in rows:
            if r["status"] != "ok":
                reason = r.get("reason") or r.get("cold", {}).get("reason", "")
                lines.append(f"| {r['label']} | {r['status']}: {reason[:80]} |" + " |" * 12)
                continue
            c, wm = r["cold"], r.get("warm", {})
            ratio = c["total_s"] / base_total if base_total and r["contender"] != "floor" else None
            wc = wm["total_s"] / c["total_s"] if wm.get("total_s") else None
            wf = wm["first_step_s"] / c["first_step_s"] if wm.get("first_step_s") else None
            lines.append(
                f"| {r['label']} | {_f(c['import_s'])} | {_f(c['build_s'])} | "
                f"{_f(c['first_step_s'])} | {_f(c['total_s'])} | {_f(ratio, '{:.2f}x')} | "
                f"{_f(c['programs_compiled'], '{:.0f}')} | {_f(wm.get('import_s'))} | "
                f"{_f(wm.get('build_s'))} | {_f(wm.get('first_step_s'))} | "
                f"{_f(wm.get('total_s'))} | {_f(wm.get('programs_compiled'), '{:.0f}')} "
                f"({_f(wm.get('programs_from_cache'), '{:.0f}')}) | {_f(wf, '{:.2f}')} | "
                f"{_f(wc, '{:.2f}')} |"
            )
    init = report.get("initialize")
    if init and "dense_initialize_s" in init:
        lines += [
            "",
            "### initialize()",
            "",
            f"- `gluon.nn.Dense(13, in_units=17).initialize()`: {init['dense_initialize_s'] * 1e3:.1f} ms"
            f" (CPU {init.get('dense_initialize_cpu_s', float('nan')) * 1e3:.1f} ms)",
            f"- model zoo `resnet50_v1().initialize(mx.init.Xavier())`: "
            f"{init['resnet50_initialize_s']:.3f} s, CPU "
            f"{init.get('resnet50_initialize_cpu_s', float('nan')):.3f} s "
            f"({init['resnet50_parameters_initialized']} of "
            f"{init['resnet50_parameters']} parameters, {init['resnet50_values'] / 1e6:.1f} M values)",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
