"""The facade's dispatcher: the one place that decides how a facade operation runs.

Two entries, one rule. Built-in Gluon layers (``CoreBlock``), hybridized
``HybridBlock``s and Gluon losses hand a :class:`~mxjax._src.kernel.Kernel`
to :func:`call`; ``nd`` operators, NDArray methods and ``autograd.apply``
hand a plain function to :func:`apply` (which compiles it into a kernel once
it repeats). Every ``backward()`` comes to :func:`backward`.

The rule (:func:`how`), decided once per call:

* ``COMPILED`` -- inside a hybridized trace (the inputs are tracers): the pure
  function joins the program being traced;
* ``EAGER`` -- not recording: run now (the kernel's ``jax.jit`` form);
* ``DEFERRED`` -- recording, and the call is a kernel or has an input from a
  deferred step graph: append it to that graph. **Deferral is the recorded
  path**: forward, ``backward()`` and ``Trainer.step()`` then run as one
  compiled program (``mxjax._src.deferred``);
* ``TAPE`` -- recording, and the call cannot be deferred (a fresh closure, an
  input computed on the tape, a graph too large, a ``retain_graph`` or
  ``create_graph`` backward ...): record it on the tape (``mxjax._src.autograd``).
  The tape is deferral's fallback and gives the same numbers.

``backward()`` on heads of a deferred graph is deferred too (it runs fused
with the next ``Trainer.step``); any other ``backward()`` runs on the tape.
New kinds of facade operations (higher-order autograd, new ``nd``
namespaces) plug in here: give them a kernel and call :func:`call`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from mxjax._src.autograd import apply_on_tape, backward_on_tape, record_node
from mxjax._src.deferred import (
    LazyNDArray,
    defer,
    defer_apply,
    run_replicas,
    try_backward,
    try_step,
)
from mxjax._src.nd import ndarray as _ndarray
from mxjax._src.nd._mode import _state
from mxjax._src.nd.host import host_apply
from mxjax._src.nd.ndarray import NDArray

__all__ = [
    "COMPILED",
    "DEFERRED",
    "EAGER",
    "TAPE",
    "apply",
    "backward",
    "call",
    "fused_step",
    "how",
    "run_contexts",
]

EAGER, TAPE, DEFERRED, COMPILED = "eager", "tape", "deferred", "compiled"
_Tracer = jax.core.Tracer


def how(inputs, kernel: bool) -> str:
    """How a facade call with these ``inputs`` runs: ``EAGER``, ``TAPE``, ``DEFERRED`` or ``COMPILED``.

    ``kernel``: the call comes with a compiled kernel (a block or a loss),
    which may start a deferred graph; a plain ``nd`` operator only joins one.
    ``DEFERRED`` is what is tried first; the graph may still refuse the call,
    which then goes on the ``TAPE``.

    Examples:
        >>> from mxjax import autograd, nd
        >>> from mxjax._src import dispatch
        >>> x = nd.ones((2,))
        >>> dispatch.how([x], kernel=True)
        'eager'
        >>> with autograd.record():
        ...     dispatch.how([x], kernel=True), dispatch.how([x], kernel=False)
        ('deferred', 'tape')
    """
    for a in inputs:
        if isinstance(a, NDArray):
            if type(a) is not LazyNDArray and isinstance(a._data, _Tracer):
                return COMPILED
        elif isinstance(a, _Tracer):
            return COMPILED
    if not _state.recording:
        return EAGER
    if kernel:
        return DEFERRED
    for a in inputs:
        if type(a) is LazyNDArray:
            return DEFERRED
    return TAPE


def _val(a):
    return a._data if isinstance(a, NDArray) else a


def _wrap(out):
    if isinstance(out, (tuple, list)):
        return tuple(NDArray(o) for o in out)
    return NDArray(out)


def call(kernel, d_inputs, c_inputs, aux_targets=()):
    """Runs ``kernel`` on NDArray inputs the way :func:`how` decides; returns NDArray output(s).

    ``kernel.f(dargs, cargs) -> (out, aux)`` (see :class:`~mxjax._src.kernel.Kernel`).
    ``d_inputs`` are differentiated, ``c_inputs`` are not. The ``aux`` values
    are written into ``aux_targets`` (NDArrays updated in place, or callables
    receiving the value), deferred with the call when it is deferred.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import autograd, nd
        >>> from mxjax._src.dispatch import call
        >>> from mxjax._src.kernel import Kernel
        >>> k = Kernel(lambda d, c: (jnp.sum(d[0] * c[0]), ()))
        >>> x = nd.array([1.0, 2.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = call(k, [x], [3.0])
        >>> y.backward(); x.grad.asnumpy()
        array([3., 3.], dtype=float32)
    """
    mode = how(d_inputs, True)
    if mode == DEFERRED:
        res = defer(kernel, d_inputs, c_inputs, aux_targets, getattr(kernel, "tape_fn", None))
        if res is not None:  # runs later, fused with backward and the update
            return res
    dvals = tuple(_val(a) for a in d_inputs)
    cvals = tuple(_val(a) for a in c_inputs)
    if mode == COMPILED:
        out, aux = kernel.f(dvals, cvals)
        res = _wrap(out)
    elif mode == EAGER:
        out, aux = kernel.run(dvals, cvals)
        res = _wrap(out)
    else:
        out, aux, bwd = kernel.forward(dvals, cvals)
        tape_fn = getattr(kernel, "tape_fn", None)  # lets create_graph=True differentiate it again
        fn = None if tape_fn is None else tape_fn(cvals)
        res = record_node(out, d_inputs, lambda ct: tuple(bwd(ct)), fn, dvals)
    for target, new in zip(aux_targets, aux):
        if callable(target):
            target(new)
        elif target._data is not new:
            target._data = new
            target._entry = None
    return res


def apply(fn: Callable[..., Any], *inputs: Any) -> Any:
    """Calls ``fn`` on the arrays inside ``inputs``: at once, deferred, or recorded.

    ``fn`` is a pure function of ``jax.Array`` values returning one array or a
    tuple of arrays. NDArray inputs are unwrapped; other inputs are passed
    through as constants. While recording, if any input is an attached
    variable or was computed while recording, the call is recorded so that
    :func:`backward` can differentiate through it.

    Args:
        fn: the pure function.
        *inputs: NDArrays and constants, passed positionally to ``fn``.

    Returns:
        An NDArray, or a tuple of NDArrays when ``fn`` returns a tuple.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import autograd, nd
        >>> x = nd.array([0.0, 1.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = autograd.apply(lambda a, s: jnp.sum(a * s), x, 3.0)
        >>> y.backward(); x.grad.asnumpy()
        array([3., 3.], dtype=float32)
    """
    if _state.recording:
        if how(inputs, False) == DEFERRED:
            out = defer_apply(fn, inputs)
            if out is not None:
                return out
    else:  # eager: small CPU elementwise operations run on the host, without compiling
        out = host_apply(fn, inputs)
        if out is not None:
            return out
    return apply_on_tape(fn, *inputs)


def backward(heads, head_grads=None, retain_graph: bool = False, train_mode: bool = True) -> None:
    """Computes gradients of ``heads`` and writes them into attached variables' ``.grad``.

    Args:
        heads: an NDArray or a list of NDArrays computed while recording.
        head_grads: cotangents of the heads (ones if None), NDArray(s) or None.
        retain_graph: keep the graph so it can be differentiated again.
        train_mode: accepted for MXNet compatibility (the forward pass is not re-run).

    Raises:
        AutogradError: a head was not computed while recording, or its graph
            was freed by an earlier backward without ``retain_graph=True``.

    Examples:
        >>> from mxjax import autograd, nd
        >>> x = nd.array([3.0]); x.attach_grad(grad_req="add")
        >>> for _ in range(2):
        ...     with autograd.record():
        ...         y = x * x
        ...     autograd.backward([y])
        >>> float(x.grad.asscalar())
        12.0
    """
    del train_mode
    if not retain_graph and try_backward(heads, head_grads):
        return
    backward_on_tape(heads, head_grads, retain_graph)


def join_collective(collective, i, d_inputs, c_inputs, aux_targets, device):
    """Member ``i`` of a collective call (SyncBatchNorm across contexts): always deferred.

    A collective needs every member's inputs before it can run, so it has no
    eager or tape form of its own: it joins the step's graph (its members'
    inputs may come from the tape), and the graph runs it once all have
    joined. Returns the member's lazy output, or None when deferral is off.

    Examples:
        >>> from mxjax._src.dispatch import join_collective
        >>> join_collective.__name__
        'join_collective'
    """
    return collective.join(i, d_inputs, c_inputs, aux_targets, device)


def fused_step(arrays, run, states, hp, mask):
    """An optimizer update joined to a deferred backward: one program, or None to run it alone.

    ``arrays`` are the parameters' NDArrays; when all their gradients are
    pending on one deferred graph (and their values unchanged since the
    forward pass), forward, backward and ``run(weights, grads, states, hp,
    mask) -> (new_weights, new_states)`` run as one compiled program and
    ``(new_weights, new_states)`` is returned.

    Examples:
        >>> from mxjax import nd
        >>> from mxjax._src.dispatch import fused_step
        >>> fused_step([nd.ones((1,))], None, None, None, None) is None  # nothing pending
        True
    """
    return try_step(arrays, run, states, hp, mask)


def run_contexts(arrays) -> int:
    """Runs the deferred graphs of several contexts (one per device) as one program.

    ``arrays`` are the per-context gradients of one multi-context step; the
    graphs they are pending on, when they have one structure and input shapes
    and live on distinct devices, run together as a single program over those
    devices instead of one program per device (each device computes exactly
    its own context's values). Returns how many graphs ran.

    Examples:
        >>> from mxjax import nd
        >>> from mxjax._src.dispatch import run_contexts
        >>> run_contexts([nd.ones((1,)), nd.ones((1,))])  # nothing pending
        0
    """
    return run_replicas(arrays)


_ndarray.set_dispatch(apply, backward)
