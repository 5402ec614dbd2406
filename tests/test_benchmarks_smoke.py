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
