"""MXNet's older ``mx.contrib.autograd`` API, on the facade's autograd.

``train_section()``/``test_section()`` set recording and training together
(MXNet 0.x semantics); ``grad_and_loss(func)`` turns a function of NDArrays
into one returning ``(gradients, outputs)``.
"""

from __future__ import annotations

import functools

from mxjax._src.autograd import mark_variables
from mxjax._src.dispatch import backward as _backward
from mxjax._src.nd._mode import _state
from mxjax._src.nd.ndarray import NDArray

__all__ = [
    "TrainingStateScope",
    "backward",
    "compute_gradient",
    "grad",
    "grad_and_loss",
    "mark_variables",
    "set_is_training",
    "test_section",
    "train_section",
]


def set_is_training(is_train: bool) -> bool:
    """Sets recording and training on or off together; returns the previous training state.

    Examples:
        >>> from mxjax import autograd
        >>> from mxjax.contrib import autograd as cag
        >>> prev = cag.set_is_training(True)
        >>> autograd.is_recording(), autograd.is_training()
        (True, True)
        >>> _ = cag.set_is_training(prev)
    """
    prev = bool(_state.training)
    _state.training = bool(is_train)
    _state.recording = bool(is_train)
    return prev


class TrainingStateScope:
    """A scope with recording and training set to ``enter_state``.

    Examples:
        >>> from mxjax import autograd
        >>> from mxjax.contrib.autograd import TrainingStateScope
        >>> with TrainingStateScope(True):
        ...     autograd.is_recording()
        True
    """

    def __init__(self, enter_state: bool):
        self._enter_state = bool(enter_state)
        self._prev = None

    def __enter__(self):
        self._prev = (_state.recording, _state.training)
        set_is_training(self._enter_state)
        return self

    def __exit__(self, *exc):
        _state.recording, _state.training = self._prev


def train_section() -> TrainingStateScope:
    """A scope that records and trains (``with train_section(): ...``).

    Examples:
        >>> from mxjax import autograd
        >>> from mxjax.contrib import autograd as cag
        >>> with cag.train_section():
        ...     autograd.is_training()
        True
    """
    return TrainingStateScope(True)


def test_section() -> TrainingStateScope:
    """A scope that neither records nor trains.

    Examples:
        >>> from mxjax import autograd
        >>> from mxjax.contrib import autograd as cag
        >>> with cag.train_section():
        ...     with cag.test_section():
        ...         autograd.is_recording()
        False
    """
    return TrainingStateScope(False)


test_section.__test__ = False  # not a pytest test


def backward(outputs, out_grads=None, retain_graph: bool = False) -> None:
    """Computes gradients of ``outputs`` into the marked variables' gradient buffers.

    Examples:
        >>> from mxjax import nd
        >>> from mxjax.contrib import autograd as cag
        >>> x, g = nd.array([2.0]), nd.zeros((1,))
        >>> cag.mark_variables([x], [g])
        >>> with cag.train_section():
        ...     y = x * x
        >>> cag.backward([y]); g.asnumpy()
        array([4.], dtype=float32)
    """
    if isinstance(outputs, NDArray):
        outputs = [outputs]
    _backward(outputs, out_grads, retain_graph)


def compute_gradient(outputs) -> None:
    """``backward(outputs)`` (MXNet's deprecated name).

    Examples:
        >>> from mxjax import nd
        >>> from mxjax.contrib import autograd as cag
        >>> x, g = nd.array([3.0]), nd.zeros((1,))
        >>> cag.mark_variables([x], [g])
        >>> with cag.train_section():
        ...     y = 2 * x
        >>> cag.compute_gradient([y]); g.asnumpy()
        array([2.], dtype=float32)
    """
    backward(outputs)


def grad_and_loss(func, argnum=None):
    """Wraps ``func`` so that it returns ``(gradients, outputs)``.

    ``argnum`` (an int or a list of ints) selects the arguments to
    differentiate (all by default).

    Examples:
        >>> from mxjax import nd
        >>> from mxjax.contrib import autograd as cag
        >>> grads, loss = cag.grad_and_loss(lambda a, b: a * b)(nd.array([2.0]), nd.array([5.0]))
        >>> [g.asnumpy() for g in grads], loss.asnumpy()
        ([array([5.], dtype=float32), array([2.], dtype=float32)], array([10.], dtype=float32))
    """

    @functools.wraps(func)
    def wrapped(*args):
        variables = args
        if argnum is not None:
            nums = argnum if isinstance(argnum, list) else [argnum]
            variables = [args[i] for i in nums]
        for x in variables:
            if not isinstance(x, NDArray):
                raise TypeError(
                    f"contrib.autograd.grad_and_loss: arguments to differentiate must be "
                    f"NDArrays, got {type(x).__name__}"
                )
        grads = [NDArray(x._data * 0) for x in variables]
        mark_variables(list(variables), grads)
        with train_section():
            outputs = func(*args)
        backward([outputs] if isinstance(outputs, NDArray) else outputs)
        return grads, outputs

    return wrapped


def grad(func, argnum=None):
    """Wraps ``func`` so that it returns the gradients of its arguments.

    Examples:
        >>> from mxjax import nd
        >>> from mxjax.contrib import autograd as cag
        >>> [g.asnumpy() for g in cag.grad(lambda a: a * a * a)(nd.array([2.0]))]
        [array([12.], dtype=float32)]
    """
    gl = grad_and_loss(func, argnum)

    @functools.wraps(gl)
    def wrapped(*args):
        return gl(*args)[0]

    return wrapped
