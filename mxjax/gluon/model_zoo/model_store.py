"""Pretrained weights of MXNet's model zoo: ``{root}/{name}-{sha1[:8]}.params``, SHA-1 checked.

Examples:
    >>> from mxjax.gluon.model_zoo import model_store
    >>> model_store.short_hash("squeezenet1.1")
    '33ba0f93'
"""

from mxjax._src.zoo.model_store import (
    get_model_file as get_model_file,
    model_root as model_root,
    purge as purge,
    short_hash as short_hash,
)

__all__ = ["get_model_file", "model_root", "purge", "short_hash"]
