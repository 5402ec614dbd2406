"""MXNet 1.9.1 optimizers as optax ``GradientTransformation``\\ s.

Each factory mirrors ``mx.optimizer.<Name>`` (argument names and defaults),
with MXNet's ``rescale_grad``, ``clip_gradient``, ``wd`` (L2 added to the
gradient), ``lr_mult``/``wd_mult`` and an extra ``l1``. The preprocessing
steps are themselves transformations (:func:`rescale_grad`,
:func:`clip_gradient`, :func:`add_weight_decay`, :func:`add_l1`) and the
update rule is an :func:`mx_rule`. ``update`` needs ``params``.

Where MXNet 1.9.1 is odd, this follows it and says so: NAG's momentum sees
the decay of the already-updated weight (MXNet's in-place kernel); AdaDelta
ignores the learning rate; LARS takes the gradient norm before clipping;
``lazy_update`` only matters for MXNet's sparse gradients and is ignored.
Where MXNet cannot serve as a reference, this takes the documented formula:
Nadam keeps its momentum schedule per update step (MXNet advances one per
optimizer object for every parameter), DCASGD with momentum (crashes in
MXNet 1.9.1) and SGLD's noise (drawn from an explicit ``key``).

Examples:
    >>> import jax.numpy as jnp, optax
    >>> from mxjax import optim
    >>> tx = optim.create("adam", learning_rate=0.01, wd=1e-4)
    >>> params = {"w": jnp.ones(3)}
    >>> state = tx.init(params)
    >>> updates, state = tx.update({"w": jnp.ones(3)}, state, params)
    >>> params = optax.apply_updates(params, updates)
"""

from mxjax._src.optim.base import (
    MultiPrecisionState as MultiPrecisionState,
    MXRuleState as MXRuleState,
    add_l1 as add_l1,
    add_weight_decay as add_weight_decay,
    clip_gradient as clip_gradient,
    leaf_multipliers as leaf_multipliers,
    multi_precision as multi_precision,
    mx_rule as mx_rule,
    param_names as param_names,
    rescale_grad as rescale_grad,
)
from mxjax._src.optim.create import (
    OPTIMIZERS as OPTIMIZERS,
    create as create,
    default_learning_rate as default_learning_rate,
)
from mxjax._src.optim.optimizers import (
    adadelta as adadelta,
    adagrad as adagrad,
    adam as adam,
    adamax as adamax,
    adamw as adamw,
    dcasgd as dcasgd,
    ftml as ftml,
    ftrl as ftrl,
    lamb as lamb,
    lars as lars,
    nadam as nadam,
    nag as nag,
    rmsprop as rmsprop,
    sgd as sgd,
    sgld as sgld,
    signum as signum,
)

__all__ = [
    "OPTIMIZERS",
    "default_learning_rate",
    "MXRuleState",
    "MultiPrecisionState",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "add_l1",
    "add_weight_decay",
    "clip_gradient",
    "create",
    "dcasgd",
    "ftml",
    "ftrl",
    "lamb",
    "lars",
    "leaf_multipliers",
    "multi_precision",
    "mx_rule",
    "nadam",
    "nag",
    "param_names",
    "rescale_grad",
    "rmsprop",
    "sgd",
    "sgld",
    "signum",
]
