"""MXNet 1.9.1's evaluation metrics (``mx.metric``), accumulated on the host in float64.

``update(labels, preds)`` takes lists of arrays or single arrays: NumPy
arrays, ``jax.Array`` s or anything with ``.asnumpy()`` (the facade's NDArray).
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as _numpy

__all__ = [
    "MAE",
    "MCC",
    "MSE",
    "PCC",
    "RMSE",
    "F1",
    "Accuracy",
    "Caffe",
    "CompositeEvalMetric",
    "CrossEntropy",
    "CustomMetric",
    "EvalMetric",
    "Loss",
    "NegativeLogLikelihood",
    "PearsonCorrelation",
    "Perplexity",
    "TopKAccuracy",
    "Torch",
    "alias",
    "check_label_shapes",
    "create",
    "np",
    "register",
]

_REGISTRY: dict[str, type] = {}


def _asnumpy(x: Any) -> _numpy.ndarray:
    """Host copy of a NumPy/jax array or of any object with ``.asnumpy()``."""
    if hasattr(x, "asnumpy"):
        return _numpy.asarray(x.asnumpy())
    return _numpy.asarray(x)


def _is_single(x: Any) -> bool:
    return not isinstance(x, (list, tuple))


def check_label_shapes(labels, preds, wrap=False, shape=False):
    """Checks that labels and predictions agree in length (or shape), MXNet style.

    Args:
        labels: a list of arrays or one array.
        preds: a list of arrays or one array.
        wrap: wrap single arrays into one-element lists.
        shape: compare shapes instead of lengths.

    Returns:
        ``(labels, preds)``, wrapped if requested.

    Raises:
        ValueError: naming both lengths (or shapes).

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> metric.check_label_shapes(numpy.zeros(3), numpy.ones(3), wrap=True)[0][0].shape
        (3,)
    """
    if not shape:
        label_shape, pred_shape = len(labels), len(preds)
    else:
        label_shape, pred_shape = tuple(labels.shape), tuple(preds.shape)
    if label_shape != pred_shape:
        raise ValueError(
            f"Shape of labels {label_shape} does not match shape of predictions {pred_shape}"
        )
    if wrap:
        if _is_single(labels):
            labels = [labels]
        if _is_single(preds):
            preds = [preds]
    return labels, preds


def _wrap(labels, preds, owner):
    if _is_single(labels):
        labels = [labels]
    if _is_single(preds):
        preds = [preds]
    if len(labels) != len(preds):
        raise ValueError(
            f"{owner}.update: got {len(labels)} label array(s) but {len(preds)} prediction "
            "array(s); they must pair up"
        )
    return labels, preds


def register(klass: type) -> type:
    """Registers a metric class under its lower-cased name (for :func:`create`).

    Examples:
        >>> from mxjax import metric
        >>> @metric.register
        ... class Zero(metric.EvalMetric):
        ...     def __init__(self):
        ...         super().__init__("zero")
        ...     def update(self, labels, preds):
        ...         self.num_inst += 1
        >>> metric.create("zero").get()
        ('zero', nan)
    """
    _REGISTRY[klass.__name__.lower()] = klass
    return klass


def alias(*aliases: str) -> Callable[[type], type]:
    """Class decorator: registers extra names for a metric class.

    Examples:
        >>> from mxjax import metric
        >>> type(metric.create("acc")).__name__
        'Accuracy'
    """

    def reg(klass):
        for name in aliases:
            _REGISTRY[name.lower()] = klass
        return klass

    return reg


def create(metric, *args, **kwargs):
    """Creates a metric from a name, a list, a callable, a dict or an instance.

    Registered names (case-insensitive): the lower-cased class names plus
    MXNet's aliases ``'acc'``, ``'top_k_accuracy'``/``'top_k_acc'``, ``'ce'``,
    ``'nll_loss'``, ``'pearsonr'``, ``'composite'``. A callable
    ``feval(label, pred)`` becomes a :class:`CustomMetric`; a list becomes a
    :class:`CompositeEvalMetric`.

    Raises:
        ValueError: for an unknown name, listing the registered ones.
        TypeError: for an unsupported type.

    Examples:
        >>> from mxjax import metric
        >>> m = metric.create(["acc", "ce"])
        >>> type(m).__name__, [type(c).__name__ for c in m.metrics]
        ('CompositeEvalMetric', ['Accuracy', 'CrossEntropy'])
    """
    if isinstance(metric, EvalMetric):
        if args or kwargs:
            raise ValueError(
                f"metric.create: {type(metric).__name__} is already an instance; extra "
                f"arguments {args} {kwargs} are invalid"
            )
        return metric
    if callable(metric) and not isinstance(metric, type):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    if isinstance(metric, dict):
        return create(**metric)
    if not isinstance(metric, str):
        raise TypeError(
            "metric.create: expected a metric name, list, callable or EvalMetric, "
            f"got {type(metric).__name__} {metric!r}"
        )
    if metric.startswith("["):
        name, kw = json.loads(metric)
        return create(name, **kw)
    if metric.startswith("{"):
        return create(**json.loads(metric))
    klass = _REGISTRY.get(metric.lower())
    if klass is None:
        raise ValueError(
            f"metric.create: unknown metric {metric!r}; registered names are {sorted(_REGISTRY)}"
        )
    return klass(*args, **kwargs)


class EvalMetric:
    """Base class of evaluation metrics (MXNet's ``mx.metric.EvalMetric``).

    Subclasses implement ``update(labels, preds)`` and accumulate
    ``sum_metric`` and ``num_inst``; :meth:`get` returns
    ``(name, sum_metric / num_inst)`` (NaN before any update). ``*_global``
    variants survive :meth:`reset_local`.

    Args:
        name: the metric's name.
        output_names: prediction names used by :meth:`update_dict`.
        label_names: label names used by :meth:`update_dict`.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.Accuracy()
        >>> m.update([numpy.array([0, 1])], [numpy.array([[0.9, 0.1], [0.8, 0.2]])])
        >>> m.get(), m.num_inst, m.sum_metric
        (('accuracy', 0.5), 2, 1.0)
    """

    def __init__(self, name, output_names=None, label_names=None, **kwargs):
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self):
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self):
        """The metric's configuration as a dict (``create(**config)`` rebuilds it)."""
        config = self._kwargs.copy()
        config.update(
            {
                "metric": self.__class__.__name__,
                "name": self.name,
                "output_names": self.output_names,
                "label_names": self.label_names,
            }
        )
        return config

    def update_dict(self, label, pred):
        """Updates from dicts of named labels and predictions."""
        if self.output_names is not None:
            pred = [pred[name] for name in self.output_names]
        else:
            pred = list(pred.values())
        if self.label_names is not None:
            label = [label[name] for name in self.label_names]
        else:
            label = list(label.values())
        self.update(label, pred)

    def update(self, labels, preds):
        """Accumulates the metric over a batch of labels and predictions."""
        raise TypeError(f"{type(self).__name__} does not define update(labels, preds)")

    def reset(self):
        """Clears local and global statistics."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self):
        """Clears the local statistics only."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def _add(self, value, num):
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += num
        self.global_num_inst += num

    def get(self):
        """Returns ``(name, value)``; the value is NaN before any update."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, float(self.sum_metric) / self.num_inst)

    def get_global(self):
        """Like :meth:`get` over everything since the last :meth:`reset`."""
        if self._has_global_stats:
            if self.global_num_inst == 0:
                return (self.name, float("nan"))
            return (self.name, float(self.global_sum_metric) / self.global_num_inst)
        return self.get()

    def get_name_value(self):
        """Returns ``[(name, value), ...]``."""
        name, value = self.get()
        if not isinstance(name, list):
            name = [name]
        if not isinstance(value, list):
            value = [value]
        return list(zip(name, value))

    def get_global_name_value(self):
        """Returns ``[(name, global value), ...]``."""
        name, value = self.get_global()
        if not isinstance(name, list):
            name = [name]
        if not isinstance(value, list):
            value = [value]
        return list(zip(name, value))


@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; :meth:`get` returns lists of names and values.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.CompositeEvalMetric(["acc", "mse"])
        >>> m.update([numpy.array([1.0])], [numpy.array([1.0])])
        >>> m.get()
        (['accuracy', 'mse'], [1.0, 0.0])
    """

    def __init__(self, metrics=None, name="composite", output_names=None, label_names=None):
        super().__init__(
            name, output_names=output_names, label_names=label_names, has_global_stats=True
        )
        self.metrics = [create(i) for i in (metrics or [])]

    def add(self, metric):
        """Adds a child metric (anything :func:`create` accepts)."""
        self.metrics.append(create(metric))

    def get_metric(self, index):
        """Returns the child metric at ``index``.

        Raises:
            ValueError: if ``index`` is out of range.
        """
        try:
            return self.metrics[index]
        except IndexError:
            raise ValueError(
                f"CompositeEvalMetric.get_metric: index {index} is out of range "
                f"[0, {len(self.metrics)})"
            ) from None

    def update_dict(self, labels, preds):
        if self.label_names is not None:
            labels = OrderedDict([i for i in labels.items() if i[0] in self.label_names])
        if self.output_names is not None:
            preds = OrderedDict([i for i in preds.items() if i[0] in self.output_names])
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels, preds):
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self):
        for metric in getattr(self, "metrics", []):
            metric.reset()

    def reset_local(self):
        for metric in self.metrics:
            metric.reset_local()

    def _collect(self, method):
        names, values = [], []
        for metric in self.metrics:
            name, value = getattr(metric, method)()
            names.extend(name if isinstance(name, list) else [name])
            values.extend(value if isinstance(value, list) else [value])
        return (names, values)

    def get(self):
        return self._collect("get")

    def get_global(self):
        return self._collect("get_global")

    def get_config(self):
        config = super().get_config()
        config.update({"metrics": [i.get_config() for i in self.metrics]})
        return config


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Classification accuracy; predictions are class scores (argmax over ``axis``) or labels.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> acc = metric.Accuracy()
        >>> acc.update([numpy.array([0, 1, 1])], [numpy.array([[0.3, 0.7], [0, 1.0], [0.4, 0.6]])])
        >>> acc.get()
        ('accuracy', 0.6666666666666666)
    """

    def __init__(self, axis=1, name="accuracy", output_names=None, label_names=None):
        super().__init__(
            name,
            axis=axis,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
        )
        self.axis = axis

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _asnumpy(label), _asnumpy(pred)
            if pred.shape != label.shape:
                pred = _numpy.argmax(pred, axis=self.axis)
            pred = pred.astype("int32").ravel()
            label = label.astype("int32").ravel()
            if len(pred) != len(label):
                raise ValueError(
                    f"Accuracy.update: {len(label)} labels but {len(pred)} predicted labels "
                    f"(prediction shape {pred.shape}, axis={self.axis})"
                )
            self._add(float((pred == label).sum()), len(pred))


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
            num_classes = pred.shape[1]
            top_k = min(num_classes, self.top_k)
            order = _numpy.argpartition(pred.astype("float32"), -top_k)
            correct = 0
            for j in range(top_k):
                correct += (order[:, num_classes - 1 - j].ravel() == label.ravel()).sum()
            self._add(float(correct), num_samples)


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
    """MAE/MSE/RMSE: one value per update array, averaged over arrays."""

    def __init__(self, name, output_names=None, label_names=None):
        super().__init__(
            name, output_names=output_names, label_names=label_names, has_global_stats=True
        )

    def _value(self, diff):
        raise TypeError(f"{type(self).__name__} does not define _value")

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label = _asnumpy(label).astype(_numpy.float64)
            pred = _asnumpy(pred).astype(_numpy.float64)
            if label.ndim == 1:
                label = label.reshape(label.shape[0], 1)
            if pred.ndim == 1:
                pred = pred.reshape(pred.shape[0], 1)
            try:
                diff = label - pred
            except ValueError:
                raise ValueError(
                    f"{type(self).__name__}.update: label shape {label.shape} and prediction "
                    f"shape {pred.shape} do not broadcast"
                ) from None
            self._add(float(self._value(diff)), 1)


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

    def _value(self, diff):
        return _numpy.abs(diff).mean()


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

    def _value(self, diff):
        return (diff**2.0).mean()


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

    def _value(self, diff):
        return _numpy.sqrt((diff**2.0).mean())


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
            prob = pred[_numpy.arange(n), idx]
            self._add(float((-_numpy.log(prob + self.eps)).sum()), n)


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


@register
class Loss(EvalMetric):
    """Mean of loss values passed as predictions (labels are ignored).

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.Loss()
        >>> m.update(None, [numpy.array([1.0, 2.0, 3.0])])
        >>> m.get()
        ('loss', 2.0)
    """

    def __init__(self, name="loss", output_names=None, label_names=None):
        super().__init__(
            name, output_names=output_names, label_names=label_names, has_global_stats=True
        )

    def update(self, _, preds):
        if _is_single(preds):
            preds = [preds]
        for pred in preds:
            pred = _asnumpy(pred).astype(_numpy.float64)
            self._add(float(pred.sum()), pred.size)


@register
class Torch(Loss):
    """Alias of :class:`Loss` named ``'torch'`` (MXNet compatibility).

    Examples:
        >>> from mxjax import metric
        >>> metric.Torch().name
        'torch'
    """

    def __init__(self, name="torch", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)


@register
class Caffe(Loss):
    """Alias of :class:`Loss` named ``'caffe'`` (MXNet compatibility).

    Examples:
        >>> from mxjax import metric
        >>> metric.Caffe().name
        'caffe'
    """

    def __init__(self, name="caffe", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)


@register
class CustomMetric(EvalMetric):
    """A metric from ``feval(label, pred)`` on NumPy arrays.

    ``feval`` returns a value (counted as one instance) or a
    ``(sum_metric, num_inst)`` tuple.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> m = metric.CustomMetric(lambda l, p: (float((l == p).sum()), l.size), name="eq")
        >>> m.update([numpy.array([1, 2])], [numpy.array([1, 3])])
        >>> m.get()
        ('eq', 0.5)
    """

    def __init__(
        self, feval, name=None, allow_extra_outputs=False, output_names=None, label_names=None
    ):
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        super().__init__(
            name,
            feval=feval,
            allow_extra_outputs=allow_extra_outputs,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
        )
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds):
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, True)
        elif _is_single(labels) or _is_single(preds):
            labels, preds = _wrap(labels, preds, "CustomMetric")
        for pred, label in zip(preds, labels):
            reval = self._feval(_asnumpy(label), _asnumpy(pred))
            if isinstance(reval, tuple):
                sum_metric, num_inst = reval
                self._add(sum_metric, num_inst)
            else:
                self._add(reval, 1)

    def get_config(self):
        raise TypeError(f"CustomMetric {self.name!r} cannot be serialized (it wraps a function)")


def np(numpy_feval, name=None, allow_extra_outputs=False):
    """Creates a :class:`CustomMetric` from a NumPy function ``feval(label, pred)``.

    Examples:
        >>> import numpy
        >>> from mxjax import metric
        >>> @metric.np
        ... def mean_abs(label, pred):
        ...     return numpy.abs(label - pred).mean()
        >>> mean_abs.update([numpy.array([1.0])], [numpy.array([3.0])])
        >>> mean_abs.get()
        ('mean_abs', 2.0)
    """

    def feval(label, pred):
        return numpy_feval(label, pred)

    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
