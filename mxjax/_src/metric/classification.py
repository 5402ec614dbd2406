"""Classification metrics: accuracy, top-k accuracy, F1, MCC and multiclass MCC (PCC).

``Accuracy`` and ``TopKAccuracy`` are host-side views of the jittable
functions in :mod:`mxjax._src.metric.functions` (run with NumPy, in float64),
so ``mx.metric`` and ``fit``/``evaluate`` give the same number.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as _numpy

from mxjax._src.metric import functions as F
from mxjax._src.metric.base import EvalMetric, _asnumpy, alias, check_label_shapes, register

__all__ = ["F1", "MCC", "PCC", "Accuracy", "TopKAccuracy"]


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Classification accuracy; predictions are class scores (argmax over ``axis``) or labels.

    A host-side view of :func:`mxjax._src.metric.functions.accuracy`, the
    function ``fit``'s ``'accuracy'`` runs in the compiled step. Predictions
    with one value per label are predicted labels (cast to int, MXNet's rule)
    unless ``threshold`` is given: then they are binary scores and
    ``pred > threshold`` is class 1 (0.5 for probabilities, 0 for logits).
    One-hot labels (the predictions' shape) are compared by argmax.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> acc = metric.Accuracy()
        >>> acc.update([numpy.array([0, 1, 1])], [numpy.array([[0.3, 0.7], [0, 1.0], [0.4, 0.6]])])
        >>> acc.get()
        ('accuracy', 0.6666666666666666)
    """

    def __init__(
        self, axis=1, name="accuracy", output_names=None, label_names=None, threshold=None
    ):
        kw = {} if threshold is None else {"threshold": threshold}
        super().__init__(
            name,
            axis=axis,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
            **kw,
        )
        self.axis = axis
        self.threshold = None if threshold is None else float(threshold)

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _asnumpy(label), _asnumpy(pred)
            try:
                hit = F.accuracy(pred, label, self.axis, self.threshold, xp=_numpy)
            except ValueError as e:
                raise ValueError(f"Accuracy.update: {e} (axis={self.axis})") from None
            self._add(float(hit.sum()), hit.size)


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Top-k accuracy: the label is among the ``top_k`` highest scores.

    Raises:
        ValueError: if ``top_k <= 1`` (use :class:`Accuracy`).

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.TopKAccuracy(top_k=2)
        >>> m.update([numpy.array([2, 0])], [numpy.array([[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]])])
        >>> m.get()
        ('top_k_accuracy_2', 0.5)
    """

    def __init__(self, top_k=1, name="top_k_accuracy", output_names=None, label_names=None):
        super().__init__(
            name,
            top_k=top_k,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
        )
        self.top_k = top_k
        if self.top_k <= 1:
            raise ValueError(
                f"TopKAccuracy: top_k must be > 1 (use Accuracy for top_k=1), got {top_k}"
            )
        self.name += f"_{self.top_k}"

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            pred = _asnumpy(pred)
            if pred.ndim > 2:
                raise ValueError(
                    f"TopKAccuracy.update: predictions must have at most 2 dims, got shape "
                    f"{pred.shape}"
                )
            label = _asnumpy(label).astype("int32")
            check_label_shapes(label, pred)
            num_samples = pred.shape[0]
            if pred.ndim == 1:
                pred_label = pred.astype("int32")
                self._add(float((pred_label.ravel() == label.ravel()).sum()), num_samples)
                continue
            hit = F.top_k_accuracy(pred, label, self.top_k, xp=_numpy)
            self._add(float(hit.sum()), num_samples)


class _BinaryStats:
    """Confusion counts for binary classification (local and global)."""

    def __init__(self):
        self.reset_stats()

    def update(self, owner, label, pred):
        pred = _asnumpy(pred)
        label = _asnumpy(label).astype("int32")
        pred_label = _numpy.argmax(pred, axis=1)
        check_label_shapes(label, pred)
        if len(_numpy.unique(label)) > 2:
            raise ValueError(
                f"{owner} currently only supports binary classification; got labels "
                f"{sorted(_numpy.unique(label).tolist())}"
            )
        pred_true = pred_label == 1
        label_true = label == 1
        tp = float((pred_true & label_true).sum())
        fp = float((pred_true & ~label_true).sum())
        fn = float((~pred_true & label_true).sum())
        tn = float((~pred_true & ~label_true).sum())
        for k, v in zip(("tp", "fp", "fn", "tn"), (tp, fp, fn, tn)):
            self.local[k] += v
            self.glob[k] += v

    def reset_local(self):
        self.local = dict.fromkeys(("tp", "fp", "fn", "tn"), 0.0)

    def reset_stats(self):
        self.reset_local()
        self.glob = dict.fromkeys(("tp", "fp", "fn", "tn"), 0.0)

    @staticmethod
    def total(c):
        return c["tp"] + c["fp"] + c["fn"] + c["tn"]

    @staticmethod
    def fscore(c):
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] > 0 else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] > 0 else 0.0
        if precision + recall > 0:
            return 2 * precision * recall / (precision + recall)
        return 0.0

    @staticmethod
    def mcc(c):
        if not _BinaryStats.total(c):
            return 0.0
        tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
        denom = 1.0
        for t in (tp + fp, tp + fn, tn + fp, tn + fn):
            if t != 0.0:
                denom *= t
        return (tp * tn - fp * fn) / math.sqrt(denom)


class _BinaryMetric(EvalMetric):
    """F1 and MCC: ``'macro'`` averages per-update scores, ``'micro'`` pools the counts."""

    _score: Callable[[dict], float]

    def __init__(self, name, output_names=None, label_names=None, average="macro"):
        if average not in ("macro", "micro"):
            raise ValueError(
                f"{type(self).__name__}: average must be 'macro' or 'micro', got {average!r}"
            )
        self.average = average
        self._stats = _BinaryStats()
        super().__init__(
            name, output_names=output_names, label_names=label_names, has_global_stats=True
        )

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            self._stats.update(type(self).__name__, label, pred)
        score = type(self)._score
        local, glob = self._stats.local, self._stats.glob
        if self.average == "macro":
            self.sum_metric += score(local)
            self.global_sum_metric += score(glob)
            self.num_inst += 1
            self.global_num_inst += 1
            self._stats.reset_stats()
        else:
            self.sum_metric = score(local) * _BinaryStats.total(local)
            self.global_sum_metric = score(glob) * _BinaryStats.total(glob)
            self.num_inst = _BinaryStats.total(local)
            self.global_num_inst = _BinaryStats.total(glob)

    def reset(self):
        super().reset()
        self._stats.reset_stats()

    def reset_local(self):
        super().reset_local()
        self._stats.reset_local()


@register
class F1(_BinaryMetric):
    """Binary F1 score (class 1 positive; predictions are ``(N, 2)`` scores).

    ``average='macro'`` averages the F1 of each ``update`` call (MXNet's
    semantics, not per class); ``'micro'`` pools counts over all updates.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> f1 = metric.F1()
        >>> f1.update([numpy.array([0, 1, 1])], [numpy.array([[0.3, 0.7], [0, 1.0], [0.4, 0.6]])])
        >>> f1.get()
        ('f1', 0.8)
    """

    _score = staticmethod(_BinaryStats.fscore)

    def __init__(self, name="f1", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)


@register
class MCC(_BinaryMetric):
    """Binary Matthews correlation coefficient (same averaging as :class:`F1`).

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.MCC()
        >>> m.update([numpy.array([0, 1])], [numpy.array([[0.9, 0.1], [0.2, 0.8]])])
        >>> m.get()
        ('mcc', 1.0)
    """

    _score = staticmethod(_BinaryStats.mcc)

    def __init__(self, name="mcc", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)


@register
class PCC(EvalMetric):
    """Multiclass Matthews correlation (PCC) from a growing confusion matrix.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.PCC()
        >>> m.update([numpy.array([0, 1, 2])], [numpy.eye(3)])
        >>> m.get()
        ('pcc', 1.0)
    """

    def __init__(self, name="pcc", output_names=None, label_names=None, has_global_stats=True):
        self.k = 2
        super().__init__(
            name=name,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=has_global_stats,
        )

    def _grow(self, inc):
        self.lcm = _numpy.pad(self.lcm, ((0, inc), (0, inc)), "constant")
        self.gcm = _numpy.pad(self.gcm, ((0, inc), (0, inc)), "constant")
        self.k += inc

    @staticmethod
    def _calc_mcc(cmat):
        n = cmat.sum()
        x = cmat.sum(axis=1)
        y = cmat.sum(axis=0)
        cov_xx = _numpy.sum(x * (n - x))
        cov_yy = _numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = _numpy.sum(cmat.diagonal() * n - x * y)
        return float(cov_xy / (cov_xx * cov_yy) ** 0.5)

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label = _asnumpy(label).astype("int32")
            pred = _asnumpy(pred)
            pred = pred.argmax(axis=1) if pred.shape != label.shape else pred.astype("int32")
            n = max(pred.max(), label.max())
            if n >= self.k:
                self._grow(int(n) + 1 - self.k)
            bcm = _numpy.zeros((self.k, self.k))
            _numpy.add.at(bcm, (pred.ravel(), label.ravel()), 1)
            self.lcm += bcm
            self.gcm += bcm
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self):
        return self._calc_mcc(self.lcm) * self.num_inst

    @sum_metric.setter
    def sum_metric(self, value):
        del value  # derived from the confusion matrix

    @property
    def global_sum_metric(self):
        return self._calc_mcc(self.gcm) * self.global_num_inst

    @global_sum_metric.setter
    def global_sum_metric(self, value):
        del value

    def reset(self):
        self.global_num_inst = 0
        self.gcm = _numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self):
        self.num_inst = 0
        self.lcm = _numpy.zeros((self.k, self.k))
