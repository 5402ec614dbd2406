"""Resolving ``compile``'s arguments: optimizer and loss specs, and the output activation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = [
    "injected_hyperparams",
    "named_optimizer",
    "output_activation",
    "resolve_loss",
    "resolve_optimizer",
    "set_learning_rate_in",
]


def named_optimizer(name: str, learning_rate: float | None = None) -> Any:
    """The ``mx.optimizer`` object for an optimizer name (its own default rate unless given).

    Raises:
        ValueError: an unknown name.

    Examples:
        >>> from mxjax.train import named_optimizer
        >>> named_optimizer("adam").learning_rate, named_optimizer("sgd", 0.5).learning_rate
        (0.001, 0.5)
    """
    from mxjax import optim, optimizer

    lower = name.lower()
    if lower not in optim.OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; expected one of {sorted(optim.OPTIMIZERS)}")
    kwargs = {} if learning_rate is None else {"learning_rate": float(learning_rate)}
    return optimizer.create(lower, **kwargs)


def _has_hyperparams(x: Any) -> bool:
    return isinstance(getattr(x, "hyperparams", None), dict) and hasattr(x, "_replace")


def injected_hyperparams(opt_state: Any) -> dict | None:
    """The ``hyperparams`` of the first ``optax.inject_hyperparams`` state in ``opt_state``.

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> from mxjax.train import injected_hyperparams
        >>> tx = optax.inject_hyperparams(optax.sgd)(learning_rate=0.25)
        >>> float(injected_hyperparams(tx.init({"w": jnp.ones(1)}))["learning_rate"])
        0.25
    """
    for node in jax.tree_util.tree_leaves(opt_state, is_leaf=_has_hyperparams):
        if _has_hyperparams(node):
            return node.hyperparams
    return None


def set_learning_rate_in(opt_state: Any, lr: float) -> Any:
    """``opt_state`` with its injected ``learning_rate`` hyperparameter set to ``lr``.

    Raises:
        TypeError: the state holds no injected ``learning_rate``.

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> from mxjax.train import injected_hyperparams, set_learning_rate_in
        >>> tx = optax.inject_hyperparams(optax.sgd)(learning_rate=0.1)
        >>> state = set_learning_rate_in(tx.init({"w": jnp.ones(1)}), 0.5)
        >>> float(injected_hyperparams(state)["learning_rate"])
        0.5
    """
    found = []

    def put(node):
        if _has_hyperparams(node) and "learning_rate" in node.hyperparams and not found:
            found.append(True)
            old = node.hyperparams["learning_rate"]
            hp = dict(node.hyperparams)
            hp["learning_rate"] = (
                jax.device_put(np.asarray(lr, dtype=old.dtype))
                if isinstance(old, jax.Array)
                else jax.ShapeDtypeStruct(old.shape, old.dtype)
            )
            return node._replace(hyperparams=hp)
        return node

    new = jax.tree_util.tree_map(put, opt_state, is_leaf=_has_hyperparams)
    if not found:
        raise TypeError(
            "set_learning_rate: this optax transformation keeps no learning rate in its state; "
            "compile with an optimizer name, an mx.optimizer.Optimizer, or a transformation "
            "built with optax.inject_hyperparams (e.g. "
            "optax.inject_hyperparams(optax.sgd)(learning_rate=0.1))"
        )
    return new


def resolve_optimizer(
    optimizer: Any, learning_rate: float | None = None
) -> tuple[optax.GradientTransformation, float]:
    """Returns ``(transformation, base_learning_rate)`` from a name, an optax
    transformation or an ``mx.optimizer.Optimizer``.

    Raises:
        ValueError: for an unknown optimizer name.
        TypeError: for anything else.

    Examples:
        >>> from mxjax.train import resolve_optimizer
        >>> tx, lr = resolve_optimizer("adam")
        >>> lr
        0.001
    """
    if isinstance(optimizer, optax.GradientTransformation):
        return optimizer, 1.0 if learning_rate is None else float(learning_rate)
    if isinstance(optimizer, str):
        from mxjax import optim

        name = optimizer.lower()
        if name not in optim.OPTIMIZERS:
            raise ValueError(
                f"Unknown optimizer {optimizer!r}; expected one of {sorted(optim.OPTIMIZERS)}"
            )
        lr = optim.default_learning_rate(name) if learning_rate is None else float(learning_rate)
        return optim.create(name, learning_rate=lr), lr
    to_optax = getattr(optimizer, "to_optax", None)
    if callable(to_optax):
        lr = getattr(optimizer, "learning_rate", 1.0)
        return to_optax(), float(lr)
    raise TypeError(
        f"optimizer must be a name ('adam'), an optax GradientTransformation or an mx.optimizer.Optimizer; "
        f"received {type(optimizer).__name__}"
    )


def resolve_loss(loss: Any) -> Callable:
    """Returns a per-sample loss ``fn(pred, label)`` from a name, a loss object or a callable.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax.train import resolve_loss
        >>> resolve_loss("l2")(jnp.ones((2, 1)), jnp.zeros((2, 1))).tolist()
        [0.5, 0.5]
    """
    if isinstance(loss, str):
        from mxjax import losses

        return losses.get(loss)
    # gluon.loss Blocks hold the pure loss object of mxjax.losses.
    pure = getattr(loss, "pure_loss", None) or getattr(loss, "_loss", None)
    if callable(pure):
        return pure
    if callable(loss):
        return loss
    raise TypeError(
        f"loss must be a name, a loss object or a callable; received {type(loss).__name__}"
    )


def output_activation(model) -> str | None:
    """The activation name the model's last layer applies, or None.

    Follows sequential containers (functional ``layers.Sequential`` and
    Gluon ``Sequential``/``HybridSequential``) to their last child and reads
    a layer's ``activation`` (``Dense(10, activation='softmax')``) or an
    ``Activation`` layer's name.

    Examples:
        >>> from mxjax import layers as L
        >>> from mxjax.train import output_activation
        >>> output_activation(L.Sequential([L.Dense(8, activation="relu"), L.Dense(2, activation="softmax")]))
        'softmax'
    """
    for _ in range(64):  # nesting depth
        layers = getattr(model, "layers", None)
        children = getattr(model, "_children", None)
        if isinstance(layers, tuple) and layers:
            model = layers[-1]
        elif children:
            model = list(children.values())[-1]
        elif getattr(model, "_core", None) is not None:
            model = model._core
        else:
            break
    act = getattr(model, "_act_type", None) or getattr(model, "activation", None)
    return act if isinstance(act, str) else None


def _is_softmax_ce(loss_fn) -> bool:
    from mxjax import losses

    return (
        isinstance(loss_fn, losses.SoftmaxCrossEntropyLoss)
        and not loss_fn.from_logits
        and loss_fn.axis in (-1,)
    )


class _OnProbabilities:
    """A softmax cross-entropy fed with probabilities: ``log(p)`` replaces the logits.

    ``log_softmax(log p) = log p`` when ``p`` sums to one, so this is the
    cross-entropy of the probabilities themselves (clipped at 1e-7, as Keras).
    """

    def __init__(self, loss_fn):
        self.loss_fn = loss_fn

    def __call__(self, out, label):
        return self.loss_fn(jnp.log(jnp.clip(out, 1e-7, 1.0)), label)
