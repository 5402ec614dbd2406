"""Data parallelism over local devices and hosts (pmap semantics on ``jax.jit`` + sharding).

Examples:
    >>> from mxjax import parallel
    >>> mesh = parallel.data_mesh(1)
    >>> mesh.devices.size
    1
"""

from mxjax._src.parallel.distributed import (
    initialize as initialize,
    is_coordinator as is_coordinator,
    process_count as process_count,
    process_index as process_index,
)
from mxjax._src.parallel.mesh import (
    DATA_AXIS as DATA_AXIS,
    batch_sharding as batch_sharding,
    data_mesh as data_mesh,
    replicated as replicated,
    resolve_devices as resolve_devices,
)
from mxjax._src.parallel.step import (
    make_parallel_train_step as make_parallel_train_step,
    replicate as replicate,
    shard_batch as shard_batch,
)

__all__ = [
    "DATA_AXIS",
    "batch_sharding",
    "data_mesh",
    "initialize",
    "is_coordinator",
    "make_parallel_train_step",
    "process_count",
    "process_index",
    "replicate",
    "replicated",
    "resolve_devices",
    "shard_batch",
]
