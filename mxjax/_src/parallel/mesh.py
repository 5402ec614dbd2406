"""Device selection and the one-axis data-parallel mesh."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

__all__ = ["DATA_AXIS", "batch_sharding", "data_mesh", "replicated", "resolve_devices"]

DATA_AXIS = "data"


def resolve_devices(devices: Any = None) -> list[jax.Device]:
    """Turns a device spec into a list of JAX devices.

    Args:
        devices: None or 1 (the first device), an int N (the first N
            devices), ``'all'``, or a sequence of device ids, ``jax.Device``
            objects or mxjax contexts (``mx.cpu(1)``).

    Raises:
        ValueError: when more devices are asked for than exist, naming both.

    Examples:
        >>> from mxjax import parallel
        >>> len(parallel.resolve_devices(1))
        1
    """
    available = jax.devices()
    if devices is None:
        return available[:1]
    if isinstance(devices, str):
        if devices == "all":
            return list(available)
        if devices.replace(",", "").isdigit() and "," in devices:
            devices = [int(d) for d in devices.split(",")]
        elif devices.isdigit():
            devices = int(devices)
        else:
            raise ValueError(f"devices must be an int, a list or 'all'; received {devices!r}")
    if isinstance(devices, int) and not isinstance(devices, bool):
        if not 1 <= devices <= len(available):
            raise ValueError(
                f"asked for {devices} devices but {len(available)} are available ({available}); "
                "on CPU, simulate more with XLA_FLAGS=--xla_force_host_platform_device_count=N"
            )
        return available[:devices]
    if isinstance(devices, Sequence):
        out = []
        for d in devices:
            if isinstance(d, jax.Device):
                out.append(d)
            elif hasattr(d, "jax_device"):
                out.append(d.jax_device() if callable(d.jax_device) else d.jax_device)
            elif hasattr(d, "device_id") and hasattr(d, "device_type"):
                kind = "gpu" if d.device_type == "gpu" else "cpu"
                out.append(jax.devices(kind)[d.device_id])
            elif isinstance(d, int):
                if d >= len(available):
                    raise ValueError(
                        f"device id {d} out of range: {len(available)} devices available"
                    )
                out.append(available[d])
            else:
                raise TypeError(f"unsupported device spec {d!r}")
        if len({d.id for d in out}) != len(out):
            raise ValueError(f"devices must be distinct; received {out}")
        return out
    raise TypeError(
        f"devices must be an int, a sequence or 'all'; received {type(devices).__name__}"
    )


def data_mesh(devices: Any = None) -> Mesh:
    """A 1-D mesh with axis ``'data'`` over the given devices.

    Built with ``jax.sharding.Mesh`` (auto axis types), not ``jax.make_mesh``,
    whose default axis type became Explicit in JAX 0.9.

    Examples:
        >>> from mxjax import parallel
        >>> parallel.data_mesh(1).axis_names
        ('data',)
    """
    return Mesh(np.asarray(resolve_devices(devices)), (DATA_AXIS,))


def replicated(mesh: Mesh) -> NamedSharding:
    """Sharding that puts a full copy on every device of ``mesh``.

    Examples:
        >>> from mxjax import parallel
        >>> from jax.sharding import PartitionSpec
        >>> parallel.replicated(parallel.data_mesh(1)).spec == PartitionSpec()
        True
    """
    return NamedSharding(mesh, PartitionSpec())


def batch_sharding(mesh: Mesh) -> NamedSharding:
    """Sharding that splits the leading (batch) axis across ``mesh``'s devices.

    Examples:
        >>> from mxjax import parallel
        >>> from jax.sharding import PartitionSpec
        >>> parallel.batch_sharding(parallel.data_mesh(1)).spec == PartitionSpec("data")
        True
    """
    return NamedSharding(mesh, PartitionSpec(DATA_AXIS))
