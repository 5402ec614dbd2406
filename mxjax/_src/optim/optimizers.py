"""Every MXNet 1.9.1 optimizer as an optax ``GradientTransformation``.

Each factory takes MXNet's hyperparameters (names and defaults of
``mx.optimizer.<Name>``) plus the options every MXNet optimizer has:
``wd``, ``rescale_grad``, ``clip_gradient``, ``lr_mult``, ``wd_mult`` and an
extra ``l1`` (``l1 * sign(weight)`` added to the gradient next to ``wd``).
``learning_rate`` is a number, a traced scalar or a schedule of MXNet's
1-based ``num_update``. ``update`` must be called with ``params``; the
updates are ``new_weight - weight`` (apply them with ``optax.apply_updates``).
"""

from mxjax._src.optim.adaptive import (
    adadelta as adadelta,
    adagrad as adagrad,
    adam as adam,
    adamax as adamax,
    adamw as adamw,
    ftml as ftml,
    ftrl as ftrl,
    lamb as lamb,
    nadam as nadam,
    rmsprop as rmsprop,
)
from mxjax._src.optim.sgd_family import (
    dcasgd as dcasgd,
    lars as lars,
    nag as nag,
    sgd as sgd,
    sgld as sgld,
    signum as signum,
)

__all__ = [
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "dcasgd",
    "ftml",
    "ftrl",
    "lamb",
    "lars",
    "nadam",
    "nag",
    "rmsprop",
    "sgd",
    "sgld",
    "signum",
]
