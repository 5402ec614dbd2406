"""Multi-host initialization over JAX's distributed runtime (coordinator + collectives)."""

from __future__ import annotations

import inspect
import os
from typing import Any

import jax

__all__ = ["detect_environment", "initialize", "is_coordinator", "process_count", "process_index"]

_ENV_PREFIX = "MXJAX_"


def detect_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Works out coordinator, process count and process id from the environment.

    Recognised, in order: the variables set by ``python -m mxjax.launch``
    (``MXJAX_COORDINATOR``, ``MXJAX_NUM_PROCESSES``, ``MXJAX_PROCESS_ID``,
    ``MXJAX_LOCAL_DEVICE_IDS``); SLURM (``SLURM_NTASKS``/``SLURM_PROCID``);
    Open MPI (``OMPI_COMM_WORLD_SIZE``/``OMPI_COMM_WORLD_RANK``); Kubernetes
    indexed jobs (``JOB_COMPLETION_INDEX`` with ``MXJAX_COORDINATOR`` and
    ``MXJAX_NUM_PROCESSES``). For SLURM and Open MPI without an explicit
    coordinator, JAX's own cluster detection supplies it.

    Returns:
        A dict with ``kind`` and the keyword arguments for
        ``jax.distributed.initialize`` that could be determined.

    Examples:
        >>> from mxjax._src.parallel.distributed import detect_environment
        >>> detect_environment({"SLURM_NTASKS": "4", "SLURM_PROCID": "1", "SLURM_JOB_ID": "7"})["kind"]
        'slurm'
        >>> detect_environment({})["kind"]
        'single'
    """
    env = os.environ if environ is None else environ
    coord = env.get(f"{_ENV_PREFIX}COORDINATOR")
    if coord and f"{_ENV_PREFIX}PROCESS_ID" in env:
        out: dict[str, Any] = {
            "kind": "mxjax.launch",
            "coordinator_address": coord,
            "num_processes": int(env[f"{_ENV_PREFIX}NUM_PROCESSES"]),
            "process_id": int(env[f"{_ENV_PREFIX}PROCESS_ID"]),
        }
        ids = env.get(f"{_ENV_PREFIX}LOCAL_DEVICE_IDS")
        if ids:
            out["local_device_ids"] = [int(i) for i in ids.split(",")]
        return out
    if "JOB_COMPLETION_INDEX" in env and coord:
        return {
            "kind": "kubernetes",
            "coordinator_address": coord,
            "num_processes": int(env[f"{_ENV_PREFIX}NUM_PROCESSES"]),
            "process_id": int(env["JOB_COMPLETION_INDEX"]),
        }
    if "SLURM_JOB_ID" in env and "SLURM_NTASKS" in env:
        return {
            "kind": "slurm",
            "num_processes": int(env["SLURM_NTASKS"]),
            "process_id": int(env.get("SLURM_PROCID", 0)),
        }
    if "OMPI_COMM_WORLD_SIZE" in env:
        return {
            "kind": "openmpi",
            "num_processes": int(env["OMPI_COMM_WORLD_SIZE"]),
            "process_id": int(env.get("OMPI_COMM_WORLD_RANK", 0)),
        }
    return {"kind": "single"}


def initialize(
    coordinator_address: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    local_device_ids=None,
    heartbeat_timeout_seconds: int | None = None,
    initialization_timeout: int | None = None,
) -> dict[str, Any]:
    """Joins this process to a multi-host job (wraps ``jax.distributed.initialize``).

    Explicit arguments win over what :func:`detect_environment` finds. On CPU
    it selects gloo collectives so cross-process all-reduces work. Does
    nothing (and returns ``{'kind': 'single'}``) for a single process.

    Args:
        coordinator_address: ``host:port`` of process 0's coordinator.
        num_processes: number of processes in the job.
        process_id: this process's index.
        local_device_ids: the local devices this process uses.
        heartbeat_timeout_seconds: how long before a silent peer is declared
            dead and the job fails (where the installed JAX supports it).
        initialization_timeout: seconds to wait for all processes to join.

    Returns:
        The configuration used.

    Examples:
        >>> from mxjax import parallel
        >>> parallel.initialize()["kind"] in ("single", "slurm", "openmpi", "kubernetes", "mxjax.launch")
        True
    """
    cfg = detect_environment()
    explicit = {
        "coordinator_address": coordinator_address,
        "num_processes": num_processes,
        "process_id": process_id,
        "local_device_ids": local_device_ids,
    }
    for k, v in explicit.items():
        if v is not None:
            cfg[k] = v
            cfg["kind"] = cfg["kind"] if cfg["kind"] != "single" else "explicit"
    if (
        cfg["kind"] == "single"
        or cfg.get("num_processes", 1) == 1
        and "coordinator_address" not in cfg
    ):
        return {"kind": "single"}
    if cfg["kind"] in ("slurm", "openmpi") and "coordinator_address" not in cfg:
        kwargs: dict[str, Any] = {}  # JAX's own cluster detection fills everything in
    else:
        kwargs = {
            k: cfg[k]
            for k in ("coordinator_address", "num_processes", "process_id", "local_device_ids")
            if k in cfg
        }
    params = inspect.signature(jax.distributed.initialize).parameters
    if heartbeat_timeout_seconds is not None and "heartbeat_timeout_seconds" in params:
        kwargs["heartbeat_timeout_seconds"] = heartbeat_timeout_seconds
    if initialization_timeout is not None and "initialization_timeout" in params:
        kwargs["initialization_timeout"] = initialization_timeout
    if os.environ.get("JAX_PLATFORMS", "cpu").startswith("cpu"):
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(**kwargs)
    return cfg


def process_index() -> int:
    """This process's index in the job (0 on a single host).

    Examples:
        >>> from mxjax import parallel
        >>> parallel.process_index()
        0
    """
    return jax.process_index()


def process_count() -> int:
    """Number of processes in the job.

    Examples:
        >>> from mxjax import parallel
        >>> parallel.process_count()
        1
    """
    return jax.process_count()


def is_coordinator() -> bool:
    """True on process 0, the one that writes checkpoints.

    Examples:
        >>> from mxjax import parallel
        >>> parallel.is_coordinator()
        True
    """
    return jax.process_index() == 0
