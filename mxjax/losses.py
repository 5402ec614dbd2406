"""Pure loss functions and Gluon-named loss objects (``mx.losses``).

Examples:
    >>> import jax.numpy as jnp
    >>> from mxjax import losses
    >>> losses.get("l1")(jnp.ones((2, 3)), jnp.zeros((2, 3))).tolist()
    [1.0, 1.0]
"""

from mxjax._src.losses import (
    CosineEmbeddingLoss as CosineEmbeddingLoss,
    CTCLoss as CTCLoss,
    HingeLoss as HingeLoss,
    HuberLoss as HuberLoss,
    KLDivLoss as KLDivLoss,
    L1Loss as L1Loss,
    L2Loss as L2Loss,
    LogisticLoss as LogisticLoss,
    PoissonNLLLoss as PoissonNLLLoss,
    SigmoidBCELoss as SigmoidBCELoss,
    SigmoidBinaryCrossEntropyLoss as SigmoidBinaryCrossEntropyLoss,
    SoftmaxCELoss as SoftmaxCELoss,
    SoftmaxCrossEntropyLoss as SoftmaxCrossEntropyLoss,
    SquaredHingeLoss as SquaredHingeLoss,
    TripletLoss as TripletLoss,
    cosine_embedding_loss as cosine_embedding_loss,
    ctc_loss as ctc_loss,
    get as get,
    hinge_loss as hinge_loss,
    huber_loss as huber_loss,
    kl_div as kl_div,
    l1_loss as l1_loss,
    l2_loss as l2_loss,
    logistic_loss as logistic_loss,
    poisson_nll_loss as poisson_nll_loss,
    sigmoid_binary_cross_entropy as sigmoid_binary_cross_entropy,
    softmax_cross_entropy as softmax_cross_entropy,
    squared_hinge_loss as squared_hinge_loss,
    triplet_loss as triplet_loss,
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
    "TripletLoss",
    "cosine_embedding_loss",
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
