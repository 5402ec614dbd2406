"""``gluon.loss``: Gluon's loss classes as HybridBlocks over ``mxjax.losses``.

Each class holds the Gluon-named loss object of :mod:`mxjax.losses` (one
definition of the maths) and records its call on the autograd tape, so
``loss(pred, label)`` returns a per-sample NDArray and ``loss.backward()``
works.
"""

from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import mxjax._src.losses as _losses
from mxjax._src.compile_cache import cached
from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.block import HybridBlock

__all__ = ["Loss"]


class Loss(HybridBlock):
    """Base class of Gluon losses: wraps a loss object of :mod:`mxjax.losses`.

    Args:
        weight: global scalar weight of the loss.
        batch_axis: the batch axis.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import loss
        >>> loss.L2Loss()(mx.nd.ones((2, 3)), mx.nd.zeros((2, 3))).asnumpy().tolist()
        [0.5, 0.5]
    """

    _core_cls: Any = None

    def __init__(self, *args: Any, prefix: str | None = None, params: Any = None, **kwargs: Any):
        super().__init__(prefix=prefix, params=params)
        if self._core_cls is None:
            raise TypeError("Loss is a base class; use a concrete loss such as L2Loss")
        self._loss = self._core_cls(*args, **kwargs)
        self._sig = inspect.signature(self._loss.__call__)
        ps = list(self._sig.parameters.values())
        plain = all(p.kind is p.POSITIONAL_OR_KEYWORD for p in ps)
        # positional calls skip Signature.bind: (number required, defaults of the rest)
        self._fast = (
            (sum(p.default is p.empty for p in ps), tuple(p.default for p in ps)) if plain else None
        )
        # sparse class labels are checked on the host when concrete (see _check_labels)
        core = self._loss
        sparse = isinstance(core, _losses.SoftmaxCrossEntropyLoss) and core.sparse_label
        self._label_axis = core.axis if sparse else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._loss})"

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        fast = self._fast
        if fast is not None and not kwargs and fast[0] <= len(args) <= len(fast[1]):
            args = args + fast[1][len(args) :]
        else:
            try:
                bound = self._sig.bind(*args, **kwargs)
            except TypeError as e:
                raise TypeError(f"{type(self).__name__}: {e}; signature {self._sig}") from None
            bound.apply_defaults()
            args = bound.args
        if self._label_axis is not None and B.current_trace() is None:
            _check_labels(type(self).__name__, args[0], args[1], self._label_axis)
        mask = tuple(B.is_ndarray(a) and _floating(a.dtype) for a in args)
        return B.call(
            _kernel(self._loss, mask),
            [a for a, m in zip(args, mask) if m],
            [a for a, m in zip(args, mask) if not m],
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            return super().__call__(*self._sig.bind(*args, **kwargs).args)
        return super().__call__(*args)


def _check_labels(name: str, pred: Any, label: Any, axis: int) -> None:
    """Raises for a concrete class label outside ``[0, num_classes)``.

    The compiled loss cannot raise (it gives NaN for such a sample, the
    documented behaviour under ``jax.jit``); an eager call can, so it does,
    naming the value, the allowed range and the sample. Labels computed
    inside a deferred graph (``LazyNDArray``) or traced are not read.
    """
    if type(label).__name__ == "LazyNDArray":
        return
    value = B.to_jax(label)
    if isinstance(value, jax.core.Tracer) or not hasattr(value, "dtype"):
        return
    shape = getattr(pred, "shape", None)
    if not shape:
        return
    num_classes = shape[axis % len(shape)]
    host = np.asarray(value)
    bad = (host < 0) | (host >= num_classes)
    if bad.any():
        idx = np.argwhere(bad)[0]
        where = idx[0] if len(idx) == 1 else tuple(int(i) for i in idx)
        raise ValueError(
            f"{name}: label {host[tuple(idx)].item()!r} of sample {where} is outside the "
            f"class range [0, {num_classes}) given by pred of shape {tuple(shape)} "
            f"({int(bad.sum())} out-of-range label(s) in this batch)"
        )


_FLOATING: dict = {}


def _floating(dtype: Any) -> bool:
    hit = _FLOATING.get(dtype)
    if hit is None:
        hit = _FLOATING[dtype] = bool(jnp.issubdtype(dtype, jnp.floating))
    return hit


def _kernel(loss: Any, mask: tuple) -> B.Kernel:
    """The loss as a kernel over the ``mask``-ed (differentiated) and other arguments."""

    def build():
        def f(d, c):
            di, ci = iter(d), iter(c)
            full = [next(di) if m else next(ci) for m in mask]
            return loss(*full), ()

        return B.Kernel(f)

    return cached(("loss", loss, mask), build)


def _make(name: str, core_cls: Any) -> type:
    fields = ", ".join(f for f in core_cls.__dataclass_fields__)
    call = str(inspect.signature(core_cls.__call__)).replace("self, ", "")
    doc = (
        f"Gluon ``loss.{name}({fields})``, called as ``loss{call}``; returns one value per "
        f"sample. The maths is ``mxjax.losses.{core_cls.__name__}``.\n\n"
        "    Examples:\n"
        "        >>> from mxjax.gluon import loss\n"
        f"        >>> loss.{name}.__name__\n"
        f"        '{name}'\n"
    )
    cls = type(
        name, (Loss,), {"_core_cls": core_cls, "__doc__": doc, "__module__": "mxjax.gluon.loss"}
    )
    __all__.append(name)
    return cls


L2Loss = _make("L2Loss", _losses.L2Loss)
L1Loss = _make("L1Loss", _losses.L1Loss)
SigmoidBinaryCrossEntropyLoss = _make(
    "SigmoidBinaryCrossEntropyLoss", _losses.SigmoidBinaryCrossEntropyLoss
)
SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss
SoftmaxCrossEntropyLoss = _make("SoftmaxCrossEntropyLoss", _losses.SoftmaxCrossEntropyLoss)
SoftmaxCELoss = SoftmaxCrossEntropyLoss
KLDivLoss = _make("KLDivLoss", _losses.KLDivLoss)
CTCLoss = _make("CTCLoss", _losses.CTCLoss)
HuberLoss = _make("HuberLoss", _losses.HuberLoss)
HingeLoss = _make("HingeLoss", _losses.HingeLoss)
SquaredHingeLoss = _make("SquaredHingeLoss", _losses.SquaredHingeLoss)
LogisticLoss = _make("LogisticLoss", _losses.LogisticLoss)
TripletLoss = _make("TripletLoss", _losses.TripletLoss)
SDMLLoss = _make("SDMLLoss", _losses.SDMLLoss)
PoissonNLLLoss = _make("PoissonNLLLoss", _losses.PoissonNLLLoss)
CosineEmbeddingLoss = _make("CosineEmbeddingLoss", _losses.CosineEmbeddingLoss)
__all__ += ["SigmoidBCELoss", "SoftmaxCELoss"]
