"""Multi-process data parallelism through ``python -m mxjax.launch`` (gloo on loopback)."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

WORKER = os.path.join(os.path.dirname(__file__), "mp_worker.py")


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MXJAX_")}
    env.update(JAX_PLATFORMS="cpu", **extra)
    return env


@pytest.fixture(scope="module")
def single_process_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "one.npz"
    env = _env(XLA_FLAGS="--xla_force_host_platform_device_count=4")
    proc = subprocess.run(
        [sys.executable, WORKER, str(out)], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return np.load(out)


def test_two_processes_by_two_devices_equal_one_process_by_four(single_process_result, tmp_path):
    out = tmp_path / "two.npz"
    cmd = [
        sys.executable,
        "-m",
        "mxjax.launch",
        "--nproc",
        "2",
        "--devices-per-proc",
        "2",
        "--timeout",
        "240",
    ]
    proc = subprocess.run(
        [*cmd, WORKER, str(out)], env=_env(), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "process 1/2 done, 4 global devices" in proc.stdout
    two = np.load(out)
    assert set(two.files) == set(single_process_result.files)
    for k in two.files:
        np.testing.assert_allclose(two[k], single_process_result[k], rtol=1e-5, atol=1e-6)


def test_a_dead_peer_stops_the_job_with_a_clear_error(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "mxjax.launch",
        "--nproc",
        "2",
        "--devices-per-proc",
        "2",
        "--timeout",
        "120",
    ]
    t0 = time.monotonic()
    proc = subprocess.run(
        [*cmd, WORKER, str(tmp_path / "x.npz"), "--die-after-init"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 3
    assert "process 1 failed with exit code 3" in proc.stderr
    assert time.monotonic() - t0 < 100


def test_launcher_rejects_bad_arguments():
    proc = subprocess.run(
        [sys.executable, "-m", "mxjax.launch", "--nproc", "0", "x.py"],
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0 and "--nproc must be >= 1" in proc.stderr
