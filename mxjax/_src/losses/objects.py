"""Gluon-named loss objects (frozen dataclasses over the loss functions) and ``get``."""

from __future__ import annotations

import dataclasses
from typing import Any

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
    "get",
]


def _frozen(cls):
    return dataclasses.dataclass(frozen=True, eq=True, repr=True)(cls)


@_frozen
class L2Loss:
    """Gluon ``L2Loss``: see :func:`l2_loss`. ``loss(pred, label, sample_weight=None)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.L2Loss()(jnp.ones((2, 3)), jnp.zeros((2, 3))).tolist()
        [0.5, 0.5]
    """

    weight: Any = 1.0
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return l2_loss(pred, label, self.weight, sample_weight, self.batch_axis)


@_frozen
class L1Loss:
    """Gluon ``L1Loss``: see :func:`l1_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.L1Loss()(jnp.ones((2, 3)), jnp.zeros((2, 3))).tolist()
        [1.0, 1.0]
    """

    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return l1_loss(pred, label, self.weight, sample_weight, self.batch_axis)


@_frozen
class SigmoidBinaryCrossEntropyLoss:
    """Gluon ``SigmoidBinaryCrossEntropyLoss`` (alias ``SigmoidBCELoss``): see
    :func:`sigmoid_binary_cross_entropy`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.SigmoidBCELoss()(jnp.zeros((1, 2)), jnp.ones((1, 2)))
        >>> round(float(l[0]), 4)
        0.6931
    """

    from_sigmoid: bool = False
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None, pos_weight=None):
        return sigmoid_binary_cross_entropy(
            pred, label, self.from_sigmoid, pos_weight, self.weight, sample_weight, self.batch_axis
        )


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


@_frozen
class SoftmaxCrossEntropyLoss:
    """Gluon ``SoftmaxCrossEntropyLoss`` (alias ``SoftmaxCELoss``): see
    :func:`softmax_cross_entropy`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.SoftmaxCELoss()(jnp.zeros((1, 2)), jnp.array([1]))
        >>> round(float(l[0]), 4)
        0.6931
    """

    axis: int = -1
    sparse_label: bool = True
    from_logits: bool = False
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return softmax_cross_entropy(
            pred,
            label,
            self.axis,
            self.sparse_label,
            self.from_logits,
            self.weight,
            sample_weight,
            self.batch_axis,
        )


SoftmaxCELoss = SoftmaxCrossEntropyLoss


@_frozen
class KLDivLoss:
    """Gluon ``KLDivLoss``: see :func:`kl_div`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> p = jnp.log(jnp.full((1, 2), 0.5))
        >>> round(float(losses.KLDivLoss()(p, jnp.full((1, 2), 0.5))[0]), 6)
        0.0
    """

    from_logits: bool = True
    axis: int = -1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return kl_div(
            pred, label, self.from_logits, self.axis, self.weight, sample_weight, self.batch_axis
        )


@_frozen
class CTCLoss:
    """Gluon ``CTCLoss``: see :func:`ctc_loss`.

    ``loss(pred, label, pred_lengths=None, label_lengths=None, sample_weight=None)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> round(float(losses.CTCLoss()(jnp.zeros((1, 2, 3)), jnp.array([[0, -1]]))[0]), 4)
        1.0986
    """

    layout: str = "NTC"
    label_layout: str = "NT"
    weight: Any = None

    def __post_init__(self):
        if self.layout not in ("NTC", "TNC"):
            raise ValueError(f"CTCLoss: layout must be 'NTC' or 'TNC', got {self.layout!r}")
        if self.label_layout not in ("NT", "TN"):
            raise ValueError(
                f"CTCLoss: label_layout must be 'NT' or 'TN', got {self.label_layout!r}"
            )

    def __call__(self, pred, label, pred_lengths=None, label_lengths=None, sample_weight=None):
        return ctc_loss(
            pred,
            label,
            pred_lengths,
            label_lengths,
            self.layout,
            self.label_layout,
            self.weight,
            sample_weight,
        )


