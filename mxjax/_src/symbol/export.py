"""Gluon blocks to MXNet symbol graphs: ``HybridBlock.export`` and Blocks called on Symbols.

Every built-in Gluon layer is a :class:`CoreBlock` around a functional layer, so
one table maps functional layers to MXNet operators (``layers.Dense`` ->
``FullyConnected`` ...). Containers chain their children; a block with
``hybrid_forward(F, ...)`` runs it with ``F = mx.sym``; a SymbolBlock inlines
its graph. Parameter variables are named by the Parameters' full names, as
MXNet's export does, and the ``.params`` file uses ``arg:``/``aux:`` prefixes.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

import jax
import numpy as np

from mxjax._src.layers import (
    activation as A,
    basic as Bs,
    conv as C,
    dense as D,
    norm as N,
    pool as P,
    rnn as R,
)
from mxjax._src.symbol.graph import Symbol, _init_dumps, var

__all__ = ["block_scope", "block_to_symbol", "export_block", "param_var", "trace_block"]


class _State(threading.local):
    def __init__(self):
        self.vars: dict[int, Symbol] | None = None


_STATE = _State()


def _sym():
    import mxjax.symbol as S

    return S


def param_var(p: Any) -> Symbol:
    """One variable per Parameter (shared parameters stay one node).

    Within an export trace the variables are the trace's own; elsewhere it is
    the Parameter's own ``var()``, as MXNet's blocks called on Symbols use, so
    a cell unrolled over Symbols refers to one node per weight.
    """
    cache = _STATE.vars
    if cache is None:
        return p.var()
    if id(p) in cache:
        return cache[id(p)]
    from mxjax._src.symbol.attrs import to_str
    from mxjax._src.symbol.serialize import dtype_code

    # what Gluon's export writes for a Parameter's variable
    attrs = {
        "__dtype__": str(dtype_code(p.dtype)),
        "__lr_mult__": to_str(float(p.lr_mult)),
        "__shape__": to_str(tuple(int(d) for d in (p.shape or ()))),
        "__storage_type__": "0",
        "__wd_mult__": to_str(float(p.wd_mult)),
    }
    if getattr(p, "init", None) is not None:  # Parameter.var() passes init=, as MXNet
        attrs["__init__"] = p.init if isinstance(p.init, str) else _init_dumps(p.init)
    v = var(p.name, attr=dict(sorted(attrs.items())))  # MXNet writes them sorted
    cache[id(p)] = v
    return v


def _act(x: Symbol, act: Any, name: str) -> Symbol:
    if act is None:
        return x
    if not isinstance(act, str):
        raise ValueError(f"export: activation {act!r} is not an MXNet activation name")
    return _sym().Activation(x, act_type=act, name=name)


def _core_to_symbol(core: Any, x: Symbol, params: dict[str, Symbol], name: str) -> Symbol:
    S = _sym()
    del name  # nodes are named under the block's name scope (mx.name.Prefix), as Gluon does
    fwd = "fwd"
    if isinstance(core, D.Dense):
        y = S.FullyConnected(
            x,
            params["weight"],
            *([params["bias"]] if core.use_bias else []),
            num_hidden=core.units,
            no_bias=not core.use_bias,
            flatten=core.flatten,
            name=fwd,
        )
        return _act(y, core.activation, f"{core.activation}_fwd")
    if isinstance(core, C._ConvBase):
        kw = dict(
            kernel=core.kernel_size,
            stride=core.strides,
            pad=core.padding,
            dilate=core.dilation,
            num_filter=core.channels,
            num_group=core.groups,
            no_bias=not core.use_bias,
            layout=core.layout,
        )
        bias = [params["bias"]] if core.use_bias else []
        if core._TRANSPOSED:
            y = S.Deconvolution(x, params["weight"], *bias, adj=core.output_padding, name=fwd, **kw)
        else:
            y = S.Convolution(x, params["weight"], *bias, name=fwd, **kw)
        return _act(y, core.activation, f"{core.activation}_fwd")
    if isinstance(core, P._GlobalPool):
        n = {"NCW": 1, "NWC": 1, "NCHW": 2, "NHWC": 2}.get(core.layout, 3)
        kind = "max" if "Max" in type(core).__name__ else "avg"
        return S.Pooling(
            x, kernel=(1,) * n, global_pool=True, pool_type=kind, layout=core.layout, name=fwd
        )
    if isinstance(core, P._Pool):
        kw = dict(
            kernel=core.pool_size,
            stride=core.strides,
            pad=core.padding,
            pooling_convention="full" if core.ceil_mode else "valid",
            layout=core.layout,
        )
        if isinstance(core, P._AvgPool):
            return S.Pooling(
                x, pool_type="avg", count_include_pad=core.count_include_pad, name=fwd, **kw
            )
        return S.Pooling(x, pool_type="max", name=fwd, **kw)
    if isinstance(core, N.BatchNorm):
        return S.BatchNorm(
            x,
            params["gamma"],
            params["beta"],
            params["running_mean"],
            params["running_var"],
            eps=core.epsilon,
            momentum=core.momentum,
            fix_gamma=not core.scale,
            use_global_stats=core.use_global_stats,
            axis=core.axis,
            name=fwd,
        )
    if isinstance(core, N.LayerNorm):
        return S.LayerNorm(
            x, params["gamma"], params["beta"], axis=core.axis, eps=core.epsilon, name=fwd
        )
    if isinstance(core, N.InstanceNorm):
        if core.axis != 1:
            raise ValueError("export: InstanceNorm with axis != 1 has no MXNet operator")
        gamma = params["gamma"] if core.scale else S.BlockGrad(params["gamma"]) * 0 + 1
        return S.InstanceNorm(x, gamma, params["beta"], eps=core.epsilon, name=fwd)
    if isinstance(core, N.GroupNorm):
        return S.GroupNorm(
            x,
            params["gamma"],
            params["beta"],
            num_groups=core.num_groups,
            eps=core.epsilon,
            name=fwd,
        )
    if isinstance(core, A.Activation):
        return _act(x, core.activation, fwd)
    if isinstance(core, A.LeakyReLU):
        return S.LeakyReLU(x, act_type="leaky", slope=core.alpha, name=fwd)
    if isinstance(core, A.ELU):
        return S.LeakyReLU(x, act_type="elu", slope=core.alpha, name=fwd)
    if isinstance(core, A.SELU):
        return S.LeakyReLU(x, act_type="selu", name=fwd)
    if isinstance(core, A.GELU):
        return S.LeakyReLU(x, act_type="gelu", name=fwd)
    if isinstance(core, A.PReLU):
        return S.LeakyReLU(x, params["alpha"], act_type="prelu", name=fwd)
    if isinstance(core, A.Swish):
        return S.elemwise_mul(x, S.sigmoid(x * core.beta), name=fwd)
    if isinstance(core, Bs.Dropout):
        return S.Dropout(x, p=core.rate, axes=core.axes, name=fwd)
    if isinstance(core, Bs.Flatten):
        return S.Flatten(x, name=fwd)
    if isinstance(core, Bs.Embedding):
        return S.Embedding(
            x,
            params["weight"],
            input_dim=core.input_dim,
            output_dim=core.output_dim,
            dtype=core.dtype,
            name=fwd,
        )
    if isinstance(core, R._RNNLayer):
        return _rnn_to_symbol(core, x, params, fwd)
    raise ValueError(
        f"export: the layer {type(core).__name__} has no MXNet operator mapping; write its block "
        f"with hybrid_forward(F, ...) using mx.sym operators"
    )


def _rnn_to_symbol(core: Any, x: Symbol, params: dict[str, Symbol], name: str) -> Symbol:
    """A fused recurrent layer as MXNet's ``RNN`` operator (flat parameters, zero states)."""
    S = _sym()
    if getattr(core, "projection_size", None):
        raise ValueError("export: LSTM with projection_size has no MXNet 1.9 RNN mapping")
    if core.use_sequence_length:
        raise ValueError(
            "export: a recurrent layer with use_sequence_length cannot be exported yet"
        )
    mode = {"LSTM": "lstm", "GRU": "gru"}.get(type(core).__name__)
    mode = mode or f"rnn_{core.activation}"
    dirs = ("l", "r") if core.bidirectional else ("l",)
    order = [
        R.fused_name(f"{d}{i}_{part}_{kind}", core.bidirectional)
        for kind in ("weight", "bias")
        for i in range(core.num_layers)
        for d in dirs
        for part in ("i2h", "h2h")
    ]
    flat = S.Concat(
        *[S.Reshape(params[n], shape=(-1,)) for n in order], dim=0, name="rnn_param_concat"
    )
    seq = x if core.layout == "TNC" else S.swapaxes(x, dim1=0, dim2=1)
    # zero begin states of shape (layers*dirs, N, H), built from the input's batch size
    first = S.slice_axis(seq, axis=0, begin=0, end=1)
    zero = S.broadcast_to(
        S.sum(first, axis=2, keepdims=True) * 0.0,
        shape=(core.num_layers * len(dirs), 0, core.hidden_size),
    )
    states = [zero, zero] if mode == "lstm" else [zero]
    out = S.RNN(
        seq,
        flat,
        *states,
        state_size=core.hidden_size,
        num_layers=core.num_layers,
        bidirectional=core.bidirectional,
        mode=mode,
        p=core.dropout,
        name=name,
    )
    return out if core.layout == "TNC" else S.swapaxes(out, dim1=0, dim2=1)


