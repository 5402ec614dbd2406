"""``gluon.contrib.nn``: SyncBatchNorm, Concurrent/HybridConcurrent, Identity, PixelShuffle1D/2D/3D,
SparseEmbedding.

Examples:
    >>> from mxjax.gluon.contrib import nn
    >>> nn.SyncBatchNorm(num_devices=2).num_devices
    2
"""

from mxjax._src.gluon.contrib_nn import (
    Concurrent as Concurrent,
    HybridConcurrent as HybridConcurrent,
    Identity as Identity,
    PixelShuffle1D as PixelShuffle1D,
    PixelShuffle2D as PixelShuffle2D,
    PixelShuffle3D as PixelShuffle3D,
    SparseEmbedding as SparseEmbedding,
)
from mxjax._src.gluon.sync_bn import SyncBatchNorm as SyncBatchNorm

__all__ = [
    "Concurrent",
    "HybridConcurrent",
    "Identity",
    "PixelShuffle1D",
    "PixelShuffle2D",
    "PixelShuffle3D",
    "SparseEmbedding",
    "SyncBatchNorm",
]
