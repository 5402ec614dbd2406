"""``mxjax.optim.create``: MXNet optimizer names and keyword arguments to optax."""

from __future__ import annotations

import copy
import inspect
from typing import Any

import optax

from mxjax._src.optim import optimizers as _o

__all__ = ["OPTIMIZERS", "create", "default_learning_rate"]

#: MXNet's registered (lower-case) optimizer names and their factories.
OPTIMIZERS = {
    "sgd": _o.sgd,
    "ccsgd": _o.sgd,
    "nag": _o.nag,
    "adam": _o.adam,
    "adamw": _o.adamw,
    "adamax": _o.adamax,
    "nadam": _o.nadam,
    "rmsprop": _o.rmsprop,
    "adagrad": _o.adagrad,
    "adadelta": _o.adadelta,
    "ftrl": _o.ftrl,
    "ftml": _o.ftml,
    "signum": _o.signum,
    "lamb": _o.lamb,
    "lars": _o.lars,
    "sgld": _o.sgld,
    "dcasgd": _o.dcasgd,
}

# Options MXNet's base Optimizer accepts that have no effect on the maths here.
_IGNORED = {"param_idx2name", "sym", "begin_num_update", "multi_precision", "param_dict"}


def create(name: str, **kwargs: Any) -> optax.GradientTransformation:
    """Creates an optimizer from an MXNet name and MXNet keyword arguments.

    Accepts MXNet's names (case-insensitive, e.g. ``"sgd"``, ``"Adam"``,
    ``"rmsprop"``) and keywords (``learning_rate``, ``momentum``, ``wd``,
    ``rescale_grad``, ``clip_gradient``, ``beta1``, ...). ``lr_scheduler``
    (an :mod:`mxjax.lr_scheduler` scheduler or any callable of ``num_update``)
    becomes the learning-rate schedule; if ``learning_rate`` is also given it
    replaces the scheduler's ``base_lr``, as in MXNet (on a copy: the
    caller's scheduler is never changed).

    Args:
        name: MXNet optimizer name.
        **kwargs: MXNet keyword arguments.

    Returns:
        The optax ``GradientTransformation``.

    Raises:
        ValueError: unknown optimizer name.
        TypeError: a keyword the optimizer does not take.

    Examples:
        >>> from mxjax import optim
        >>> tx = optim.create("sgd", learning_rate=0.1, momentum=0.9, wd=1e-4)
        >>> type(tx).__name__
        'GradientTransformationExtraArgs'
    """
    if not isinstance(name, str):
        raise TypeError(f"optim.create: `name` must be a str, got {type(name).__name__}")
    factory = OPTIMIZERS.get(name.lower())
    if factory is None:
        raise ValueError(
            f"optim.create: unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}"
        )
    kwargs = {k: v for k, v in kwargs.items() if k not in _IGNORED}
    sched = kwargs.pop("lr_scheduler", None)
    if sched is not None:
        lr = kwargs.pop("learning_rate", None)
        if lr is not None and hasattr(sched, "base_lr"):
            sched = copy.copy(sched)
            sched.base_lr = lr
        kwargs["learning_rate"] = sched
    accepted = set(inspect.signature(factory).parameters)
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise TypeError(
            f"optim.create({name!r}): unexpected keyword(s) {unknown}; accepted: {sorted(accepted)}"
        )
    return factory(**kwargs)


def default_learning_rate(name: str) -> float:
    """The default learning rate of an optimizer name (its factory's default: one source).

    Raises:
        ValueError: unknown optimizer name.

    Examples:
        >>> from mxjax import optim
        >>> optim.default_learning_rate("adam"), optim.default_learning_rate("sgd")
        (0.001, 0.01)
    """
    factory = OPTIMIZERS.get(str(name).lower())
    if factory is None:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}")
    return float(inspect.signature(factory).parameters["learning_rate"].default)
