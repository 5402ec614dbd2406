"""MXNet-compatible evaluation metrics (``mx.metric``).

Examples:
    >>> import numpy
    >>> from mxjax import metric
    >>> acc = metric.create("acc")
    >>> acc.update([numpy.array([1, 0])], [numpy.array([[0.2, 0.8], [0.6, 0.4]])])
    >>> acc.get()
    ('accuracy', 1.0)
"""

from mxjax._src.metric.base import (
    CompositeEvalMetric as CompositeEvalMetric,
    EvalMetric as EvalMetric,
    alias as alias,
    check_label_shapes as check_label_shapes,
    create as create,
    register as register,
)
from mxjax._src.metric.classification import (
    F1 as F1,
    MCC as MCC,
    PCC as PCC,
    Accuracy as Accuracy,
    TopKAccuracy as TopKAccuracy,
)
from mxjax._src.metric.custom import (
    Caffe as Caffe,
    CustomMetric as CustomMetric,
    Loss as Loss,
    Torch as Torch,
    np as np,
)
from mxjax._src.metric.regression import (
    MAE as MAE,
    MSE as MSE,
    RMSE as RMSE,
    CrossEntropy as CrossEntropy,
    NegativeLogLikelihood as NegativeLogLikelihood,
    PearsonCorrelation as PearsonCorrelation,
    Perplexity as Perplexity,
)

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
