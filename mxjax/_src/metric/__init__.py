"""MXNet 1.9.1's evaluation metrics (``mx.metric``), accumulated on the host in float64.

``update(labels, preds)`` takes lists of arrays or single arrays: NumPy
arrays, ``jax.Array`` s or anything with ``.asnumpy()`` (the facade's NDArray).
The metrics ``fit`` also computes (accuracy, top-k accuracy, MSE, MAE,
cross-entropy) are host-side views of the jittable functions in
:mod:`mxjax._src.metric.functions`, so every path reports the same number.
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
