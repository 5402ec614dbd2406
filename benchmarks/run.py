"""Runs every contender on every workload, one subprocess each; writes results.json and RESULTS.md.

Usage::

    python benchmarks/run.py [--quick] [--workloads mlp_b32,cnn_b128] [--contenders jax,mxjax_functional]
                             [--out benchmarks] [--mxnet-python /tmp/mxnet/bin/python] [--timeout 600]
                             [--repeat 3]

``--quick`` uses few steps and skips ResNet-18. Median step time (ms), its
ratio to the hand-written ``jax.jit`` + optax step of the same run, first-step
(compile) time and peak RSS of the subprocess are reported.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from worker import CONTENDERS  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

DATA_CONTENDERS = {"mxjax_functional"}  # the DataLoader workload is mxjax.data's
LIBS = ["jax", "jaxlib", "optax", "numpy", "mxjax", "flax", "equinox", "dm-haiku", "torch"]


def machine() -> dict:
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?"
            )
        with open("/proc/meminfo") as f:
            info["memory_gb"] = round(int(f.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    info["loadavg_start"] = os.getloadavg()
    versions = {}
    for lib in LIBS:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = "not installed"
    info["versions"] = versions
    return info


def run_one(contender, workload, quick, mxnet_python, timeout) -> dict:
    python = sys.executable
    if contender == "mxnet":
        if not (mxnet_python and os.path.exists(mxnet_python)):
            return {"status": "skipped", "reason": f"no MXNet venv at {mxnet_python}"}
        python = mxnet_python
    cmd = [python, os.path.join(HERE, "worker.py"), contender, workload] + (
        ["--quick"] if quick else []
    )
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=os.path.dirname(HERE)
        )
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": f"timed out after {timeout} s"}
    for line in proc.stdout.splitlines()[::-1]:
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"status": "error", "reason": f"exit {proc.returncode}: {tail[:300]}"}


def combine(runs: list) -> dict:
    """One row from repeated runs: medians of the per-run medians (spread kept in ``runs_ms``)."""
    ok = [r for r in runs if r.get("status") == "ok"]
    if not ok:
        return runs[-1]
    out = dict(ok[0])
    if len(ok) > 1 and "median_ms" in out:
        out["runs_ms"] = [r["median_ms"] for r in ok]
        out["median_ms"] = statistics.median(out["runs_ms"])
        out["first_step_s"] = statistics.median(r["first_step_s"] for r in ok)
        out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in ok)
    return out


def _fmt(v, spec):
    return "" if v is None else format(v, spec)


def markdown(results: list, info: dict, quick: bool) -> str:
    v = info["versions"]
    lines = [
        "# mxjax benchmark results",
        "",
        f"Date: {info['date']}. Command: `{info['command']}`{' (quick mode)' if quick else ''}.",
        "",
        *[
            f"Other rows from an earlier run: {e['date']}, `{e['command']}` "
            f"({e.get('repeat') or 1} run(s) per contender).\n"
            for e in info.get("earlier", [])
        ],
        f"Machine: {info.get('cpu', '?')}, {info['cores']} cores, {info.get('memory_gb', '?')} GB memory, "
        f"{info['platform']}, Python {info['python']}.",
        f"Load average (1/5/15 min) at start {tuple(round(x, 1) for x in info['loadavg_start'])}, "
        f"at end {tuple(round(x, 1) for x in info['loadavg_end'])}: the machine was shared, so absolute "
        "times are noisy; ratios within one run are the meaningful figures.",
        "",
        "Versions: "
        + ", ".join(f"{k} {val}" for k, val in v.items())
        + (f", mxnet {info['mxnet_version']}" if info.get("mxnet_version") else "")
        + ".",
        "",
        "Median step time over timed steps after warm-up (each step blocked with "
        "`jax.block_until_ready` / `wait_to_read`), ratio to raw JAX (`jax.jit` + optax) measured in "
        "the same run, first step (compile + run), peak RSS of the contender's subprocess. "
        "Each contender ran in several separate subprocesses (the count is in each table's "
        "heading), interleaved with the others; a table gives the median of their medians and "
        "the range over the runs.",
        "",
    ]
    by_w = {}
    for r in results:
        by_w.setdefault(r["workload"], []).append(r)
    for wname in [w for w in WORKLOADS if w in by_w]:
        rows = by_w[wname]
        w = WORKLOADS[wname]
        runs = max((len(r.get("runs_ms") or [0]) for r in rows), default=1)
        lines += [f"## {wname}: {w.description} ({runs} run(s) per contender)", ""]
        if w.model == "data":
            lines += [
                "| contender | images/s (0 workers) | images/s (2 workers) | ms/batch (best) | peak RSS MB |",
                "|---|---:|---:|---:|---:|",
            ]
            for r in rows:
                if r["status"] != "ok":
                    lines.append(f"| {r['label']} | {r['status']}: {r.get('reason', '')} | | | |")
                    continue
                lines.append(
                    f"| {r['label']} | {r['images_per_s_workers0']:,.0f} | "
                    f"{r['images_per_s_workers2']:,.0f} | {r['median_ms']:.2f} | {r['peak_rss_mb']:.0f} |"
                )
            lines.append("")
            continue
        base = next((r for r in rows if r["contender"] == "jax" and r["status"] == "ok"), None)
        lines += [
            "| contender | median ms/step | range over runs | ratio vs raw JAX | first step s "
            "| peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            if r["status"] != "ok":
                lines.append(f"| {r['label']} | {r['status']}: {r.get('reason', '')} | | | | |")
                continue
            ratio = r["median_ms"] / base["median_ms"] if base else None
            r["ratio_vs_jax"] = ratio
            spread = r.get("runs_ms") or [r["median_ms"]]
            lines.append(
                f"| {r['label']} | {r['median_ms']:.2f} | {min(spread):.2f}-{max(spread):.2f} | "
                f"{_fmt(ratio, '.2f')}x | {r['first_step_s']:.2f} | {r['peak_rss_mb']:.0f} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def _atomic_write(path: str, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def _write(out: str, results: list, info: dict, quick: bool) -> None:
    info["loadavg_end"] = os.getloadavg()
    md = markdown(results, info, quick)  # also fills ratio_vs_jax
    os.makedirs(out, exist_ok=True)
    payload = {"machine": info, "quick": quick, "results": results}
    _atomic_write(os.path.join(out, "results.json"), json.dumps(payload, indent=1) + "\n")
    _atomic_write(os.path.join(out, "RESULTS.md"), md)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="few steps; skips ResNet-18")
    p.add_argument(
        "--workloads", default=None, help="comma-separated subset of " + ",".join(WORKLOADS)
    )
    p.add_argument(
        "--contenders", default=None, help="comma-separated subset of " + ",".join(CONTENDERS)
    )
    p.add_argument("--out", default=HERE, help="folder for results.json and RESULTS.md")
    p.add_argument("--mxnet-python", default="/tmp/mxnet/bin/python")
    p.add_argument("--timeout", type=float, default=600, help="seconds per subprocess")
    p.add_argument(
        "--repeat", type=int, default=3, help="subprocess runs per contender (median reported)"
    )
    p.add_argument(
        "--update",
        action="store_true",
        help="replace only these workloads' rows in an existing results.json/RESULTS.md",
    )
    args = p.parse_args(argv)
    workloads = args.workloads.split(",") if args.workloads else list(WORKLOADS)
    contenders = args.contenders.split(",") if args.contenders else list(CONTENDERS)
    for name in workloads:
        if name not in WORKLOADS:
            p.error(f"unknown workload {name!r}; choose from {sorted(WORKLOADS)}")
    for name in contenders:
        if name not in CONTENDERS:
            p.error(f"unknown contender {name!r}; choose from {sorted(CONTENDERS)}")
    if args.quick and not args.workloads:
        workloads = [w for w in workloads if WORKLOADS[w].model != "resnet18"]
    if "jax" in contenders:  # the baseline runs first in each workload
        contenders = ["jax"] + [c for c in contenders if c != "jax"]
    info = machine()
    info["date"] = datetime.datetime.now().isoformat(timespec="seconds")
    info["command"] = "python benchmarks/run.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    if "mxnet" in contenders and os.path.exists(args.mxnet_python):
        out = subprocess.run(
            [args.mxnet_python, "-c", "import mxnet; print(mxnet.__version__)"],
            capture_output=True,
            text=True,
        )
        info["mxnet_version"] = out.stdout.strip() or None
    info["repeat"] = args.repeat
    results = []
    if args.update:  # keep the other workloads' rows of an earlier run
        with open(os.path.join(args.out, "results.json")) as f:
            old = json.load(f)
        results = [r for r in old["results"] if r["workload"] not in workloads]
        info["earlier"] = old["machine"].get("earlier", []) + [
            {k: old["machine"].get(k) for k in ("date", "command", "repeat")}
        ]
    for wname in workloads:
        names = [c for c in contenders if WORKLOADS[wname].model != "data" or c in DATA_CONTENDERS]
        rounds = 1 if WORKLOADS[wname].model == "data" else args.repeat
        runs: dict = {c: [] for c in names}
        for k in range(rounds):  # rounds interleave the contenders: slow drift hits all alike
            for c in names:
                r = {"contender": c, "label": CONTENDERS[c][2], "workload": wname}
                r.update(run_one(c, wname, args.quick, args.mxnet_python, args.timeout))
                runs[c].append(r)
                shown = (
                    f"{r['median_ms']:.2f} ms"
                    if r.get("status") == "ok"
                    else f"{r['status']}: {r.get('reason')}"
                )
                print(f"{wname:<14} {c:<17} round {k + 1}/{rounds} {shown}", flush=True)
        for c in names:
            results.append(combine(runs[c]))
        _write(args.out, results, info, args.quick)  # partial results survive an interruption
    _write(args.out, results, info, args.quick)
    print(f"wrote {args.out}/results.json and RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
