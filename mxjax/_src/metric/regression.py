"""Regression and likelihood metrics: MAE, MSE, RMSE, Pearson, cross-entropy, NLL, perplexity.

``MAE``/``MSE``/``RMSE`` and ``CrossEntropy`` are host-side views of the
jittable functions in :mod:`mxjax._src.metric.functions` (run with NumPy, in
float64), so ``mx.metric`` and ``fit``/``evaluate`` give the same number.
"""

from __future__ import annotations

import math

import numpy as _numpy

from mxjax._src.metric import functions as F
from mxjax._src.metric.base import (
    EvalMetric,
    _asnumpy,
    _wrap,
    alias,
    check_label_shapes,
    register,
)

__all__ = [
    "MAE",
    "MSE",
    "RMSE",
    "CrossEntropy",
    "NegativeLogLikelihood",
    "PearsonCorrelation",
    "Perplexity",
]


@register
class Perplexity(EvalMetric):
    """Perplexity ``exp(-mean log p[label])``; labels equal to ``ignore_label`` are skipped.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> p = metric.Perplexity(ignore_label=None)
        >>> p.update([numpy.array([0, 1])], [numpy.array([[0.5, 0.5], [0.5, 0.5]])])
        >>> round(p.get()[1], 6)
        2.0
    """

    def __init__(
        self, ignore_label, axis=-1, name="perplexity", output_names=None, label_names=None
    ):
        super().__init__(
            name,
            ignore_label=ignore_label,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
        )
        self.ignore_label = ignore_label
        self.axis = axis

    def update(self, labels, preds):
        labels, preds = _wrap(labels, preds, "Perplexity")
        loss, num = 0.0, 0
        for label, pred in zip(labels, preds):
            label, pred = _asnumpy(label), _asnumpy(pred).astype(_numpy.float64)
            pred = _numpy.moveaxis(pred, self.axis, -1)
            if label.size * pred.shape[-1] != pred.size:
                raise ValueError(
                    f"Perplexity.update: label shape {label.shape} does not match prediction "
                    f"shape {pred.shape} without its class axis {self.axis}"
                )
            label = label.reshape(-1)
            idx = _numpy.clip(label.astype("int64"), 0, pred.shape[-1] - 1)
            prob = _numpy.take_along_axis(pred.reshape(-1, pred.shape[-1]), idx[:, None], 1)[:, 0]
            if self.ignore_label is not None:
                ignore = label == self.ignore_label
                num -= int(ignore.sum())
                prob = _numpy.where(ignore, 1.0, prob)
            loss -= float(_numpy.sum(_numpy.log(_numpy.maximum(1e-10, prob))))
            num += prob.size
        self._add(loss, num)

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.sum_metric / self.num_inst))

    def get_global(self):
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.global_sum_metric / self.global_num_inst))


class _Regression(EvalMetric):
    """MAE/MSE/RMSE: one value per update array, averaged over arrays (MXNet's rule).

    Host-side views of :mod:`mxjax._src.metric.functions`: the value of an
    array is the mean of the per-sample errors ``fit`` accumulates.
    """

    def __init__(self, name, output_names=None, label_names=None):
        super().__init__(
            name, output_names=output_names, label_names=label_names, has_global_stats=True
        )

    def _value(self, per_sample):
        raise TypeError(f"{type(self).__name__} does not define _value")

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label = _asnumpy(label).astype(_numpy.float64)
            pred = _asnumpy(pred).astype(_numpy.float64)
            try:
                value = self._value(pred, label)
            except ValueError:
                raise ValueError(
                    f"{type(self).__name__}.update: label shape {label.shape} and prediction "
                    f"shape {pred.shape} do not broadcast"
                ) from None
            self._add(float(value), 1)


