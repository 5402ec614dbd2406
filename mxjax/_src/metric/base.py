"""The metric base: ``EvalMetric``, ``CompositeEvalMetric``, the name registry and ``create``."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as _numpy

__all__ = [
    "CompositeEvalMetric",
    "EvalMetric",
    "alias",
    "check_label_shapes",
    "create",
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
        return _REGISTRY["custommetric"](metric, *args, **kwargs)
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