@_frozen
class HuberLoss:
    """Gluon ``HuberLoss``: see :func:`huber_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.HuberLoss(rho=1)(jnp.array([[3.0]]), jnp.zeros((1, 1))).tolist()
        [2.5]
    """

    rho: float = 1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return huber_loss(pred, label, self.rho, self.weight, sample_weight, self.batch_axis)


@_frozen
class HingeLoss:
    """Gluon ``HingeLoss``: see :func:`hinge_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.HingeLoss()(jnp.array([[0.5]]), jnp.ones((1, 1))).tolist()
        [0.5]
    """

    margin: float = 1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return hinge_loss(pred, label, self.margin, self.weight, sample_weight, self.batch_axis)


@_frozen
class SquaredHingeLoss:
    """Gluon ``SquaredHingeLoss``: see :func:`squared_hinge_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.SquaredHingeLoss()(jnp.array([[0.5]]), jnp.ones((1, 1))).tolist()
        [0.25]
    """

    margin: float = 1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return squared_hinge_loss(
            pred, label, self.margin, self.weight, sample_weight, self.batch_axis
        )


@_frozen
class LogisticLoss:
    """Gluon ``LogisticLoss``: see :func:`logistic_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.LogisticLoss(label_format="binary")(jnp.zeros((1, 1)), jnp.ones((1, 1)))
        >>> round(float(l[0]), 4)
        0.6931
    """

    weight: Any = None
    batch_axis: int = 0
    label_format: str = "signed"

    def __post_init__(self):
        if self.label_format not in ("signed", "binary"):
            raise ValueError(
                f"LogisticLoss: label_format must be 'signed' or 'binary', "
                f"got {self.label_format!r}"
            )

    def __call__(self, pred, label, sample_weight=None):
        return logistic_loss(
            pred, label, self.label_format, self.weight, sample_weight, self.batch_axis
        )


@_frozen
class TripletLoss:
    """Gluon ``TripletLoss``: see :func:`triplet_loss`. ``loss(pred, positive, negative)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> z = jnp.zeros((1, 2))
        >>> losses.TripletLoss()(z, z, z).tolist()
        [1.0]
    """

    margin: float = 1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, positive, negative, sample_weight=None):
        return triplet_loss(
            pred, positive, negative, self.margin, self.weight, sample_weight, self.batch_axis
        )


@_frozen
class SDMLLoss:
    """Gluon ``SDMLLoss``: see :func:`sdml_loss`. ``loss(x1, x2)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.SDMLLoss()(jnp.eye(3), jnp.eye(3)).shape
        (3,)
    """

    smoothing_parameter: float = 0.3
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, x1, x2):
        return sdml_loss(x1, x2, self.smoothing_parameter, self.weight)


@_frozen
class PoissonNLLLoss:
    """Gluon ``PoissonNLLLoss``: see :func:`poisson_nll_loss` (returns a scalar, as Gluon).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> round(float(losses.PoissonNLLLoss()(jnp.zeros((2, 1)), jnp.ones((2, 1)))), 4)
        1.0
    """

    weight: Any = None
    from_logits: bool = True
    batch_axis: int = 0
    compute_full: bool = False

    def __call__(self, pred, target, sample_weight=None, epsilon=1e-08):
        return poisson_nll_loss(
            pred,
            target,
            self.from_logits,
            self.compute_full,
            epsilon,
            self.weight,
            sample_weight,
            self.batch_axis,
        )


@_frozen
class CosineEmbeddingLoss:
    """Gluon ``CosineEmbeddingLoss``: see :func:`cosine_embedding_loss`.

    ``loss(input1, input2, label, sample_weight=None)``, output ``(batch, 1)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> x = jnp.array([[1.0, 0.0]])
        >>> losses.CosineEmbeddingLoss()(x, -x, jnp.array([-1.0])).tolist()
        [[0.0]]
    """

    weight: Any = None
    batch_axis: int = 0
    margin: float = 0

    def __call__(self, input1, input2, label, sample_weight=None):
        return cosine_embedding_loss(
            input1, input2, label, self.margin, self.weight, sample_weight, self.batch_axis
        )


