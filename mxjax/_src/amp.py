"""Automatic mixed precision (MXNet's ``mx.contrib.amp``): dynamic loss scaling for a Trainer.

Low precision itself is JAX's: cast a network with ``net.cast('float16')``
or ``'bfloat16'``. :func:`init` selects the target dtype;
:func:`init_trainer` gives a :class:`~mxjax.gluon.Trainer` a
:class:`LossScaler`; :func:`scale_loss` multiplies the loss by the current
scale and makes the next ``trainer.step`` divide the gradients by it. A step
whose gradients hold an inf or NaN is skipped and the scale halved; after
2000 clean steps it doubles (up to ``2**24``), exactly as MXNet 1.9.1.
"""

from __future__ import annotations

import contextlib
import logging

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["LossScaler", "init", "init_trainer", "scale_loss", "target_dtype", "unscale"]

_log = logging.getLogger("mxjax.amp")
_TARGETS = {"float16": np.dtype("float16"), "bfloat16": np.dtype(jnp.bfloat16)}


class _State:
    initialized = False
    target_dtype = None
    scaler_used = False


def _scaler_of(obj, where):
    if not (hasattr(obj, "_params") and hasattr(obj, "_scale")):
        raise TypeError(f"amp.{where}: AMP works with a gluon.Trainer; got {type(obj).__name__}")
    return getattr(obj, "_amp_loss_scaler", None)


class LossScaler:
    """MXNet's dynamic loss scaler: starts at ``2**16``, halves on overflow, doubles after 2000 clean steps.

    Examples:
        >>> from mxjax.amp import LossScaler
        >>> s = LossScaler()
        >>> s.loss_scale
        65536.0
    """

    def __init__(self):
        self._loss_scale = 2.0**16
        self._next_loss_scale = self._loss_scale
        self._max_loss_scale = 2.0**24
        self._scale_seq_len = 2000
        self._unskipped = 0

    @property
    def loss_scale(self) -> float:
        """The current loss scale."""
        return self._loss_scale

    def has_overflow(self, params) -> bool:
        """Whether any gradient of ``params`` (Parameters) holds an inf or NaN; updates the scale.

        Examples:
            >>> import mxjax as mx
            >>> from mxjax import gluon
            >>> from mxjax.amp import LossScaler
            >>> p = gluon.Parameter("w", shape=(2,)); p.initialize(init=mx.init.Zero())
            >>> p.list_grad()[0][:] = float("inf")
            >>> s = LossScaler(); s.has_overflow([p])
            True
            >>> s.has_overflow([p]), s.loss_scale  # the halved scale applies from the next check
            (True, 32768.0)
        """
        grads = []
        for p in params:
            if getattr(p, "grad_req", "write") == "null" or p._data is None:
                continue
            grads.extend(g.jax for g in p.list_grad())
        finite = bool(jax.device_get(jnp.all(jnp.stack([jnp.isfinite(g).all() for g in grads]))))
        overflow = not finite
        self._loss_scale = self._next_loss_scale
        if overflow:
            self._next_loss_scale = self._loss_scale / 2.0
            self._unskipped = 0
            _log.info("AMP: decreasing loss scale to %f", self._next_loss_scale)
        else:
            self._unskipped += 1
        if self._unskipped == self._scale_seq_len:
            self._unskipped = 0
            self._next_loss_scale = min(self._max_loss_scale, self._loss_scale * 2.0)
            _log.info("AMP: increasing loss scale to %f", self._next_loss_scale)
        return overflow


