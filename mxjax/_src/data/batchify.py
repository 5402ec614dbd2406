"""Batchify functions: stack samples into batches (MXNet's ``default_batchify_fn``)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["default_batchify_fn", "to_numpy"]


def to_numpy(x: Any) -> Any:
    """Converts an NDArray-like (``asnumpy``) or array-like to a NumPy array; passes others.

    Examples:
        >>> from mxjax._src.data.batchify import to_numpy
        >>> to_numpy([1, 2]).tolist()
        [1, 2]
    """
    if isinstance(x, np.ndarray):
        return x
    asnumpy = getattr(x, "asnumpy", None)
    if asnumpy is not None:
        return asnumpy()
    return np.asarray(x)


def default_batchify_fn(data: list) -> Any:
    """Stacks a list of samples into a batch, recursively for tuples.

    Arrays (and NDArrays, through ``asnumpy``) are stacked on a new leading
    axis; scalars become a 1-D array; a sample that is a tuple gives a list
    with one batch per field, as MXNet's ``default_batchify_fn`` does.

    Args:
        data: the samples of one batch.

    Returns:
        A NumPy array, or a list of batches for tuple samples.

    Raises:
        ValueError: if ``data`` is empty or the samples' shapes differ.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data import default_batchify_fn
        >>> x, y = default_batchify_fn([(np.zeros((2, 3)), 1), (np.ones((2, 3)), 0)])
        >>> x.shape, y.tolist()
        ((2, 2, 3), [1, 0])
    """
    if len(data) == 0:
        raise ValueError("default_batchify_fn: expected at least one sample, received none")
    first = data[0]
    if isinstance(first, tuple):
        return [default_batchify_fn(list(field)) for field in zip(*data)]
    arrays = [to_numpy(d) for d in data]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(
            "default_batchify_fn: all samples of a batch must have the same shape to be stacked; "
            f"received shapes {sorted(shapes)}. Resize them in a transform or pass a batchify_fn."
        )
    return np.stack(arrays)