def block_scope(block: Any) -> Any:
    """Gluon's name scope of a block while tracing: ``Prefix(block.prefix)`` (none for ``''``)."""
    import contextlib

    from mxjax._src.symbol.scope import Prefix

    if getattr(block, "_empty_prefix", False) or not block.prefix:
        return contextlib.nullcontext()
    return Prefix(block.prefix)


def _gluon_base(block: Any, name: str) -> type | None:
    """The Gluon base class ``name`` among ``block``'s bases (duck-typed: no import of gluon,
    which imports this module through ``HybridBlock.export``)."""
    for cls in type(block).__mro__:
        if cls.__name__ == name and cls.__module__ == "mxjax._src.gluon.block":
            return cls
    return None


def _overrides(block: Any, base: type, method: str) -> bool:
    return getattr(type(block), method) is not getattr(base, method)


def block_to_symbol(block: Any, *xs: Any, **kwargs: Any) -> Any:
    """The symbol of ``block`` applied to symbol inputs ``xs`` (what ``block(sym)`` returns)."""
    if kwargs:
        raise TypeError(f"{type(block).__name__}: keyword inputs are not supported on Symbols")
    name = block.name
    if getattr(block, "_is_symbol_block", False):
        repl = dict(zip(block._core.input_names, xs))
        for p in block._reg_params.values():  # share the variable nodes of parameters
            param_var(p)
        return block.symbol(**repl)
    if hasattr(block, "_core") and hasattr(block, "_pnames"):  # a CoreBlock
        if len(xs) != 1:
            raise ValueError(f"export: {type(block).__name__} takes one input; received {len(xs)}")
        params = {n: param_var(block._param(n)) for n in (*block._pnames, *block._snames)}
        with block_scope(block):
            return _core_to_symbol(block._core, xs[0], params, name)
    if hasattr(block, "_loss") and hasattr(block, "_core_cls"):  # a Gluon loss
        from mxjax._src.symbol.losses import loss_to_symbol

        return loss_to_symbol(block._loss, *xs)
    hybrid = _gluon_base(block, "HybridBlock")
    if (
        hybrid is not None
        and _overrides(block, hybrid, "hybrid_forward")
        and not _overrides(block, hybrid, "forward")
    ):
        params = {k: param_var(p) for k, p in block._reg_params.items()}
        with block_scope(block):
            return block.hybrid_forward(_sym(), *xs, **params)
    seq = _gluon_base(block, "Sequential")
    if seq is not None and type(block).__name__ in ("Sequential", "HybridSequential"):
        x = xs[0] if len(xs) == 1 else xs
        with block_scope(block):
            for child in block._children.values():
                x = child(x) if isinstance(x, Symbol) else child(*x)
        return x
    if _gluon_base(block, "Block") is not None:
        # forward() over child blocks and Symbol-aware operations (the model zoo's blocks)
        try:
            with block_scope(block):
                out = block.forward(*xs)
        except (TypeError, AttributeError, ValueError) as e:
            raise ValueError(
                f"export: {type(block).__name__}.forward cannot be traced to an MXNet graph "
                f"({type(e).__name__}: {e}); write the block with hybrid_forward(F, ...) "
                f"using F's operators"
            ) from None
        outs = out if isinstance(out, (list, tuple)) else [out]
        if all(isinstance(o, Symbol) for o in outs):
            return out
    raise ValueError(
        f"export: {type(block).__name__} defines forward() over NDArrays, which cannot be "
        f"traced to an MXNet graph; implement hybrid_forward(F, ...) instead"
    )