def init(
    target_dtype="float16", target_precision_ops=None, conditional_fp32_ops=None, fp32_ops=None
):
    """Initializes AMP with ``target_dtype`` ``'float16'`` or ``'bfloat16'`` (once; later calls are ignored).

    The operator lists are accepted for MXNet compatibility: which computations
    run in low precision follows the dtype of the network (``net.cast``).

    Examples:
        >>> from mxjax import amp
        >>> amp.init("bfloat16")
        >>> amp.target_dtype()
        dtype(bfloat16)
    """
    if _State.initialized:
        return
    key = str(np.dtype(target_dtype)) if not isinstance(target_dtype, str) else target_dtype
    if key not in _TARGETS:
        raise ValueError(
            f"amp.init: target_dtype must be 'float16' or 'bfloat16', got {target_dtype!r}"
        )
    _State.initialized = True
    _State.target_dtype = _TARGETS[key]
    _log.info("Using AMP")


def target_dtype():
    """The dtype given to :func:`init` (None before it).

    Examples:
        >>> from mxjax import amp
        >>> amp.target_dtype() in (None, amp.target_dtype())
        True
    """
    return _State.target_dtype


def init_trainer(optimizer_or_trainer) -> None:
    """Gives a Trainer a dynamic :class:`LossScaler`; its steps then skip updates whose gradients overflow.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax import amp, gluon
        >>> amp.init()
        >>> net = gluon.nn.Dense(1, in_units=2); net.initialize()
        >>> trainer = gluon.Trainer(net.collect_params(), "sgd")
        >>> amp.init_trainer(trainer)
        >>> trainer._amp_loss_scaler.loss_scale
        65536.0
    """
    if not _State.initialized:
        raise RuntimeError(
            "amp.init_trainer: AMP not initialized, did you forget to call amp.init()?"
        )
    _scaler_of(optimizer_or_trainer, "init_trainer")
    optimizer_or_trainer._amp_loss_scaler = LossScaler()
    optimizer_or_trainer._amp_original_scale = optimizer_or_trainer._scale


@contextlib.contextmanager
def scale_loss(loss, optimizer_or_trainer):
    """Yields ``loss`` times the loss scale; the trainer's next step divides the gradients by it.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax import amp, autograd, gluon, nd
        >>> amp.init()
        >>> net = gluon.nn.Dense(1, in_units=2); net.initialize(mx.init.One())
        >>> trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
        >>> amp.init_trainer(trainer)
        >>> with autograd.record():
        ...     loss = net(nd.ones((1, 2))).sum()
        ...     with amp.scale_loss(loss, trainer) as scaled:
        ...         autograd.backward(scaled)
        >>> trainer.step(1)
        >>> net.weight.data().asnumpy()  # 1 - 0.1 * 1: the scale cancels out
        array([[0.9, 0.9]], dtype=float32)
    """
    scaler = _scaler_of(optimizer_or_trainer, "scale_loss")
    if scaler is None:
        raise RuntimeError(
            "amp.scale_loss: loss scaler is not initialized, did you forget to call amp.init_trainer()?"
        )
    optimizer_or_trainer._scale = optimizer_or_trainer._amp_original_scale / scaler.loss_scale
    if isinstance(loss, (list, tuple)):
        yield [x * scaler.loss_scale for x in loss]
    else:
        yield scaler.loss_scale * loss


def unscale(optimizer_or_trainer) -> None:
    """Divides the gradients by the loss scale now (e.g. before clipping them) and resets the trainer's scale.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax import amp, autograd, gluon, nd
        >>> amp.init()
        >>> net = gluon.nn.Dense(1, in_units=2); net.initialize(mx.init.One())
        >>> trainer = gluon.Trainer(net.collect_params(), "sgd")
        >>> amp.init_trainer(trainer)
        >>> with autograd.record():
        ...     with amp.scale_loss(net(nd.ones((1, 2))).sum(), trainer) as scaled:
        ...         scaled.backward()
        >>> amp.unscale(trainer); net.weight.grad().asnumpy()
        array([[1., 1.]], dtype=float32)
    """
    _scaler_of(optimizer_or_trainer, "unscale")
    scale = optimizer_or_trainer._scale
    for p in optimizer_or_trainer._params:
        if p.grad_req == "null" or p._data is None:
            continue
        for g in p.list_grad():
            g[:] = g * scale
    optimizer_or_trainer._scale = 1.0
