"""MXNet-compatible evaluation metrics (``mx.metric``).

Examples:
    >>> import numpy
    >>> from mxjax import metric
    >>> acc = metric.create("acc")
    >>> acc.update([numpy.array([1, 0])], [numpy.array([[0.2, 0.8], [0.6, 0.4]])])
    >>> acc.get()
    ('accuracy', 1.0)
"""

from mxjax._src.metric import (
    F1 as F1,
    MAE as MAE,
    MCC as MCC,
    MSE as MSE,
    PCC as PCC,
    RMSE as RMSE,
    Accuracy as Accuracy,
    Caffe as Caffe,
    CompositeEvalMetric as CompositeEvalMetric,
    CrossEntropy as CrossEntropy,
    CustomMetric as CustomMetric,
    EvalMetric as EvalMetric,
    Loss as Loss,
    NegativeLogLikelihood as NegativeLogLikelihood,
    PearsonCorrelation as PearsonCorrelation,
    Perplexity as Perplexity,
    TopKAccuracy as TopKAccuracy,
    Torch as Torch,
    alias as alias,
    check_label_shapes as check_label_shapes,
    create as create,
    np as np,
    register as register,
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
