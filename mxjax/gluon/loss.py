"""``gluon.loss``: Gluon's losses as HybridBlocks returning per-sample NDArrays.

Examples:
    >>> import mxjax as mx
    >>> from mxjax.gluon import loss
    >>> l = loss.SoftmaxCrossEntropyLoss()(mx.nd.zeros((1, 2)), mx.nd.array([1]))
    >>> round(float(l.asscalar()), 4)
    0.6931
"""

from mxjax._src.gluon.loss import (
    CosineEmbeddingLoss as CosineEmbeddingLoss,
    CTCLoss as CTCLoss,
    HingeLoss as HingeLoss,
    HuberLoss as HuberLoss,
    KLDivLoss as KLDivLoss,
    L1Loss as L1Loss,
    L2Loss as L2Loss,
    LogisticLoss as LogisticLoss,
    Loss as Loss,
    PoissonNLLLoss as PoissonNLLLoss,
    SDMLLoss as SDMLLoss,
    SigmoidBCELoss as SigmoidBCELoss,
    SigmoidBinaryCrossEntropyLoss as SigmoidBinaryCrossEntropyLoss,
    SoftmaxCELoss as SoftmaxCELoss,
    SoftmaxCrossEntropyLoss as SoftmaxCrossEntropyLoss,
    SquaredHingeLoss as SquaredHingeLoss,
    TripletLoss as TripletLoss,
)

__all__ = [
    "CTCLoss",
    "CosineEmbeddingLoss",
    "HingeLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "L2Loss",
    "LogisticLoss",
    "Loss",
    "PoissonNLLLoss",
    "SigmoidBCELoss",
    "SigmoidBinaryCrossEntropyLoss",
    "SoftmaxCELoss",
    "SoftmaxCrossEntropyLoss",
    "SquaredHingeLoss",
    "SDMLLoss",
    "TripletLoss",
]
