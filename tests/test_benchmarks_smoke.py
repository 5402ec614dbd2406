"""Smoke test of the benchmark harness: it runs and writes the expected JSON (no timings asserted)."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_harness_quick_mlp_two_contenders(tmp_path):
    cmd = [
        sys.executable,
        os.path.join(ROOT, "benchmarks", "run.py"),
        "--quick",
        "--workloads",
        "mlp_b32",
        "--contenders",
        "jax,mxjax_functional",
        "--out",
        str(tmp_path),
        "--timeout",
        "120",
        "--repeat",
        "2",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads((tmp_path / "results.json").read_text())
    assert {"machine", "quick", "results"} <= set(data)
    assert {"cores", "versions", "loadavg_start", "date"} <= set(data["machine"])
    rows = {r["contender"]: r for r in data["results"]}
    assert set(rows) == {"jax", "mxjax_functional"}
    for r in rows.values():
        assert r["status"] == "ok", r
        assert r["workload"] == "mlp_b32"
        for key in ("median_ms", "first_step_s", "peak_rss_mb", "ratio_vs_jax"):
            assert isinstance(r[key], float), (key, r)
        assert len(r["runs_ms"]) == 2 and min(r["runs_ms"]) <= r["median_ms"] <= max(r["runs_ms"])
    md = (tmp_path / "RESULTS.md").read_text()
    assert "ratio vs raw JAX" in md and "mlp_b32" in md and "range over runs" in md


def test_first_step_table_ratios():
    """first_step.render: warm/cold ratios of the first step and of the total, floor row unranked."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "first_step", os.path.join(ROOT, "benchmarks", "first_step.py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    def side(imp, build, first, compiled, cached):
        return dict(
            import_s=imp,
            build_s=build,
            first_step_s=first,
            total_s=imp + build + first,
            programs_compiled=compiled,
            programs_from_cache=cached,
        )

    def row(contender, cold, warm):
        label = mod.CONTENDERS[contender]
        return dict(
            contender=contender, label=label, workload="w", status="ok", cold=cold, warm=warm
        )

    report = dict(
        date="d",
        command="c",
        cores=2,
        loadavg_start=(1.0, 1.0, 1.0),
        loadavg_end=(1.0, 1.0, 1.0),
        rows=[
            row("floor", side(0.5, 0.1, 0.1, 1, 0), side(0.5, 0.1, 0.1, 0, 1)),
            row("jax", side(0.5, 1.0, 0.5, 20, 0), side(0.5, 0.2, 0.1, 0, 20)),
            row("gluon_hybrid", side(0.5, 0.2, 0.3, 2, 0), side(0.5, 0.2, 0.1, 0, 2)),
        ],
        initialize=None,
    )
    lines = {ln.split(" | ")[0][2:]: ln for ln in mod.render(report).splitlines() if "|" in ln}
    cells = [c.strip() for c in lines[mod.CONTENDERS["gluon_hybrid"]].strip("|").split("|")]
    # cold total 1.0 vs raw JAX 2.0; warm first step 0.1 of 0.3; warm total 0.8 of 1.0
    assert cells[4:7] == ["1.00", "0.50x", "2"]
    assert cells[10:14] == ["0.80", "0 (2)", "0.33", "0.80"]
    floor = [c.strip() for c in lines[mod.CONTENDERS["floor"]].strip("|").split("|")]
    assert floor[5] == "-"  # the floor is not a contender: no ratio to raw JAX
