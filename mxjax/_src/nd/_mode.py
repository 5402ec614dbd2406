"""Autograd's recording and training flags and their scopes (thread-local, as in MXNet)."""

from __future__ import annotations

import threading

__all__ = [
    "is_recording",
    "is_training",
    "pause",
    "predict_mode",
    "record",
    "set_recording",
    "set_training",
    "train_mode",
]


class _State(threading.local):
    def __init__(self):
        self.recording = False
        self.training = False


_state = _State()


class _Scope:
    __slots__ = ("_rec", "_train", "_prev")

    def __init__(self, is_record, train_mode):
        self._rec = is_record
        self._train = train_mode
        self._prev = None

    def __enter__(self):
        self._prev = (_state.recording, _state.training)
        if self._rec is not None:
            _state.recording = self._rec
        if self._train is not None:
            _state.training = self._train
        return self

    def __exit__(self, *exc):
        _state.recording, _state.training = self._prev


def record(train_mode: bool = True) -> _Scope:
    """Scope in which operations are recorded for :func:`backward`.

    Args:
        train_mode: whether layers behave as in training (Dropout active,
            BatchNorm on batch statistics) inside the scope.

    Examples:
        >>> from mxjax import autograd, nd
        >>> x = nd.array([1.0, 2.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        <BLANKLINE>
        [2. 4.]
        <NDArray 2 @cpu(0)>
    """
    return _Scope(True, train_mode)


def pause(train_mode: bool = False) -> _Scope:
    """Scope that stops recording (inside :func:`record`), with the given training mode.

    Examples:
        >>> from mxjax import autograd
        >>> with autograd.record():
        ...     with autograd.pause():
        ...         autograd.is_recording()
        False
    """
    return _Scope(False, train_mode)


def train_mode() -> _Scope:
    """Scope with ``is_training() == True`` (recording unchanged).

    Examples:
        >>> from mxjax import autograd
        >>> with autograd.train_mode():
        ...     autograd.is_training()
        True
    """
    return _Scope(None, True)


def predict_mode() -> _Scope:
    """Scope with ``is_training() == False`` (recording unchanged).

    Examples:
        >>> from mxjax import autograd
        >>> with autograd.record(), autograd.predict_mode():
        ...     autograd.is_training()
        False
    """
    return _Scope(None, False)


def is_recording() -> bool:
    """Whether operations are being recorded.

    Examples:
        >>> from mxjax import autograd
        >>> autograd.is_recording()
        False
    """
    return _state.recording


def is_training() -> bool:
    """Whether layers should behave as in training.

    Examples:
        >>> from mxjax import autograd
        >>> autograd.is_training()
        False
    """
    return _state.training


def set_recording(is_recording: bool) -> bool:  # noqa: A002
    """Sets the recording flag; returns the previous value.

    Examples:
        >>> from mxjax import autograd
        >>> prev = autograd.set_recording(True); autograd.set_recording(prev)
        True
    """
    prev = _state.recording
    _state.recording = bool(is_recording)
    return prev


def set_training(train_mode: bool) -> bool:
    """Sets the training flag; returns the previous value.

    Examples:
        >>> from mxjax import autograd
        >>> prev = autograd.set_training(True); autograd.set_training(prev)
        True
    """
    prev = _state.training
    _state.training = bool(train_mode)
    return prev
