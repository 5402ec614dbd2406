"""Metrics over given values: ``Loss`` (and its aliases) and ``CustomMetric`` / ``np``."""

from __future__ import annotations

import numpy as _numpy

from mxjax._src.metric.base import (
    EvalMetric,
    _asnumpy,
    _is_single,
    _wrap,
    check_label_shapes,
    register,
)

__all__ = ["Caffe", "CustomMetric", "Loss", "Torch", "np"]


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
