"""``amp.convert_symbol`` / ``amp.convert_hybrid_block``: MXNet's mixed-precision graph rewrite.

As MXNet 1.9.1's AMP, the rewrite inserts casts (``amp_cast``) into the
operator graph: the inputs of the matrix-multiplying operators
(``Convolution``, ``Deconvolution``, ``FullyConnected``, ``RNN``) are cast to
the target dtype (``float16`` or ``bfloat16``); the inputs of precision-
sensitive operators (``exp``, ``log``, ``softmax`` reductions, ``norm`` ...,
and ``Activation(act_type='softrelu')``, ``LeakyReLU`` with ``elu``/``selu``)
are cast to ``float32``; operators combining several inputs (``broadcast_add``,
``Concat``, ``dot`` ...) cast them to the widest of their dtypes; other
operators run in the dtype they receive. Dtypes are followed statically from
``float32`` inputs and parameters. The result is an inference block
(a ``SymbolBlock`` sharing nothing with the original).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mxjax._src.symbol.graph import Node, Symbol, var
from mxjax._src.symbol.optable import get_op

__all__ = ["convert_hybrid_block", "convert_symbol"]

TARGET_DTYPE_OPS = ("Convolution", "Deconvolution", "FullyConnected", "RNN")
FP32_OPS = (
    "arccos", "arcsin", "arctanh", "cosh", "sinh", "tan", "erfinv", "exp", "expm1", "log",
    "log10", "log2", "log1p", "square", "reciprocal", "rsqrt", "rcbrt", "broadcast_power",
    "_power", "_power_scalar", "_rpower_scalar", "_rdiv_scalar", "_hypot", "broadcast_hypot",
    "sum", "nansum", "prod", "nanprod", "mean", "norm", "moments", "gamma", "gammaln",
    "softmax", "log_softmax", "softmin", "SoftmaxOutput", "SoftmaxActivation", "LayerNorm",
    "InstanceNorm", "GroupNorm", "L2Normalization", "LRN", "topk", "argsort", "sort",
    "CTCLoss", "ctc_loss", "linalg_gemm", "linalg_gemm2", "linalg_potrf", "linalg_potri",
    "linalg_sumlogdiag", "linalg_syrk", "linalg_trmm", "linalg_trsm", "linalg_inverse",
    "linalg_det", "linalg_slogdet", "smooth_l1", "MakeLoss", "make_loss",
)  # fmt: skip
CONDITIONAL_FP32_OPS = (
    ("Activation", "act_type", ["softrelu"]),
    ("LeakyReLU", "act_type", ["elu", "selu"]),
)
WIDEST_TYPE_OPS = (
    "elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div", "_plus", "_minus", "_mul",
    "_div", "_maximum", "_minimum", "broadcast_add", "broadcast_plus", "broadcast_sub",
    "broadcast_minus", "broadcast_mul", "broadcast_div", "broadcast_maximum",
    "broadcast_minimum", "broadcast_equal", "broadcast_not_equal", "broadcast_greater",
    "broadcast_greater_equal", "broadcast_lesser", "broadcast_lesser_equal", "Concat", "concat",
    "stack", "add_n", "ElementWiseSum", "dot", "batch_dot", "where",
)  # fmt: skip
_TARGETS = ("float16", "bfloat16")


def _check_target(target_dtype: Any, where: str) -> str:
    name = target_dtype if isinstance(target_dtype, str) else getattr(target_dtype, "__name__", "")
    if name not in _TARGETS:
        try:
            name = np.dtype(target_dtype).name
        except TypeError:
            name = str(target_dtype)
    if name not in _TARGETS:
        raise ValueError(
            f"amp.{where}: target_dtype must be 'float16' or 'bfloat16'; received {target_dtype!r}"
        )
    return name


def _wider(a: str, b: str) -> str:
    order = {"bfloat16": 1, "float16": 1, "float32": 2, "float64": 3}
    return a if order.get(a, 0) >= order.get(b, 0) else b


def convert_symbol(
    sym: Symbol,
    target_dtype: str = "float16",
    target_dtype_ops: list | None = None,
    fp32_ops: list | None = None,
    conditional_fp32_ops: list | None = None,
    excluded_sym_names: list | None = None,
    data_names: list | None = None,
    cast_optional_params: bool = False,
) -> Symbol:
    """A copy of ``sym`` with MXNet AMP's casts (see the module docstring).

    Args:
        sym: the float32 graph.
        target_dtype: ``'float16'`` or ``'bfloat16'``.
        target_dtype_ops, fp32_ops, conditional_fp32_ops: override the operator
            lists (names; ``(op, param, [values])`` for the conditional list).
        excluded_sym_names: node names left as they are.
        data_names: the input variables (the others are parameters).
        cast_optional_params: store a parameter read only through a cast to
            the target dtype in the target dtype (no cast node).

    Examples:
        >>> import mxjax as mx
        >>> x = mx.sym.var("data")
        >>> y = mx.sym.softmax(mx.sym.FullyConnected(x, num_hidden=4, name="fc"), name="sm")
        >>> z = mx.amp.convert_symbol(y)
        >>> [n.attrs.get("dtype") for n in z._nodes() if n.op is not None and n.op.name == "Cast"]
        ['float16', 'float16', 'float16', 'float32']
    """
    target = _check_target(target_dtype, "convert_symbol")
    lp_ops = set(TARGET_DTYPE_OPS if target_dtype_ops is None else target_dtype_ops)
    f32_ops = set(FP32_OPS if fp32_ops is None else fp32_ops)
    cond = list(CONDITIONAL_FP32_OPS if conditional_fp32_ops is None else conditional_fp32_ops)
    excluded = set(excluded_sym_names or ())
    data = set(data_names or ["data"])
    cast_op = get_op("amp_cast")
    nodes = sym._nodes()
    readers: dict[int, set] = {}
    for n in nodes:
        for src, _ in n.inputs:
            readers.setdefault(id(src), set()).add(n.op.name if n.name not in excluded else None)
    new: dict[int, Node] = {}
    dtypes: dict[tuple, str] = {}

    def cast(entry: tuple, dtype: str) -> tuple:
        node, i = entry
        if dtypes.get((id(node), i)) == dtype:
            return entry
        c = Node(cast_op, f"{node.name}_amp_cast_{dtype}", {"dtype": dtype}, [entry])
        dtypes[(id(c), 0)] = dtype
        return (c, 0)

    for n in nodes:
        if n.op is None:
            lp_only = (
                cast_optional_params
                and n.name not in data
                and readers.get(id(n), set()) <= lp_ops
                and bool(readers.get(id(n)))
            )
            attrs = dict(n.attrs)
            dt = target if lp_only else "float32"
            if lp_only:
                attrs["__dtype__"] = str({"float16": 2, "bfloat16": 12}[target])
            new[id(n)] = Node(None, n.name, attrs) if lp_only else n
            dtypes[(id(new[id(n)]), 0)] = dt
            continue
        ins = [(new[id(src)], i) for src, i in n.inputs]
        name = n.op.name
        n_aux = len(n.aux_positions())
        main, aux = ins[: len(ins) - n_aux], ins[len(ins) - n_aux :]
        is_cond = any(
            name == op and str(n.params[p] if p in n.attrs else "") in vals for op, p, vals in cond
        )
        if n.name in excluded:
            pass
        elif name in lp_ops:
            main = [cast(e, target) for e in main]
        elif name in f32_ops or is_cond:
            main = [cast(e, "float32") for e in main]
        elif name in WIDEST_TYPE_OPS and len(main) > 1:
            widest = "bfloat16"
            for node, i in main:
                widest = _wider(widest, dtypes.get((id(node), i), "float32"))
            main = [cast(e, widest) for e in main]
        node = Node(n.op, n.name, n.attrs, main + aux)
        new[id(n)] = node
        out_dt = "float32"
        if main:
            out_dt = dtypes.get((id(main[0][0]), main[0][1]), "float32")
        if name in ("Cast", "amp_cast"):
            out_dt = n.attrs.get("dtype", out_dt)
        for k in range(node.num_outputs):
            dtypes[(id(node), k)] = out_dt
    return Symbol([(new[id(node)], i) for node, i in sym._outputs])


def convert_hybrid_block(
    block: Any,
    target_dtype: str = "float16",
    target_dtype_ops: list | None = None,
    fp32_ops: list | None = None,
    conditional_fp32_ops: list | None = None,
    excluded_sym_names: list | None = None,
    ctx: Any = None,
    cast_optional_params: bool = False,
) -> Any:
    """A mixed-precision inference ``SymbolBlock`` of a float32 HybridBlock (MXNet's AMP).

    The block's operator graph gets MXNet AMP's casts (:func:`convert_symbol`)
    and the new block receives copies of the parameters (in the target dtype
    where ``cast_optional_params`` allows). As in MXNet, the block must have
    been hybridized and run once.

    Examples:
        >>> import mxjax as mx
        >>> net = mx.gluon.nn.HybridSequential()
        >>> net.add(mx.gluon.nn.Dense(4, in_units=3), mx.gluon.nn.Activation("relu"))
        >>> net.initialize()
        >>> net.hybridize()
        >>> _ = net(mx.nd.ones((2, 3)))
        >>> lp = mx.amp.convert_hybrid_block(net, "float16")
        >>> lp(mx.nd.ones((2, 3))).dtype.__name__
        'float16'
    """
    from mxjax._src.gluon.block import HybridBlock
    from mxjax._src.gluon.parameter import _ctx_list
    from mxjax._src.symbol.block import SymbolBlock
    from mxjax._src.symbol.export import trace_block

    if not isinstance(block, HybridBlock):
        raise TypeError(
            f"amp.convert_hybrid_block: block must be a HybridBlock; received {type(block).__name__}"
        )
    if not block._active or any(p._data is None for p in block.collect_params().values()):
        raise RuntimeError(
            "Please first call block.hybridize() and then run forward with this block at "
            "least once before calling convert_hybrid_block."
        )
    target = _check_target(target_dtype, "convert_hybrid_block")
    sym = trace_block(block)
    names = [n for n in sym.list_inputs() if n == "data" or n.startswith("data")]
    params = {p.name: p for p in block.collect_params().values()}
    names = [n for n in names if n not in params]
    converted = convert_symbol(
        sym,
        target,
        target_dtype_ops,
        fp32_ops,
        conditional_fp32_ops,
        excluded_sym_names,
        data_names=names,
        cast_optional_params=cast_optional_params,
    )
    net = SymbolBlock(converted, [var(n) for n in names])
    for name, p in net.collect_params().items():
        src = params[name]
        value = src.data().jax
        p.shape = value.shape
        p._set_all(value.astype(p.dtype), _ctx_list(ctx) if ctx is not None else src.list_ctx())
    return net