_LOSS_CLASSES = (
    L1Loss,
    L2Loss,
    SigmoidBinaryCrossEntropyLoss,
    SoftmaxCrossEntropyLoss,
    KLDivLoss,
    CTCLoss,
    HuberLoss,
    HingeLoss,
    SquaredHingeLoss,
    LogisticLoss,
    TripletLoss,
    SDMLLoss,
    PoissonNLLLoss,
    CosineEmbeddingLoss,
)

_ALIASES = {
    "l1": L1Loss,
    "l1_loss": L1Loss,
    "mae": L1Loss,
    "mean_absolute_error": L1Loss,
    "l2": L2Loss,
    "l2_loss": L2Loss,
    "mse": lambda: L2Loss(weight=2.0),
    "mean_squared_error": lambda: L2Loss(weight=2.0),
    "softmax_cross_entropy": SoftmaxCrossEntropyLoss,
    "softmax_ce": SoftmaxCrossEntropyLoss,
    "softmaxce": SoftmaxCrossEntropyLoss,
    "sparse_categorical_crossentropy": SoftmaxCrossEntropyLoss,
    "categorical_crossentropy": lambda: SoftmaxCrossEntropyLoss(sparse_label=False),
    "sigmoid_binary_cross_entropy": SigmoidBinaryCrossEntropyLoss,
    "sigmoid_bce": SigmoidBinaryCrossEntropyLoss,
    "sigmoidbce": SigmoidBinaryCrossEntropyLoss,
    "binary_crossentropy": SigmoidBinaryCrossEntropyLoss,
    "kl_div": KLDivLoss,
    "kldiv": KLDivLoss,
    "ctc": CTCLoss,
    "ctc_loss": CTCLoss,
    "huber": HuberLoss,
    "huber_loss": HuberLoss,
    "hinge": HingeLoss,
    "hinge_loss": HingeLoss,
    "squared_hinge": SquaredHingeLoss,
    "squared_hinge_loss": SquaredHingeLoss,
    "logistic": LogisticLoss,
    "logistic_loss": LogisticLoss,
    "triplet": TripletLoss,
    "triplet_loss": TripletLoss,
    "sdml": SDMLLoss,
    "sdml_loss": SDMLLoss,
    "poisson_nll": PoissonNLLLoss,
    "poisson_nll_loss": PoissonNLLLoss,
    "cosine_embedding": CosineEmbeddingLoss,
    "cosine_embedding_loss": CosineEmbeddingLoss,
}
for _cls in _LOSS_CLASSES:
    _ALIASES.setdefault(_cls.__name__.lower(), _cls)
_ALIASES["softmaxceloss"] = SoftmaxCrossEntropyLoss
_ALIASES["sigmoidbceloss"] = SigmoidBinaryCrossEntropyLoss


def get(name: Any) -> Any:
    """Returns a loss object for a name (Keras-style ``compile(loss=...)``).

    Names are case-insensitive: the snake-case function names
    (``'softmax_cross_entropy'``, ``'l2_loss'``…), short names (``'l1'``,
    ``'l2'``, ``'huber'``…), Gluon class names (``'SoftmaxCELoss'``) and the
    Keras names ``'mse'`` (true mean squared error, i.e. ``L2Loss(weight=2)``),
    ``'mae'``, ``'sparse_categorical_crossentropy'``, ``'categorical_crossentropy'``
    and ``'binary_crossentropy'`` (on logits). A loss object or any other
    callable is returned unchanged.

    Raises:
        ValueError: for an unknown name, listing the accepted ones.
        TypeError: for something that is neither a string nor callable.

    Examples:
        >>> from mxjax import losses
        >>> losses.get("softmax_cross_entropy")
        SoftmaxCrossEntropyLoss(axis=-1, sparse_label=True, from_logits=False, weight=None, batch_axis=0)
        >>> losses.get("mse")
        L2Loss(weight=2.0, batch_axis=0)
    """
    if isinstance(name, str):
        factory = _ALIASES.get(name.lower())
        if factory is None:
            raise ValueError(
                f"losses.get: unknown loss name {name!r}; expected one of {sorted(_ALIASES)}"
            )
        return factory()
    if callable(name):
        return name
    raise TypeError(
        f"losses.get: expected a loss name or a callable loss, got {type(name).__name__} {name!r}"
    )
