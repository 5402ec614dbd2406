"""The facade's dispatcher: the one place that decides how a facade operation runs.

Every ``nd`` operator, NDArray method and ``autograd.apply`` call comes here
(:func:`apply`), as does every ``backward()`` (:func:`backward`). The rule:

* not recording: run now (a repeated call runs a compiled kernel);
* recording, an input comes from a deferred step graph: append the call to
  that graph (deferral is the recorded path);
* recording otherwise, or when the call cannot be deferred: record it on the
  tape (the tape is deferral's fallback).

``backward()`` on heads of a deferred graph is deferred too (it runs fused
with the next ``Trainer.step``); any other ``backward()`` runs on the tape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mxjax._src.autograd import apply_on_tape, backward_on_tape
from mxjax._src.deferred import LazyNDArray, defer_apply, try_backward
from mxjax._src.nd import ndarray as _ndarray
from mxjax._src.nd._mode import _state

__all__ = ["apply", "backward"]


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
        for a in inputs:
            if type(a) is LazyNDArray:  # an input from a deferred graph: defer this call too
                out = defer_apply(fn, inputs)
                if out is not None:
                    return out
                break
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


_ndarray.set_dispatch(apply, backward)
