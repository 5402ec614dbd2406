"""Class labels checked where they enter ``fit``, ``evaluate`` and the Estimator.

The compiled step cannot raise: a sparse class label outside
``[0, num_classes)`` gives that sample a NaN loss under ``jax.jit``. The
training loops see the labels on the host before the step, so they check them
there and name the value, the allowed range, the batch and the sample.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

__all__ = ["check_class_labels", "class_axis", "num_classes"]


def class_axis(loss_fn: Any) -> int | None:
    """The class axis when ``loss_fn`` takes sparse class labels, else None."""
    from mxjax._src.losses import SoftmaxCrossEntropyLoss

    if isinstance(loss_fn, SoftmaxCrossEntropyLoss) and loss_fn.sparse_label:
        return loss_fn.axis
    return None


def num_classes(apply_fn, params, state, x_example, axis: int) -> int | None:
    """The size of the output's class axis, from shapes only (``jax.eval_shape``)."""
    args = tuple(x_example) if isinstance(x_example, (tuple, list)) else (x_example,)
    try:
        out = jax.eval_shape(
            lambda p, s, *a: apply_fn(p, s, *a, train=False)[0], params, state, *args
        )
    except Exception:  # noqa: BLE001 - the check is best-effort; the step reports real errors
        return None
    if not hasattr(out, "shape") or not out.shape:
        return None
    return int(out.shape[axis % len(out.shape)])


def check_class_labels(
    where: str, labels: Any, classes: int | None, batch: int | None = None, offset: int = 0
) -> None:
    """Raises ``ValueError`` for a label outside ``[0, classes)``.

    Args:
        where: the entry point, for the message (``"fit"``, ``"evaluate"``).
        labels: host labels of one batch (or of the whole data set).
        classes: the number of classes (None: nothing to check).
        batch: the batch number, for the message.
        offset: the index of ``labels[0]`` in the data set.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.train.labels import check_class_labels
        >>> try:
        ...     check_class_labels("fit", np.array([0, 3, 10]), 10, batch=4)
        ... except ValueError as e:
        ...     print(e)
        fit: label 10 of sample 2 in batch 4 is outside the class range [0, 10) (1 out-of-range label(s))
    """
    if classes is None:
        return
    host = np.asarray(labels)
    if host.dtype.kind not in "iuf" or host.size == 0:
        return
    bad = (host < 0) | (host >= classes)
    if host.dtype.kind == "f":
        bad |= ~np.isfinite(host)
    if not bad.any():
        return
    idx = np.argwhere(bad)[0]
    sample = int(idx[0]) + offset if len(idx) == 1 else tuple(int(i) for i in idx)
    value = host[tuple(idx)].item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    in_batch = f" in batch {batch}" if batch is not None else ""
    raise ValueError(
        f"{where}: label {value!r} of sample {sample}{in_batch} is outside the class range "
        f"[0, {classes}) ({int(bad.sum())} out-of-range label(s))"
    )
