"""``mx.io``: MXNet's data iterators, MXNet's binary NDArray list (``nd.save``, Gluon
``.params``) and mxjax's atomic checkpoints of a whole training run.

Examples:
    >>> import numpy as np
    >>> from mxjax import io
    >>> io.loads(io.dumps([np.ones(2, np.float16)]))
    [array([1., 1.], dtype=float16)]
"""

from mxjax._src.io.checkpoint import (
    CheckpointError as CheckpointError,
    CheckpointManager as CheckpointManager,
    load_checkpoint as load_checkpoint,
    remove_stale_temporaries as remove_stale_temporaries,
    save_checkpoint as save_checkpoint,
)
from mxjax._src.io.file_iters import CSVIter as CSVIter, MNISTIter as MNISTIter
from mxjax._src.io.image_iter import ImageRecordIter as ImageRecordIter
from mxjax._src.io.iterators import (
    DataBatch as DataBatch,
    DataDesc as DataDesc,
    DataIter as DataIter,
    NDArrayIter as NDArrayIter,
    PrefetchingIter as PrefetchingIter,
    ResizeIter as ResizeIter,
)
from mxjax._src.io.params import (
    ParamsFormatError as ParamsFormatError,
    dumps as dumps,
    load_params as load_params,
    loads as loads,
    save_params as save_params,
)

__all__ = [
    "CSVIter",
    "CheckpointError",
    "CheckpointManager",
    "DataBatch",
    "DataDesc",
    "DataIter",
    "ImageRecordIter",
    "MNISTIter",
    "NDArrayIter",
    "ParamsFormatError",
    "PrefetchingIter",
    "ResizeIter",
    "dumps",
    "load_checkpoint",
    "load_params",
    "loads",
    "remove_stale_temporaries",
    "save_checkpoint",
    "save_params",
]
