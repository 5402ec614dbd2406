"""Model conversion between MXNet's files and mxjax, each with an output-match check.

* :func:`functional_to_mxnet`: a functional-core network (``layers.Sequential`` of
  built-in layers) with its ``params``/``state`` trees to MXNet's ``-symbol.json`` +
  ``-%04d.params`` (variables named by the dotted Gluon names, ``0.weight``).
* :func:`mxnet_to_mxjax`: MXNet's files to an mxjax ``SymbolBlock``, saved as a
  Gluon ``.params`` file plus the (re-serialized) graph.

Both run the converted model on an input and compare it with the source model.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.layers.base import flatten_names
from mxjax._src.layers.container import Sequential
from mxjax._src.symbol.graph import Symbol, var

__all__ = ["functional_to_mxnet", "functional_to_symbol", "mxnet_to_mxjax"]


def functional_to_symbol(layer: Any, x: Symbol, names: Any, prefix: str = "") -> Symbol:
    """The MXNet graph of a functional-core network.

    Args:
        layer: a built-in layer or a ``Sequential`` of them.
        x: the input symbol.
        names: the dotted names of the network's params and state (``0.weight`` ...);
            parameter variables are named by them.
        prefix: the name prefix of ``layer`` inside the network.
    """
    from mxjax._src.symbol.export import _core_to_symbol

    if isinstance(layer, Sequential):
        for i, child in enumerate(layer.layers):
            x = functional_to_symbol(child, x, names, f"{prefix}{i}.")
        return x
    from mxjax._src.train.zoo import RandomShift

    if isinstance(layer, RandomShift):  # training-time augmentation: identity for inference
        return x
    own = [n[len(prefix) :] for n in names if n.startswith(prefix) and "." not in n[len(prefix) :]]
    params = {n: var(f"{prefix}{n}") for n in own}
    from mxjax._src.symbol.scope import Prefix

    node = (prefix[:-1] if prefix else type(layer).__name__.lower()).replace(".", "_")
    with Prefix(f"{node}_"):
        return _core_to_symbol(layer, x, params, node)


def functional_to_mxnet(
    layer: Any, params: dict, state: dict, example: np.ndarray, prefix: str, epoch: int = 0
) -> tuple[str, str, float]:
    """Writes MXNet files for a functional network and checks them.

    Returns ``(symbol_file, params_file, max_abs_difference)`` where the difference is
    between ``layer.apply`` and the written files loaded back as a ``SymbolBlock``.
    """
    from mxjax._src.io.params import save_params
    from mxjax._src.nd.creation import array
    from mxjax._src.symbol.block import SymbolBlock

    flat = {**flatten_names(params), **flatten_names(state)}
    sym = functional_to_symbol(layer, var("data"), list(flat))
    used = set(sym.list_inputs())
    arrays = {}
    for n in sym.list_arguments():
        if n == "data":
            continue
        if n not in flat:
            raise ValueError(f"convert: the network has no parameter {n!r}")
        arrays[f"arg:{n}"] = np.asarray(jax.device_get(flat[n]))
    for n in sym.list_auxiliary_states():
        arrays[f"aux:{n}"] = np.asarray(jax.device_get(flat[n]))
    unused = sorted(set(flat) - used)
    if unused:
        raise ValueError(f"convert: parameters {unused} are not used by the exported graph")
    sym_file, params_file = f"{prefix}-symbol.json", f"{prefix}-{int(epoch):04d}.params"
    sym.save(sym_file)
    save_params(params_file, arrays)
    ref, _ = layer.apply(params, state, jnp.asarray(example), train=False)
    blk = SymbolBlock.imports(sym_file, ["data"], params_file)
    out = blk(array(example)).asnumpy()
    return sym_file, params_file, float(np.max(np.abs(out - np.asarray(ref))))


def mxnet_to_mxjax(
    symbol_file: str,
    params_file: str,
    input_names: list[str],
    inputs: list[np.ndarray],
    out_prefix: str | None = None,
    expected: list[np.ndarray] | None = None,
) -> tuple[Any, float]:
    """Loads MXNet's files as a ``SymbolBlock`` and checks it.

    The check compares the hybridized (one jitted program) block with ``expected``
    outputs when given (e.g. saved from MXNet), else with the same block run
    operator by operator, and with the block re-exported by mxjax and loaded back.
    With ``out_prefix`` it writes ``out_prefix.params`` (Gluon ``save_parameters``)
    and ``out_prefix-symbol.json``. Returns ``(block, max_abs_difference)``.
    """
    from mxjax._src.nd.creation import array
    from mxjax._src.symbol.block import SymbolBlock

    blk = SymbolBlock.imports(symbol_file, input_names, params_file)
    xs = [array(x) for x in inputs]

    def run(b):
        out = b(*xs)
        outs = out if isinstance(out, list) else [out]
        return [o.asnumpy() for o in outs]

    eager = run(blk)
    blk.hybridize()
    compiled = run(blk)
    refs = [np.asarray(e) for e in expected] if expected is not None else eager
    if len(refs) != len(compiled):
        raise ValueError(f"convert: {len(refs)} expected outputs for {len(compiled)} outputs")
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(compiled, refs))
    if out_prefix is not None:
        blk.save_parameters(f"{out_prefix}.params")
        blk.symbol.save(f"{out_prefix}-symbol.json")
        again = SymbolBlock(blk.symbol, [var(n) for n in input_names])
        again.load_parameters(f"{out_prefix}.params")
        diff = max(diff, *(float(np.max(np.abs(a - b))) for a, b in zip(run(again), compiled)))
    return blk, diff
