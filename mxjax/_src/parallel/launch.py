"""Local multi-process launcher: ``python -m mxjax.launch --nproc N script.py args``."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time

__all__ = ["free_port", "launch", "main"]


def free_port() -> int:
    """A free TCP port on the loopback interface.

    Examples:
        >>> from mxjax.launch import free_port
        >>> 0 < free_port() < 65536
        True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Run in each child instead of ``python script.py``: on Linux it asks the kernel for
# SIGTERM when the launcher dies (PR_SET_PDEATHSIG, ``kill -9`` included), then runs
# the script as ``__main__`` (or ``-m module``) with the usual sys.argv and sys.path[0].
# Doing this in the child keeps ``Popen`` on its fast, fork-free path (no preexec_fn),
# which matters when the launcher itself runs JAX.
_CHILD = """
import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(128 + signal.SIGTERM)  # the launcher died before prctl took effect
args = sys.argv[2:]
if args[0] == "-m":
    sys.argv = [args[1], *args[2:]]
    sys.path[0] = os.getcwd()
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = args
    sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
    runpy.run_path(args[0], run_name="__main__")
"""


def _command(script: list[str]) -> list[str]:
    if (
        sys.platform.startswith("linux")
        and script
        and (script[0] == "-m" or os.path.isfile(script[0]))
    ):
        return [sys.executable, "-c", _CHILD, str(os.getpid()), *script]
    return [sys.executable, *script]


class _Signals:
    """Records SIGTERM/SIGINT received by the launcher (handlers restored on exit)."""

    def __init__(self):
        self.received: int | None = None
        self._old: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.received is None:
            self.received = signum

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, old)


def _stop(procs: list, signum: int, grace: float) -> None:
    """Sends ``signum`` to the running processes, waits ``grace`` seconds, then kills."""
    for p in procs:
        if p.poll() is None:
            try:
                p.send_signal(signum)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def launch(
    script: list[str],
    nproc: int,
    devices_per_proc: int = 1,
    timeout: float | None = None,
    poll: float = 0.2,
    grace: float = 10.0,
) -> int:
    """Starts ``nproc`` processes of ``script`` on this machine and waits for them.

    Each process gets ``MXJAX_COORDINATOR`` (a loopback port),
    ``MXJAX_NUM_PROCESSES`` and ``MXJAX_PROCESS_ID``; on CPU, ``XLA_FLAGS``
    gives each ``devices_per_proc`` simulated devices. A script calls
    ``mxjax.parallel.initialize()`` to join. If one process fails, the others
    are terminated and its exit code is returned; a launcher that runs past
    ``timeout`` seconds terminates everything and returns 124.

    SIGTERM or SIGINT sent to the launcher (a scheduler's cancel or
    preemption, Ctrl-C) is forwarded to every process; those still running
    after ``grace`` seconds are killed, and the launcher returns
    ``128 + signal``. On Linux each process also gets SIGTERM if the launcher
    itself dies (``kill -9`` included), so no worker is ever orphaned.

    Returns:
        0 when all processes succeed, else the first failure's exit code
        (``128 + signal`` when the launcher was signalled, 124 on timeout).

    Examples:
        >>> import os, pathlib, tempfile
        >>> from mxjax.launch import launch
        >>> script = pathlib.Path(tempfile.mkdtemp()) / "hello.py"
        >>> _ = script.write_text("import os; assert os.environ['MXJAX_NUM_PROCESSES'] == '2'")
        >>> launch([str(script)], nproc=2)
        0
    """
    if nproc < 1:
        raise ValueError(f"--nproc must be >= 1; received {nproc}")
    if grace < 0:
        raise ValueError(f"grace must be >= 0 seconds; received {grace}")
    with _Signals() as signals:
        return _run(script, nproc, devices_per_proc, timeout, poll, grace, signals)


def _run(script, nproc, devices_per_proc, timeout, poll, grace, signals) -> int:
    port = free_port()
    procs = []
    for rank in range(nproc):
        env = dict(os.environ)
        env.update(
            MXJAX_COORDINATOR=f"127.0.0.1:{port}",
            MXJAX_NUM_PROCESSES=str(nproc),
            MXJAX_PROCESS_ID=str(rank),
        )
        if env.get("JAX_PLATFORMS", "cpu").startswith("cpu"):
            flags = [
                f
                for f in env.get("XLA_FLAGS", "").split()
                if "xla_force_host_platform_device_count" not in f
            ]
            env["XLA_FLAGS"] = " ".join(
                [*flags, f"--xla_force_host_platform_device_count={devices_per_proc}"]
            )
            env.setdefault("JAX_PLATFORMS", "cpu")
        procs.append(
            subprocess.Popen(
                _command(script),
                env=env,
            )
        )
    start = time.monotonic()
    code = 0
    try:
        while True:
            if signals.received is not None:
                name = signal.Signals(signals.received).name
                print(
                    f"mxjax.launch: received {name}; forwarding it to {nproc} processes "
                    f"(killed after {grace:g}s)",
                    file=sys.stderr,
                )
                _stop(procs, signals.received, grace)
                return 128 + signals.received
            codes = [p.poll() for p in procs]
            failed = [(i, c) for i, c in enumerate(codes) if c not in (None, 0)]
            if failed:
                rank, code = failed[0]
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                print(
                    f"mxjax.launch: process {rank} failed with {how}; stopping the others",
                    file=sys.stderr,
                )
                break
            if all(c == 0 for c in codes):
                return 0
            if timeout is not None and time.monotonic() - start > timeout:
                print(
                    f"mxjax.launch: timed out after {timeout}s; stopping all processes",
                    file=sys.stderr,
                )
                code = 124
                break
            time.sleep(poll)
    finally:
        _stop(procs, signal.SIGTERM, grace)
    return code if code > 0 else 1


def main(argv=None) -> int:
    """Command-line entry of ``python -m mxjax.launch``.

    Examples:
        >>> import pathlib, tempfile
        >>> from mxjax.launch import main
        >>> script = pathlib.Path(tempfile.mkdtemp()) / "ok.py"
        >>> _ = script.write_text("pass")
        >>> main(["--nproc", "1", str(script)])
        0
    """
    ap = argparse.ArgumentParser(
        prog="python -m mxjax.launch", description=launch.__doc__.splitlines()[0]
    )
    ap.add_argument("--nproc", type=int, required=True, help="number of processes")
    ap.add_argument(
        "--devices-per-proc", type=int, default=1, help="simulated CPU devices per process"
    )
    ap.add_argument(
        "--timeout", type=float, default=None, help="seconds before everything is stopped"
    )
    ap.add_argument(
        "--grace",
        type=float,
        default=10.0,
        help="seconds between forwarding SIGTERM/SIGINT to the processes and killing them",
    )
    ap.add_argument("script", nargs=argparse.REMAINDER, help="script.py and its arguments")
    args = ap.parse_args(argv)
    if not args.script:
        ap.error("a script to run is required")
    return launch(args.script, args.nproc, args.devices_per_proc, args.timeout, grace=args.grace)
