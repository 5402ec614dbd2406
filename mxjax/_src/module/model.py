"""``mx.model``: MXNet checkpoints, ``prefix-symbol.json`` + ``prefix-%04d.params``.

The parameter file is MXNet's NDArray-list format with ``arg:``/``aux:``
prefixed names, exactly what MXNet's ``save_checkpoint`` writes and
``load_checkpoint`` reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

__all__ = ["load_checkpoint", "load_params", "save_checkpoint", "split_params"]


def _np(v: Any) -> np.ndarray:
    return np.asarray(jax.device_get(v.jax if hasattr(v, "jax") else v))


def save_checkpoint(
    prefix: str,
    epoch: int,
    symbol: Any,
    arg_params: Mapping,
    aux_params: Mapping,
    remove_amp_cast: bool = True,
) -> None:
    """Writes ``prefix-symbol.json`` (if ``symbol``) and ``prefix-%04d.params``.

    Examples:
        >>> import os, tempfile, mxjax as mx
        >>> d = tempfile.mkdtemp()
        >>> net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fc")
        >>> mx.model.save_checkpoint(os.path.join(d, "m"), 3, net,
        ...                          {"fc_weight": mx.nd.ones((2, 3)), "fc_bias": mx.nd.zeros(2)}, {})
        >>> sorted(os.listdir(d))
        ['m-0003.params', 'm-symbol.json']
    """
    from mxjax._src.io.params import save_params

    del remove_amp_cast
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"save_checkpoint: epoch must be a non-negative int; received {epoch!r}")
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json")
    data = {f"arg:{k}": _np(v) for k, v in arg_params.items()}
    data.update({f"aux:{k}": _np(v) for k, v in aux_params.items()})
    save_params(f"{prefix}-{int(epoch):04d}.params", data)


def split_params(loaded: Mapping[str, Any], where: str = "params") -> tuple[dict, dict]:
    """Splits ``{'arg:x': .., 'aux:y': ..}`` into ``(arg_params, aux_params)`` of NDArrays."""
    from mxjax._src.nd.creation import array

    args, auxs = {}, {}
    for k, v in loaded.items():
        kind, sep, name = k.partition(":")
        if not sep or kind not in ("arg", "aux"):
            raise ValueError(
                f"{where}: entry {k!r} has no 'arg:' or 'aux:' prefix (not an MXNet checkpoint; "
                f"Gluon .params files load with net.load_parameters)"
            )
        (args if kind == "arg" else auxs)[name] = array(v, dtype=np.asarray(v).dtype)
    return args, auxs


def load_params(prefix: str, epoch: int) -> tuple[dict, dict]:
    """``(arg_params, aux_params)`` from ``prefix-%04d.params``."""
    from mxjax._src.io.params import load_params as _load

    fname = f"{prefix}-{int(epoch):04d}.params"
    return split_params(_load(fname), repr(fname))


def load_checkpoint(prefix: str, epoch: int) -> tuple[Any, dict, dict]:
    """``(symbol, arg_params, aux_params)`` from an MXNet checkpoint.

    Examples:
        >>> import os, tempfile, mxjax as mx
        >>> d = tempfile.mkdtemp()
        >>> net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fc")
        >>> mx.model.save_checkpoint(os.path.join(d, "m"), 1, net,
        ...                          {"fc_weight": mx.nd.ones((2, 3)), "fc_bias": mx.nd.zeros(2)}, {})
        >>> sym, args, auxs = mx.model.load_checkpoint(os.path.join(d, "m"), 1)
        >>> sym.list_arguments(), sorted(args)
        (['data', 'fc_weight', 'fc_bias'], ['fc_bias', 'fc_weight'])
    """
    from mxjax._src.symbol.loader import load

    sym = load(f"{prefix}-symbol.json")
    args, auxs = load_params(prefix, epoch)
    return sym, args, auxs