def _num_inputs(block: Any) -> int:
    hybrid = _gluon_base(block, "HybridBlock")
    custom = hybrid is not None and _overrides(block, hybrid, "hybrid_forward")
    fn = block.hybrid_forward if custom else block.forward
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 1
    params = [
        p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if fn.__name__ == "hybrid_forward":
        params = params[1:]  # F
        params = [p for p in params if p.name not in block._reg_params]
    n = len([p for p in params if p.default is p.empty])
    return max(n, 1)


def trace_block(block: Any, num_inputs: int | None = None) -> Symbol:
    """The MXNet symbol graph of a Gluon block; inputs are ``data`` (or ``data0``, ``data1`` ...)."""
    from mxjax._src.symbol.graph import Group

    n = num_inputs or _num_inputs(block)
    names = ["data"] if n == 1 else [f"data{i}" for i in range(n)]
    old = _STATE.vars
    _STATE.vars = {}
    try:
        out = block(*[var(nm) for nm in names])
    finally:
        _STATE.vars = old
    if isinstance(out, (list, tuple)):
        out = Group(list(out))
    return out


def export_block(block: Any, path: str, epoch: int = 0) -> tuple[str, str]:
    """Writes ``path-symbol.json`` and ``path-%04d.params`` that MXNet 1.9.1 loads."""
    from mxjax._src.io.params import save_params

    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"export: epoch must be a non-negative int; received {epoch!r}")
    sym = trace_block(block)
    params = {p.name: p for p in block.collect_params().values()}
    arrays = {}
    for kind, names in (("arg", sym.list_arguments()), ("aux", sym.list_auxiliary_states())):
        for n in names:
            if n.startswith("data") and n not in params:
                continue
            if n not in params:
                raise ValueError(f"export: the graph uses {n!r}, which is not a parameter")
            p = params[n]
            p._check_initialized()
            arrays[f"{kind}:{n}"] = np.asarray(jax.device_get(p._data[0].jax))
    sym_file = f"{path}-symbol.json"
    params_file = f"{path}-{int(epoch):04d}.params"
    sym.save(sym_file)
    save_params(params_file, arrays)
    return sym_file, params_file
