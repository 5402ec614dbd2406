"""Multi-process data parallelism through ``python -m mxjax.launch`` (gloo on loopback)."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.simulated_devices import simulated_devices_env

WORKER = os.path.join(os.path.dirname(__file__), "mp_worker.py")


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MXJAX_")}
    env.update(JAX_PLATFORMS="cpu", **extra)
    return env


@pytest.fixture(scope="module")
def jax_env(tmp_path_factory):
    """``_env()`` with a compilation cache of this module's runs (not the user's cache)."""
    return _env(MXJAX_CACHE_DIR=str(tmp_path_factory.mktemp("jax-cache")))


@pytest.fixture(scope="module")
def single_process_result(tmp_path_factory, jax_env):
    out = tmp_path_factory.mktemp("one") / "one.npz"
    env = simulated_devices_env(4, env=jax_env)
    proc = subprocess.run(
        [sys.executable, WORKER, str(out)], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return np.load(out)


def test_two_processes_by_two_devices_equal_one_process_by_four(
    single_process_result, tmp_path, jax_env
):
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
        [*cmd, WORKER, str(out)], env=jax_env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "process 1/2 done, 4 global devices" in proc.stdout
    two = np.load(out)
    assert set(two.files) == set(single_process_result.files)
    for k in two.files:
        np.testing.assert_allclose(two[k], single_process_result[k], rtol=1e-5, atol=1e-6)


def test_a_dead_peer_stops_the_job_with_a_clear_error(tmp_path, jax_env):
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
        "--grace",  # the survivor waits in a collective: killed after 1 s, not the default 10
        "1",
    ]
    t0 = time.monotonic()
    proc = subprocess.run(
        [*cmd, WORKER, str(tmp_path / "x.npz"), "--die-after-init"],
        env=jax_env,
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


_SIGNAL_WORKER = """
import os, signal, sys, time
out = sys.argv[1]
rank = os.environ["MXJAX_PROCESS_ID"]
mode = sys.argv[2]
def on_term(signum, frame):
    open(os.path.join(out, f"term-{rank}"), "w").close()
    sys.exit(0)
if mode == "polite":
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
else:  # stubborn: ignores both, must be killed after the grace period
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
with open(os.path.join(out, f"pid-{rank}.tmp"), "w") as f:
    f.write(str(os.getpid()))
os.replace(os.path.join(out, f"pid-{rank}.tmp"), os.path.join(out, f"pid-{rank}"))
time.sleep(120)
"""


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _start_launcher(tmp_path, mode):
    script = tmp_path / "worker.py"
    script.write_text(_SIGNAL_WORKER)
    cmd = [sys.executable, "-m", "mxjax.launch", "--nproc", "2", "--grace", "1"]
    proc = subprocess.Popen(
        [*cmd, str(script), str(tmp_path), mode], env=_env(), stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all((tmp_path / f"pid-{r}").exists() for r in (0, 1)):
            return proc, [int((tmp_path / f"pid-{r}").read_text()) for r in (0, 1)]
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the workers did not start")


def _wait_gone(pids, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    left = [p for p in pids if _alive(p)]
    for p in left:
        os.kill(p, 9)
    return left


@pytest.mark.skipif(not os.path.exists("/proc"), reason="reads /proc")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_launcher_forwards_signals_to_workers(tmp_path, sig):
    import signal

    proc, pids = _start_launcher(tmp_path, "polite")
    proc.send_signal(getattr(signal, sig))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + getattr(signal, sig)
    assert f"received {sig}" in err
    assert _wait_gone(pids) == []
    assert sorted(os.listdir(tmp_path)) == ["pid-0", "pid-1", "term-0", "term-1", "worker.py"]


@pytest.mark.skipif(not os.path.exists("/proc"), reason="reads /proc")
def test_launcher_kills_workers_that_ignore_sigterm_after_the_grace_period(tmp_path):
    import signal

    proc, pids = _start_launcher(tmp_path, "stubborn")
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert _wait_gone(pids, seconds=5) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_launcher(tmp_path):
    import signal

    proc, pids = _start_launcher(tmp_path, "polite")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert _wait_gone(pids) == []
