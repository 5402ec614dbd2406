"""Argument checks at the boundary: one message shape for every entry point.

Each check names where the value entered (``where``: ``"fit"``,
``"Trainer.step"``, ``"mxjax train"`` ...), the argument, what was expected
and what was received, and returns the value normalized (``int``/``float``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

__all__ = [
    "check_fit_args",
    "check_hyperparams",
    "check_int",
    "check_number",
]

#: Optimizer arguments that must be real numbers (``clip_gradient`` may also be None).
NUMERIC_HYPERPARAMS = frozenset(
    {
        "learning_rate",
        "wd",
        "momentum",
        "rescale_grad",
        "clip_gradient",
        "beta1",
        "beta2",
        "epsilon",
        "gamma1",
        "gamma2",
        "rho",
        "lamda1",
        "lamda",
        "centered_eps",
        "initial_accumulator_value",
        "eps",
        "t0",
        "lazy_update_eps",
        "clip_weights",
        "coef",
    }
)
#: Of those, the ones that cannot be negative.
NON_NEGATIVE_HYPERPARAMS = frozenset({"learning_rate", "wd", "epsilon", "eps"})


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


def check_int(value: Any, name: str, where: str = "", *, minimum: int | None = 1) -> int:
    """Returns ``value`` as an ``int`` after checking it is an integer ``>= minimum``.

    ``bool`` and non-integral floats (``3.5``) are refused; ``4.0`` is refused
    too, because a float batch size is almost always a bug upstream.

    Raises:
        TypeError: ``value`` is not an integer.
        ValueError: ``value < minimum``.

    Examples:
        >>> from mxjax._src.validate import check_int
        >>> check_int(8, "batch_size", "fit")
        8
        >>> try:
        ...     check_int(0, "batch_size", "fit")
        ... except ValueError as e:
        ...     print(e)
        fit: batch_size must be an integer >= 1; received 0
    """
    expected = "an integer" if minimum is None else f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{_prefix(where)}{name} must be {expected}; received {type(value).__name__} {value!r}"
        )
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{_prefix(where)}{name} must be {expected}; received {value}")
    return value


def check_number(
    value: Any,
    name: str,
    where: str = "",
    *,
    minimum: float | None = None,
    strict: bool = False,
    allow_none: bool = False,
) -> float | None:
    """Returns ``value`` as a finite ``float`` after checking its type and range.

    Args:
        value: the value received.
        name: the argument's name, for the message.
        where: the entry point (``"Trainer"``, ``"fit"``), for the message.
        minimum: the smallest allowed value (None: no bound).
        strict: ``value`` must be greater than ``minimum``, not equal.
        allow_none: None is accepted (and returned).

    Raises:
        TypeError: ``value`` is not a real number (strings, ``bool``, arrays
            with more than one element).
        ValueError: ``value`` is NaN, infinite or out of range.

    Examples:
        >>> from mxjax._src.validate import check_number
        >>> check_number(0.1, "learning_rate", "Trainer", minimum=0)
        0.1
        >>> try:
        ...     check_number("abc", "learning_rate", "Trainer")
        ... except TypeError as e:
        ...     print(e)
        Trainer: learning_rate must be a real number; received str 'abc'
    """
    if value is None and allow_none:
        return None
    if hasattr(value, "shape") and hasattr(value, "dtype") and getattr(value, "size", 2) == 1:
        try:
            value = value.item()
        except (AttributeError, TypeError, ValueError):
            pass
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        none = " or None" if allow_none else ""
        raise TypeError(
            f"{_prefix(where)}{name} must be a real number{none}; received "
            f"{type(value).__name__} {value!r}"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{_prefix(where)}{name} must be finite; received {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        op = ">" if strict else ">="
        raise ValueError(f"{_prefix(where)}{name} must be {op} {minimum:g}; received {value:g}")
    return value


def check_hyperparams(params: Mapping[str, Any], where: str = "") -> None:
    """Checks the numeric optimizer arguments in ``params`` (``{'learning_rate': 'abc'}``).

    Unknown names pass through: the optimizer itself rejects those.

    Raises:
        TypeError: a numeric hyperparameter is not a real number.
        ValueError: it is NaN, infinite, or negative where that makes no sense.

    Examples:
        >>> from mxjax._src.validate import check_hyperparams
        >>> check_hyperparams({"learning_rate": 0.1, "momentum": 0.9}, "Trainer")
        >>> try:
        ...     check_hyperparams({"wd": -1.0}, "Trainer")
        ... except ValueError as e:
        ...     print(e)
        Trainer: optimizer_params['wd'] must be >= 0; received -1
    """
    for key, value in params.items():
        if key not in NUMERIC_HYPERPARAMS:
            continue
        check_number(
            value,
            f"optimizer_params[{key!r}]",
            where,
            minimum=0 if key in NON_NEGATIVE_HYPERPARAMS else None,
            allow_none=key in ("clip_gradient", "learning_rate", "clip_weights"),
        )


def check_fit_args(
    batch_size: Any, epochs: Any, initial_epoch: Any, steps_per_epoch: Any, where: str = "fit"
) -> None:
    """Checks ``fit``'s counts: positive integers (``batch_size``/``steps_per_epoch`` may be None).

    Examples:
        >>> from mxjax._src.validate import check_fit_args
        >>> check_fit_args(32, 2, 0, None)
        >>> try:
        ...     check_fit_args(3.5, 2, 0, None)
        ... except TypeError as e:
        ...     print(e)
        fit: batch_size must be an integer >= 1; received float 3.5
    """
    if batch_size is not None:
        check_int(batch_size, "batch_size", where)
    check_int(epochs, "epochs", where)
    check_int(initial_epoch, "initial_epoch", where, minimum=0)
    if steps_per_epoch is not None:
        check_int(steps_per_epoch, "steps_per_epoch", where)
