"""``gluon.contrib.nn``: SyncBatchNorm (batch statistics over all devices of a step).

Examples:
    >>> from mxjax.gluon.contrib import nn
    >>> nn.SyncBatchNorm(num_devices=2).num_devices
    2
"""

from mxjax._src.gluon.sync_bn import SyncBatchNorm as SyncBatchNorm

__all__ = ["SyncBatchNorm"]
