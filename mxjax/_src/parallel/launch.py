"""Local multi-process launcher: ``python -m mxjax.launch --nproc N script.py args``."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
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


def launch(
    script: list[str],
    nproc: int,
    devices_per_proc: int = 1,
    timeout: float | None = None,
    poll: float = 0.2,
) -> int:
    """Starts ``nproc`` processes of ``script`` on this machine and waits for them.

    Each process gets ``MXJAX_COORDINATOR`` (a loopback port),
    ``MXJAX_NUM_PROCESSES`` and ``MXJAX_PROCESS_ID``; on CPU, ``XLA_FLAGS``
    gives each ``devices_per_proc`` simulated devices. A script calls
    ``mxjax.parallel.initialize()`` to join. If one process fails, the others
    are terminated and its exit code is returned; a launcher that runs past
    ``timeout`` seconds terminates everything and returns 124.

    Returns:
        0 when all processes succeed, else the first failure's exit code.

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
        procs.append(subprocess.Popen([sys.executable, *script], env=env))
    start = time.monotonic()
    code = 0
    try:
        while True:
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
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in procs:
            try:
                p.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
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
    ap.add_argument("script", nargs=argparse.REMAINDER, help="script.py and its arguments")
    args = ap.parse_args(argv)
    if not args.script:
        ap.error("a script to run is required")
    return launch(args.script, args.nproc, args.devices_per_proc, args.timeout)
