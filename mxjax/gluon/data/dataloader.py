"""``gluon.data.dataloader``: the DataLoader and its batchify function, as MXNet's module.

Examples:
    >>> from mxjax.gluon.data import dataloader
    >>> dataloader.default_batchify_fn([(1, 2), (3, 4)])[0].tolist()
    [1, 3]
"""

from mxjax._src.data.batchify import default_batchify_fn as default_batchify_fn
from mxjax._src.data.gluon import DataLoader as DataLoader

# MXNet 1.9.1 batchifies into shared memory in its workers; mxjax's workers send NumPy
# batches through a pipe, so the multiprocessing variant is the same function.
default_mp_batchify_fn = default_batchify_fn

__all__ = ["DataLoader", "default_batchify_fn", "default_mp_batchify_fn"]
