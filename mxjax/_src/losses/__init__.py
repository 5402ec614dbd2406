"""Pure loss functions with MXNet Gluon 1.9.1 semantics, and Gluon-named loss objects.

Every function returns one value per sample (the mean over all non-batch
axes, as Gluon does), multiplied by ``sample_weight`` (broadcast) and by the
scalar ``weight``. Exceptions, as in Gluon: :func:`kl_div` and
:func:`triplet_loss` sum over non-batch axes, :func:`poisson_nll_loss`
returns the scalar mean over everything and :func:`cosine_embedding_loss`
returns shape ``(batch, 1)``.
"""

from __future__ import annotations

from mxjax._src.losses.classification import (
    hinge_loss as hinge_loss,
    kl_div as kl_div,
    logistic_loss as logistic_loss,
    sigmoid_binary_cross_entropy as sigmoid_binary_cross_entropy,
    softmax_cross_entropy as softmax_cross_entropy,
    squared_hinge_loss as squared_hinge_loss,
)
from mxjax._src.losses.embedding import (
    cosine_embedding_loss as cosine_embedding_loss,
    sdml_loss as sdml_loss,
    triplet_loss as triplet_loss,
)
from mxjax._src.losses.objects import (
    CosineEmbeddingLoss as CosineEmbeddingLoss,
    CTCLoss as CTCLoss,
    HingeLoss as HingeLoss,
    HuberLoss as HuberLoss,
    KLDivLoss as KLDivLoss,
    L1Loss as L1Loss,
    L2Loss as L2Loss,
    LogisticLoss as LogisticLoss,
    PoissonNLLLoss as PoissonNLLLoss,
    SDMLLoss as SDMLLoss,
    SigmoidBCELoss as SigmoidBCELoss,
    SigmoidBinaryCrossEntropyLoss as SigmoidBinaryCrossEntropyLoss,
    SoftmaxCELoss as SoftmaxCELoss,
    SoftmaxCrossEntropyLoss as SoftmaxCrossEntropyLoss,
    SquaredHingeLoss as SquaredHingeLoss,
    TripletLoss as TripletLoss,
    get as get,
)
from mxjax._src.losses.regression import (
    huber_loss as huber_loss,
    l1_loss as l1_loss,
    l2_loss as l2_loss,
    poisson_nll_loss as poisson_nll_loss,
)
from mxjax._src.losses.sequence import (
    ctc_loss as ctc_loss,
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
    "PoissonNLLLoss",
    "SigmoidBCELoss",
    "SigmoidBinaryCrossEntropyLoss",
    "SoftmaxCELoss",
    "SoftmaxCrossEntropyLoss",
    "SquaredHingeLoss",
    "SDMLLoss",
    "TripletLoss",
    "cosine_embedding_loss",
    "sdml_loss",
    "ctc_loss",
    "get",
    "hinge_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "l2_loss",
    "logistic_loss",
    "poisson_nll_loss",
    "sigmoid_binary_cross_entropy",
    "softmax_cross_entropy",
    "squared_hinge_loss",
    "triplet_loss",
]
