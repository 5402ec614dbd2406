"""Tape-based autograd over ``jax.vjp`` (MXNet's ``mx.autograd``).

Each recorded operation becomes a :class:`_Node` holding the ``vjp`` function
from :func:`jax.vjp` and, for each input, where its value came from: another
node's output ``(node, index)``, an attached variable ``(None, ndarray)``, or
``None`` for a constant. Output NDArrays point at ``(node, index)``. The tape
is therefore owned by the arrays: dropping them frees it. ``backward`` sorts
the nodes reachable from the heads, pulls cotangents through them in reverse
order and writes ``.grad`` of the attached variables by their ``grad_req``.

This module is the tape only. Whether a recorded call goes onto the tape or
into a deferred step program is decided by ``mxjax._src.dispatch``, which
also provides the public ``autograd.apply`` and ``autograd.backward``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.errors import AutogradError
from mxjax._src.nd._compile import compiled as _compiled
from mxjax._src.nd._mode import (
    _Scope,
    _state,
    is_recording as is_recording,
    is_training as is_training,
    pause as pause,
    predict_mode as predict_mode,
    record as record,
    set_recording as set_recording,
    set_training as set_training,
    train_mode as train_mode,
)
from mxjax._src.nd.ndarray import NDArray

__all__ = [
    "AutogradError",
    "Function",
    "apply_on_tape",
    "backward_on_tape",
    "grad",
    "is_recording",
    "is_training",
    "mark_variables",
    "pause",
    "predict_mode",
    "record",
    "record_node",
    "set_recording",
    "set_training",
    "train_mode",
]

_Tracer = jax.core.Tracer

_NOT_IN_GRAPH = (
    "Cannot differentiate node because it is not in a computational graph. You need to set "
    "is_recording to true or use autograd.record() to save computational graphs for backward. "
    "If you want to differentiate the same graph twice, you need to pass retain_graph=True to "
    "backward."
)
_FREED = (
    "the computational graph of this array was already freed by a previous backward(); "
    "pass retain_graph=True to the first backward() to differentiate the same graph twice"
)


class _Node:
    __slots__ = ("vjp", "parents", "avals", "multi", "fn", "primals")

    def __init__(self, vjp, parents, avals, multi, fn=None, primals=None):
        self.vjp = vjp
        self.parents = parents
        self.avals = avals
        self.multi = multi
        self.fn = fn
        self.primals = primals


# ----------------------------------------------------------------------------- recording
def _wrap_outputs(out, node):
    nd = NDArray
    if isinstance(out, (tuple, list)):
        res = []
        for i, o in enumerate(out):
            a = nd(o)
            if node is not None:
                a._entry = (node, i)
            res.append(a)
        return tuple(res)
    a = nd(out)
    if node is not None:
        a._entry = (node, 0)
    return a


def _avals(out, multi):
    outs = out if multi else (out,)
    return tuple((o.shape, o.dtype) for o in outs)


def apply_on_tape(fn: Callable[..., Any], *inputs: Any) -> Any:
    """Calls ``fn`` on the arrays inside ``inputs`` and records one tape node.

    An input whose graph was freed by a ``backward()`` is a constant of the
    new node, as in MXNet (its own history is gone).

    The tape half of :func:`mxjax.autograd.apply` (the dispatcher calls this
    when a call is not deferred). ``fn`` is a pure function of ``jax.Array``
    values returning one array or a tuple of arrays. NDArray inputs are
    unwrapped; other inputs are passed through as constants. While recording,
    if any input is an attached variable or was computed on the tape, the call
    is recorded with :func:`jax.vjp` so that :func:`backward_on_tape` can
    differentiate through it.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import autograd, nd
        >>> from mxjax._src.autograd import apply_on_tape
        >>> x = nd.array([0.0, 1.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = apply_on_tape(lambda a, s: jnp.sum(a * s), x, 3.0)
        >>> y.backward(); x.grad.asnumpy()
        array([3., 3.], dtype=float32)
    """
    nd = NDArray
    rec = _state.recording
    vals = []
    idx = []
    parents = []
    for i, a in enumerate(inputs):
        if isinstance(a, nd):
            vals.append(a._data)
            if rec and not isinstance(a._data, _Tracer):  # inside jit/vmap: no tape
                e = a._entry
                if e is not None and e[0].parents is not None:
                    idx.append(i)
                    parents.append(e)
                elif a._grad_req is not None:
                    idx.append(i)
                    parents.append((None, a))
        else:
            vals.append(a)
    compiled = _compiled(fn, vals, idx)
    if not idx:
        out = fn(*vals) if compiled is None else compiled.fwd(*compiled.split(vals))
        return _wrap_outputs(out, None)
    if compiled is not None:
        dyn, const = compiled.split(vals)
        out, pull = compiled.fwd_vjp(dyn, const)
        bwd = compiled.bwd
        call = compiled.call

        def vjp(ct):
            return bwd(pull, ct)

        def f(*d):
            return call(d, const)

        primals = list(dyn)
    else:
        if len(idx) == len(vals):
            f = fn
            primals = vals
        else:

            def f(*traced):
                full = list(vals)
                for j, v in zip(idx, traced):
                    full[j] = v
                return fn(*full)

            primals = [vals[j] for j in idx]
        out, vjp = jax.vjp(f, *primals)
    multi = isinstance(out, (tuple, list))
    if multi:
        out = tuple(out)
    node = _Node(vjp, parents, _avals(out, multi), multi, f, primals)
    return _wrap_outputs(out, node)


def record_node(
    outputs: Any,
    inputs: Sequence[Any],
    vjp_fn: Callable[[Any], Sequence[Any]],
    fn: Callable[..., Any] | None = None,
    primals: Sequence[Any] | None = None,
):
    """Wraps precomputed outputs into NDArrays and records a node with a given vjp.

    For hybridized blocks that compute the forward pass and its vjp in one
    compiled call. ``vjp_fn(cotangents)`` receives cotangents in the structure
    of ``outputs`` (one array or a tuple) and returns a tuple with one
    cotangent per entry of ``inputs`` (``None`` or anything for constants).

    Args:
        outputs: a ``jax.Array`` or a tuple of them.
        inputs: the NDArrays (or constants) the outputs depend on.
        vjp_fn: the backward function.
        fn: optionally, the pure forward function of the input values
            (``fn(*primals) -> outputs``); with it the node's backward can be
            differentiated again (``autograd.grad(..., create_graph=True)``).
        primals: the values ``fn`` was called with (one per input).

    Returns:
        An NDArray, or a tuple of NDArrays.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import autograd, nd
        >>> x = nd.array([1.0, 2.0]); x.attach_grad()
        >>> with autograd.record():
        ...     out, vjp = jax.vjp(lambda a: jnp.sum(a ** 2), x.jax)
        ...     y = autograd.record_node(out, [x], vjp)
        >>> y.backward(); x.grad.asnumpy()
        array([2., 4.], dtype=float32)
    """
    multi = isinstance(outputs, (tuple, list))
    if multi:
        outputs = tuple(outputs)
    if not _state.recording:
        return _wrap_outputs(outputs, None)
    nd = NDArray
    parents = []
    any_traced = False
    for a in inputs:
        p = None
        if isinstance(a, nd):
            if a._entry is not None and a._entry[0].parents is not None:
                p = a._entry
            elif a._grad_req is not None:
                p = (None, a)
        any_traced = any_traced or p is not None
        parents.append(p)
    if not any_traced:
        return _wrap_outputs(outputs, None)

    def vjp(ct):
        return tuple(vjp_fn(ct))

    node = _Node(vjp, parents, _avals(outputs, multi), multi, fn, None)
    if fn is not None:
        node.primals = list(primals)
    return _wrap_outputs(outputs, node)


# ----------------------------------------------------------------------------- backward
def _zeros(aval):
    shape, dtype = aval
    if jnp.issubdtype(dtype, jnp.inexact):
        return jnp.zeros(shape, dtype)
    return np.zeros(shape, dtype=jax.dtypes.float0)


def postorder(roots, inputs) -> list:
    """Nodes reachable from ``roots``, each after the nodes ``inputs(node)`` yields (iterative DFS).

    Shared by the tape's backward and the deferred graphs' replay.

    Examples:
        >>> from mxjax._src.autograd import postorder
        >>> deps = {"c": ["a", "b"], "b": ["a"], "a": []}
        >>> postorder(["c"], deps.__getitem__)
        ['a', 'b', 'c']
    """
    order = []
    visited = set()
    stack = [(n, False) for n in reversed(list(roots))]
    while stack:
        n, done = stack.pop()
        if done:
            order.append(n)
            continue
        if id(n) in visited:
            continue
        visited.add(id(n))
        stack.append((n, True))
        for p in inputs(n):
            if id(p) not in visited:
                stack.append((p, False))
    return order


def _parents(n):
    if n.parents is None:
        raise AutogradError(_FREED)
    return [p[0] for p in n.parents if p is not None and p[0] is not None]


def _topo(heads_nodes):
    return postorder(heads_nodes, _parents)


def _is_float0(ct):
    return ct is None or getattr(ct, "dtype", None) == jax.dtypes.float0


def _as_list(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


_ONES: dict = {}


def _ones_like_head(h):
    """Cached ones of the head's shape/dtype/device (immutable, so sharing is safe)."""
    devices = getattr(h._data, "devices", None)
    key = (h.shape, str(h.dtype), frozenset(devices()) if callable(devices) else None)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 256:
            _ONES.clear()
        ones = jnp.ones(h.shape, h.dtype)
        if key[2] is not None and len(key[2]) == 1:
            ones = jax.device_put(ones, next(iter(key[2])))
        _ONES[key] = ones
    return ones


def _head_grad(h, g):
    if g is None:
        return _ones_like_head(h)
    g = g._data if isinstance(g, NDArray) else jnp.asarray(g, h.dtype)
    if g.shape != h.shape:
        raise ValueError(
            f"autograd.backward: head_grads must match the heads' shapes, expected "
            f"{h.shape}, got {g.shape}"
        )
    return g


def _run(heads, head_grads, retain_graph, create_graph=False, capture=None):
    if create_graph:  # the backward pass is itself recorded (MXNet records it too)
        with _Scope(True, None):
            return _run_impl(heads, head_grads, retain_graph, True, capture)
    return _run_impl(heads, head_grads, retain_graph, False, capture)


def _run_impl(heads, head_grads, retain_graph, create_graph, capture):
    heads = _as_list(heads)
    head_grads = _as_list(head_grads)
    if head_grads is not None and len(head_grads) != len(heads):
        raise ValueError(
            f"autograd.backward: got {len(heads)} heads but {len(head_grads)} head_grads"
        )
    cts: dict[int, list] = {}
    leaves: dict[int, list] = {}
    roots = []
    for i, h in enumerate(heads):
        if not isinstance(h, NDArray):
            raise TypeError(f"autograd.backward: heads must be NDArrays, got {type(h).__name__}")
        e = h._entry
        if e is None:
            raise AutogradError(_NOT_IN_GRAPH)
        g = _head_grad(h, None if head_grads is None else head_grads[i])
        node, k = e
        if node.vjp is None:
            raise AutogradError(_FREED)
        slot = cts.setdefault(id(node), [None] * len(node.avals))
        slot[k] = g if slot[k] is None else slot[k] + g
        roots.append(node)
    order = _topo(roots)
    for node in reversed(order):
        slot = cts.pop(id(node), None)
        if slot is None:
            continue
        if node.vjp is None:
            raise AutogradError(_FREED)
        if capture is not None:
            for k, c in enumerate(slot):
                capture.setdefault((id(node), k), c)
        full = [_zeros(a) if c is None else c for c, a in zip(slot, node.avals)]
        if create_graph:
            in_cts = _differentiable_vjp(node, full)
        else:
            in_cts = node.vjp(tuple(full) if node.multi else full[0])
        parents = node.parents
        if not retain_graph:
            node.vjp = None
            node.parents = None
            node.fn = node.primals = None
        for p, c in zip(parents, in_cts):
            if p is None or _is_float0(c):
                continue
            pn, k = p
            if pn is None:
                rec = leaves.get(id(k))
                if rec is None:
                    leaves[id(k)] = [k, c]
                else:
                    rec[1] = rec[1] + c
            else:
                s = cts.setdefault(id(pn), [None] * len(pn.avals))
                s[k] = c if s[k] is None else s[k] + c
    return leaves


def _differentiable_vjp(node, full_cts):
    """Runs a node's backward as a recorded op (for ``create_graph=True``)."""
    if node.fn is None:
        raise AutogradError(
            "autograd.grad(create_graph=True): this graph contains a node recorded with "
            "record_node without its forward function (an autograd.Function or a custom "
            "vjp), whose backward cannot be differentiated again"
        )
    nd = NDArray
    fn, multi, n = node.fn, node.multi, len(node.primals)
    primals = []
    for p, v in zip(node.parents, node.primals):
        a = nd(v)
        if p is not None:
            if p[0] is None:
                a = p[1]
            else:
                a._entry = p
        primals.append(a)
    cts = [c if isinstance(c, nd) else nd(c) for c in full_cts]

    def back(*args):
        _, vjp = jax.vjp(fn, *args[:n])
        c = args[n:]
        res = vjp(tuple(c) if multi else c[0])
        return tuple(res)

    with _Scope(True, None):
        outs = apply_on_tape(back, *primals, *cts)
    return outs


def _write_grads(leaves):
    for leaf, ct in leaves.values():
        req = leaf._grad_req
        if req is None or req == "null":
            continue
        if isinstance(ct, NDArray):
            ct = ct._data
        if ct.dtype != leaf._data.dtype:
            ct = ct.astype(leaf._data.dtype)
        g = leaf._grad
        if req == "add":
            g._data = g._data + ct
        else:
            g._data = ct
        g._entry = None
        leaf._fresh = True


def backward_on_tape(heads, head_grads=None, retain_graph: bool = False) -> None:
    """Backpropagates through the tape and writes attached variables' ``.grad``.

    The tape half of :func:`mxjax.autograd.backward`.

    Raises:
        AutogradError: a head was not computed while recording, or its graph
            was freed by an earlier backward without ``retain_graph=True``.

    Examples:
        >>> from mxjax import autograd, nd
        >>> from mxjax._src.autograd import backward_on_tape
        >>> x = nd.array([3.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = x * x
        >>> backward_on_tape([y]); x.grad.asnumpy()
        array([6.], dtype=float32)
    """
    _write_grads(_run(heads, head_grads, retain_graph))


def grad(
    heads,
    variables,
    head_grads=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    train_mode: bool = True,
):
    """Returns gradients of ``heads`` with respect to ``variables`` (``.grad`` untouched).

    Args:
        heads: NDArray(s) computed while recording.
        variables: NDArray(s): attached variables or intermediate results.
        head_grads: cotangents of the heads (ones if None).
        retain_graph: keep the graph; defaults to ``create_graph``.
        create_graph: record the backward pass itself so the returned
            gradients can be differentiated again (higher-order gradients).
        train_mode: accepted for MXNet compatibility.

    Returns:
        A list of NDArrays, one per variable (zeros where a variable is
        unused); a list also when ``variables`` is a single NDArray, as in
        MXNet (``grad(y, x)[0]``).

    Examples:
        >>> from mxjax import autograd, nd
        >>> x = nd.array([2.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = x * x * x
        ...     (dx,) = autograd.grad(y, [x], create_graph=True)
        >>> dx.backward(); x.grad.asnumpy()
        array([12.], dtype=float32)
        >>> with autograd.record():
        ...     y = x * x
        >>> [g.asnumpy() for g in autograd.grad(y, x)]  # one variable: a one-element list
        [array([4.], dtype=float32)]
    """
    del train_mode
    variables = _as_list(variables)
    if retain_graph is None:
        retain_graph = create_graph
    capture: dict = {}
    leaves = _run(heads, head_grads, retain_graph, create_graph, capture)
    out = []
    for v in variables:
        if not isinstance(v, NDArray):
            raise TypeError(f"autograd.grad: variables must be NDArrays, got {type(v).__name__}")
        if v._entry is not None:
            c = capture.get((id(v._entry[0]), v._entry[1]))
        else:
            rec = leaves.get(id(v))
            c = None if rec is None else rec[1]
        if c is None:
            out.append(NDArray(jnp.zeros(v.shape, v.dtype)))
        else:
            out.append(c if isinstance(c, NDArray) else NDArray(c))
    return out


def mark_variables(variables, gradients, grad_reqs="write") -> None:
    """Marks NDArrays as variables whose gradients go into the given buffers.

    Args:
        variables: NDArray(s) to differentiate with respect to.
        gradients: NDArray(s) that receive the gradients (same shapes).
        grad_reqs: ``'write'``, ``'add'`` or ``'null'``, or one per variable.

    Examples:
        >>> from mxjax import autograd, nd
        >>> x, g = nd.array([1.0]), nd.zeros((1,))
        >>> autograd.mark_variables([x], [g])
        >>> with autograd.record():
        ...     y = 5 * x
        >>> y.backward(); g.asnumpy()
        array([5.], dtype=float32)
    """
    variables = _as_list(variables)
    gradients = _as_list(gradients)
    if len(variables) != len(gradients):
        raise ValueError(
            f"autograd.mark_variables: got {len(variables)} variables but "
            f"{len(gradients)} gradients"
        )
    reqs = [grad_reqs] * len(variables) if isinstance(grad_reqs, str) else list(grad_reqs)
    for v, g, r in zip(variables, gradients, reqs):
        if r not in ("write", "add", "null"):
            raise ValueError(
                f"autograd.mark_variables: grad_req must be 'write', 'add' or 'null', got {r!r}"
            )
        v._entry = None
        v._grad = g
        v._grad_req = r


class Function:
    """A user-defined differentiable operation (MXNet's ``autograd.Function``).

    Subclass it and implement ``forward(*inputs)`` and ``backward(*output_grads)``
    on NDArrays; ``save_for_backward`` keeps values for the backward pass.

    Examples:
        >>> from mxjax import autograd, nd
        >>> class Sigmoid(autograd.Function):
        ...     def forward(self, x):
        ...         y = 1 / (1 + nd.exp(-x))
        ...         self.save_for_backward(y)
        ...         return y
        ...     def backward(self, dy):
        ...         (y,) = self.saved_tensors
        ...         return dy * y * (1 - y)
        >>> x = nd.array([0.0]); x.attach_grad()
        >>> with autograd.record():
        ...     z = Sigmoid()(x)
        >>> z.backward(); x.grad.asnumpy()
        array([0.25], dtype=float32)
    """

    def __init__(self):
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *args) -> None:
        """Stores values for :meth:`backward` in ``self.saved_tensors``."""
        self.saved_tensors = args

    def forward(self, *inputs):
        """Computes the outputs from NDArray inputs (override)."""
        raise TypeError(f"{type(self).__name__} must override forward(*inputs)")

    def backward(self, *output_grads):
        """Returns one input gradient per input, given one gradient per output (override)."""
        raise TypeError(f"{type(self).__name__} must override backward(*output_grads)")

    def __call__(self, *inputs):
        with _Scope(False, None):
            outs = self.forward(*inputs)
        multi = isinstance(outs, (tuple, list))
        outs_t = tuple(outs) if multi else (outs,)

        def vjp_fn(ct):
            cts = ct if multi else (ct,)
            with _Scope(False, None):
                grads = self.backward(*(NDArray(c) for c in cts))
            grads = grads if isinstance(grads, (tuple, list)) else (grads,)
            if len(grads) != len(inputs):
                raise ValueError(
                    f"{type(self).__name__}.backward returned {len(grads)} gradients for "
                    f"{len(inputs)} inputs"
                )
            return tuple(g._data if isinstance(g, NDArray) else g for g in grads)

        datas = tuple(o._data for o in outs_t)
        return record_node(datas if multi else datas[0], inputs, vjp_fn)