@register
class MAE(_Regression):
    """Mean absolute error, averaged per update array.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.MAE()
        >>> m.update([numpy.array([3.0, -0.5])], [numpy.array([2.5, 0.0])])
        >>> m.get()
        ('mae', 0.5)
    """

    def __init__(self, name="mae", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    def _value(self, pred, label):
        return F.absolute_error(pred, label, xp=_numpy).mean()


@register
class MSE(_Regression):
    """Mean squared error, averaged per update array.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.MSE()
        >>> m.update([numpy.array([3.0, -0.5])], [numpy.array([2.5, 0.0])])
        >>> m.get()
        ('mse', 0.25)
    """

    def __init__(self, name="mse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    def _value(self, pred, label):
        return F.squared_error(pred, label, xp=_numpy).mean()


@register
class RMSE(_Regression):
    """Root mean squared error, averaged per update array.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.RMSE()
        >>> m.update([numpy.array([3.0, -0.5])], [numpy.array([2.5, 0.0])])
        >>> m.get()
        ('rmse', 0.5)
    """

    def __init__(self, name="rmse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    def _value(self, pred, label):
        return _numpy.sqrt(F.squared_error(pred, label, xp=_numpy).mean())


class _PickedLogLoss(EvalMetric):
    """``-log(pred[i, label[i]] + eps)`` summed over samples."""

    def __init__(self, eps, name, output_names=None, label_names=None):
        super().__init__(
            name,
            eps=eps,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
        )
        self.eps = eps

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label = _asnumpy(label).ravel()
            pred = _asnumpy(pred).astype(_numpy.float64)
            n = pred.shape[0]
            if label.shape[0] != n:
                raise ValueError(
                    f"{type(self).__name__}.update: {label.shape[0]} labels but {n} "
                    f"predictions (shape {pred.shape})"
                )
            idx = label.astype(_numpy.int64)
            if ((idx < 0) | (idx >= pred.shape[1])).any():
                raise ValueError(
                    f"{type(self).__name__}.update: labels must lie in [0, {pred.shape[1]}), "
                    f"got {idx[(idx < 0) | (idx >= pred.shape[1])][0]}"
                )
            self._add(float(F.cross_entropy(pred, idx, self.eps, xp=_numpy).sum()), n)


@register
@alias("ce")
class CrossEntropy(_PickedLogLoss):
    """Cross-entropy of predicted probabilities ``(N, C)`` and integer labels ``(N,)``.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> ce = metric.CrossEntropy()
        >>> ce.update([numpy.array([0, 1])], [numpy.array([[0.5, 0.5], [0.5, 0.5]])])
        >>> round(ce.get()[1], 6)
        0.693147
    """

    def __init__(self, eps=1e-12, name="cross-entropy", output_names=None, label_names=None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("nll_loss")
class NegativeLogLikelihood(_PickedLogLoss):
    """Negative log-likelihood of predicted probabilities (same maths as :class:`CrossEntropy`).

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.create("nll_loss")
        >>> m.update([numpy.array([1])], [numpy.array([[0.5, 0.5]])])
        >>> round(m.get()[1], 6)
        0.693147
    """

    def __init__(self, eps=1e-12, name="nll-loss", output_names=None, label_names=None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation of labels and predictions.

    ``'macro'`` averages the coefficient of each update array; ``'micro'``
    computes one coefficient over everything seen (streaming moments).

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.PearsonCorrelation()
        >>> m.update([numpy.array([1.0, 2.0, 3.0])], [numpy.array([2.0, 4.0, 6.5])])
        >>> round(m.get()[1], 4)
        0.9979
    """

    def __init__(self, name="pearsonr", output_names=None, label_names=None, average="macro"):
        if average not in ("macro", "micro"):
            raise ValueError(
                f"PearsonCorrelation: average must be 'macro' or 'micro', got {average!r}"
            )
        self.average = average
        super().__init__(
            name, output_names=output_names, label_names=label_names, has_global_stats=True
        )

    def _reset_micro(self):
        self._sse_p = self._mean_p = self._sse_l = self._mean_l = self._conv = 0.0
        self._pred_nums = self._label_nums = 0

    def reset(self):
        super().reset()
        self._reset_micro()

    @staticmethod
    def _update_variance(new_values, count, mean, m_2):
        count += len(new_values)
        delta = new_values - mean
        mean += _numpy.sum(delta / count)
        m_2 += _numpy.sum(delta * (new_values - mean))
        return count, mean, m_2

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _asnumpy(label), _asnumpy(pred)
            check_label_shapes(label, pred, False, True)
            label = label.ravel().astype(_numpy.float64)
            pred = pred.ravel().astype(_numpy.float64)
            if self.average == "macro":
                self._add(float(_numpy.corrcoef(pred, label)[0, 1]), 1)
            else:
                self.num_inst += 1
                self.global_num_inst += 1
                self._label_nums, self._mean_l, self._sse_l = self._update_variance(
                    label, self._label_nums, self._mean_l, self._sse_l
                )
                self._conv += _numpy.sum((label - self._mean_l) * (pred - self._mean_p))
                self._pred_nums, self._mean_p, self._sse_p = self._update_variance(
                    pred, self._pred_nums, self._mean_p, self._sse_p
                )

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.sum_metric / self.num_inst)
        n = self._label_nums
        denom = (n - 1) * math.sqrt(self._sse_p / (n - 1)) * math.sqrt(self._sse_l / (n - 1))
        return (self.name, float(self._conv / denom))

    def get_global(self):
        return self.get() if self.average == "micro" else super().get_global()
