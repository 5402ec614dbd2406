"""``mx.kv`` / ``mx.kvstore``: MXNet's key-value store in one process.

Examples:
    >>> import mxjax as mx
    >>> kv = mx.kv.create("local")
    >>> kv.init("w", mx.nd.zeros((2,)))
    >>> kv.push("w", [mx.nd.ones((2,)), mx.nd.ones((2,))])
    >>> out = mx.nd.zeros((2,))
    >>> kv.pull("w", out=out)
    >>> out.asnumpy().tolist()
    [2.0, 2.0]
"""

from mxjax._src.kvstore import (
    KVStore as KVStore,
    KVStoreBase as KVStoreBase,
    TestStore as TestStore,
    create as create,
)

__all__ = ["KVStore", "KVStoreBase", "TestStore", "create"]
