"""``mx.optimizer``: MXNet's Optimizer classes over optax.

See :mod:`mxjax._src.optim.facade` for the interface the Gluon ``Trainer``
uses: ``opt.to_optax(names, lr_mult=..., wd_mult=...)`` once, then per step
``hp = opt.next_hyperparams()`` and, inside the jitted update,
``state = set_hyperparams(state, **hp)`` before ``tx.update(grads, state, params)``.
``learning_rate``, ``wd`` and ``rescale_grad`` are traced: changing them
(``set_learning_rate``, a scheduler, ``rescale_grad = 1/batch_size``) never
recompiles.

Examples:
    >>> import jax, jax.numpy as jnp, optax
    >>> import mxjax as mx
    >>> opt = mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.9)
    >>> params = {"w": jnp.ones(2)}
    >>> tx = opt.to_optax(["w"])
    >>> state = tx.init(params)
    >>> @jax.jit
    ... def update(params, grads, state, hp):
    ...     state = mx.optimizer.set_hyperparams(state, **hp)
    ...     updates, state = tx.update(grads, state, params)
    ...     return optax.apply_updates(params, updates), state
    >>> opt.rescale_grad = 1 / 4
    >>> params, state = update(params, {"w": jnp.full(2, 4.0)}, state, opt.next_hyperparams())
    >>> params["w"].tolist()
    [0.8999999761581421, 0.8999999761581421]
"""

from mxjax._src.optim.classes import (
    DCASGD as DCASGD,
    FTML as FTML,
    LAMB as LAMB,
    LARS as LARS,
    NAG as NAG,
    SGD as SGD,
    SGLD as SGLD,
    AdaDelta as AdaDelta,
    AdaGrad as AdaGrad,
    Adam as Adam,
    Adamax as Adamax,
    AdamW as AdamW,
    Ftrl as Ftrl,
    Nadam as Nadam,
    RMSProp as RMSProp,
    Signum as Signum,
    ccSGD as ccSGD,
)
from mxjax._src.optim.facade import (
    TRACED_HYPERPARAMS as TRACED_HYPERPARAMS,
    LRSchedulerDefinedError as LRSchedulerDefinedError,
    Optimizer as Optimizer,
    create as create,
    get_hyperparams as get_hyperparams,
    register as register,
    set_hyperparams as set_hyperparams,
)
from mxjax._src.optim.imperative import Updater as Updater, get_updater as get_updater

__all__ = [
    "DCASGD",
    "FTML",
    "LAMB",
    "LARS",
    "NAG",
    "SGD",
    "SGLD",
    "TRACED_HYPERPARAMS",
    "AdaDelta",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "LRSchedulerDefinedError",
    "Nadam",
    "Optimizer",
    "RMSProp",
    "Signum",
    "Updater",
    "ccSGD",
    "create",
    "get_hyperparams",
    "get_updater",
    "register",
    "set_hyperparams",
]
