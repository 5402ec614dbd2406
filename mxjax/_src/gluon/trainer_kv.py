"""How a Gluon ``Trainer`` chooses its kvstore and ``update_on_kvstore`` (MXNet 1.9.1's rules).

The choice decides which MXNet calls are allowed (``Trainer.update`` raises
when parameters are updated on the store) and what ``trainer._kvstore``
shows; the arithmetic is the same either way (gradients summed over
contexts, one update).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from mxjax._src.kvstore import KVStore, KVStoreBase, create as _kv_create

__all__ = ["choose_store"]


def _env_update_on_kvstore() -> bool:
    return bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))


def _dense_store(kvstore: Any, num_contexts: int, params: list) -> tuple[Any, bool]:
    """MXNet's ``_create_kvstore``: no store for one context and a store name."""
    update_on_kvstore = _env_update_on_kvstore()
    if kvstore is None:
        kv = None
    elif isinstance(kvstore, KVStoreBase):
        kv = kvstore
    elif isinstance(kvstore, str):
        if num_contexts == 1 and "dist" not in kvstore:
            kv = None
        else:
            kv = _kv_create(kvstore)
            sizes = [int(np.prod(p.shape)) for p in params if p.shape is not None]
            if kvstore == "local" and max(sizes, default=0) > 1024 * 1024 * 16:
                update_on_kvstore = False
    else:
        raise TypeError("kvstore must be KVStore, str or None")
    if kv is None:
        return None, False
    return kv, update_on_kvstore and kv.is_capable(KVStoreBase.OPTIMIZER)


def _sparse_weight_store(kvstore: Any) -> KVStoreBase:
    """MXNet's ``_create_sparse_kvstore``: sparse weights always live on a store."""
    if isinstance(kvstore, KVStoreBase):
        kv = kvstore
    elif isinstance(kvstore, str):
        kv = _kv_create(kvstore)
    else:
        raise TypeError(
            f"Cannot create '{kvstore}' KVStore with row_sparse parameters. The type must be "
            "KVStore or str."
        )
    if not kv.is_capable(KVStoreBase.OPTIMIZER):
        raise ValueError(
            f"KVStore with sparse weight requires optimizer support. However, {type(kv)} does "
            "not support optimizer."
        )
    return kv


def choose_store(config: dict, num_contexts: int, params: list) -> tuple[Any, Any]:
    """``(kvstore or None, update_on_kvstore)`` for a Trainer, as MXNet's ``_init_kvstore``.

    ``config`` holds the Trainer's ``kvstore`` and ``update_on_kvstore`` arguments.
    Without a store, ``update_on_kvstore`` is None.

    Raises:
        ValueError: a combination MXNet refuses (``update_on_kvstore=True`` with a
            store without optimizer support, ``False`` with sparse weights, a custom
            store with sparse gradients on several contexts).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax._src.gluon.trainer_kv import choose_store
        >>> p = mx.gluon.Parameter("w", shape=(2,))
        >>> choose_store({"kvstore": "device", "update_on_kvstore": None}, 1, [p])
        (None, None)
        >>> kv, on_kv = choose_store({"kvstore": "device", "update_on_kvstore": None}, 2, [p])
        >>> kv.type, on_kv
        ('device', True)
    """
    requested = config["update_on_kvstore"]
    if any(getattr(p, "_stype", "default") != "default" for p in params):
        kv = _sparse_weight_store(config["kvstore"])
        if requested is False:
            raise ValueError("Cannot set update_on_kvstore=False when sparse weights are present.")
        return kv, True
    kv, update_on_kvstore = _dense_store(config["kvstore"], num_contexts, params)
    distributed = kv is not None and "dist" in kv.type
    if any(getattr(p, "_grad_stype", "default") != "default" for p in params):
        update_on_kvstore = distributed
        if requested is not None:
            update_on_kvstore = requested
        if kv is not None and not isinstance(kv, KVStore):
            raise ValueError(
                f"Cannot use {type(kv)} for multi-device training with sparse gradients"
            )
    else:
        if requested is not None:
            update_on_kvstore = requested
        if kv is not None and update_on_kvstore and not kv.is_capable(KVStoreBase.OPTIMIZER):
            if requested:
                raise ValueError(
                    f"Please set update_on_kvstore=False when training with {type(kv)}"
                )
            update_on_kvstore = False
    if kv is None:
        return None, None
    return kv, bool(update_on_kvstore)
