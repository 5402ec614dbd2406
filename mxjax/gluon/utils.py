"""``gluon.utils``: data splitting, gradient clipping and downloads.

Examples:
    >>> import mxjax as mx
    >>> from mxjax.gluon import utils
    >>> len(utils.split_data(mx.nd.ones((4, 1)), 2))
    2
"""

from mxjax._src.gluon.utils import (
    check_sha1 as check_sha1,
    clip_global_norm as clip_global_norm,
    download as download,
    split_and_load as split_and_load,
    split_data as split_data,
)

__all__ = ["check_sha1", "clip_global_norm", "download", "split_and_load", "split_data"]
