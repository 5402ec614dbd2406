"""``gluon.utils``: split_data, split_and_load, clip_global_norm, check_sha1, download."""

from __future__ import annotations

import math
import os
import time
import urllib.request
from typing import Any

import jax.numpy as jnp

from mxjax._src.dispatch import apply as _apply
from mxjax._src.gluon import _bridge as B

__all__ = ["check_sha1", "clip_global_norm", "download", "split_and_load", "split_data"]


def split_data(data: Any, num_slice: int, batch_axis: int = 0, even_split: bool = True) -> list:
    """Splits an NDArray into ``num_slice`` slices along ``batch_axis``.

    Args:
        data: the NDArray to split.
        num_slice: number of slices.
        batch_axis: the axis to split.
        even_split: require the size to be divisible by ``num_slice``; otherwise the
            first ``size % num_slice`` slices get one more element (as MXNet 1.9.1).

    Raises:
        ValueError: when the size is not divisible and ``even_split`` is True.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import utils
        >>> [s.shape for s in utils.split_data(mx.nd.ones((5, 2)), 2, even_split=False)]
        [(3, 2), (2, 2)]
    """
    size = int(data.shape[batch_axis])
    if even_split and size % num_slice != 0:
        raise ValueError(
            f"data with shape {tuple(data.shape)} cannot be evenly split into {num_slice} "
            f"slices along axis {batch_axis}. Use a batch size that's multiple of {num_slice} "
            "or set even_split=False to allow uneven partitioning of data."
        )
    # MXNet 1.9.1: the first ``size % num_slice`` slices get one more element
    each, extras = divmod(size, num_slice)
    points = [0]
    for i in range(num_slice):
        points.append(points[-1] + each + (1 if i < extras else 0))
    if not B.is_ndarray(data):
        data = B.nd().array(data)
    out = []
    for begin, end in zip(points[:-1], points[1:]):
        idx = [slice(None)] * data.ndim
        idx[batch_axis] = slice(begin, end)
        out.append(_apply(lambda a, i=tuple(idx): a[i], data))
    if data.stype != "default":  # slices of a sparse array keep its storage type (MXNet)
        for s in out:
            if type(s) is B.NDArray:
                s.__class__ = type(data)
    return out


def split_and_load(data: Any, ctx_list: list, batch_axis: int = 0, even_split: bool = True):
    """Splits ``data`` and loads each slice onto one context of ``ctx_list``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import utils
        >>> [s.shape for s in utils.split_and_load(mx.nd.ones((4, 2)), [mx.cpu(0)])]
        [(4, 2)]
    """
    if not B.is_ndarray(data):
        data = B.nd().array(data)
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(c) for s, c in zip(slices, ctx_list)]


def clip_global_norm(arrays: list, max_norm: float, check_isfinite: bool = True) -> Any:
    """Rescales NDArrays in place so that their joint 2-norm is at most ``max_norm``.

    Returns:
        The total norm before clipping (a float when ``check_isfinite``).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import utils
        >>> a = [mx.nd.array([3.0, 4.0])]
        >>> utils.clip_global_norm(a, 1.0)
        5.0
        >>> [round(float(v), 3) for v in a[0].asnumpy()]
        [0.6, 0.8]
    """
    if not arrays:
        raise ValueError("clip_global_norm: arrays must be a non-empty list of NDArrays")
    vals = [B.as_jnp(a) for a in arrays]
    total = jnp.sqrt(sum(jnp.sum(jnp.square(v.astype(jnp.float32))) for v in vals))
    if check_isfinite:
        total_f = float(total)
        if not math.isfinite(total_f):
            import warnings

            warnings.warn(
                UserWarning("nan or inf is detected. Clipping results will be undefined."),
                stacklevel=2,
            )
    scale = jnp.minimum(max_norm / (total + 1e-8), 1.0)
    for a, v in zip(arrays, vals):
        B.assign(a, (v * scale).astype(v.dtype))
    return total_f if check_isfinite else B.wrap(total)


def check_sha1(filename: str, sha1_hash: str) -> bool:
    """Whether the file's SHA-1 equals ``sha1_hash`` (one implementation with ``mxjax.data``).

    Examples:
        >>> import os, tempfile
        >>> from mxjax.gluon import utils
        >>> p = os.path.join(tempfile.mkdtemp(), "f")
        >>> with open(p, "wb") as f:
        ...     _ = f.write(b"abc")
        >>> utils.check_sha1(p, "a9993e364706816aba3e25717850c26c9cd0d89d")
        True
    """
    from mxjax._src.data.download import check_sha1 as _check

    return _check(filename, sha1_hash)


def _fetch(url: str, verify_ssl: bool):
    import ssl

    ctx = None if verify_ssl else ssl._create_unverified_context()
    return urllib.request.urlopen(url, context=ctx)


def download(
    url: str,
    path: str | None = None,
    overwrite: bool = False,
    sha1_hash: str | None = None,
    retries: int = 5,
    verify_ssl: bool = True,
) -> str:
    """Downloads ``url`` to ``path`` atomically (temp file + rename), checking SHA-1.

    Args:
        url: the URL.
        path: destination file or directory (default: the URL's file name).
        overwrite: download even if the file exists (with a matching hash).
        sha1_hash: expected SHA-1 of the file.
        retries: attempts before giving up.
        verify_ssl: verify TLS certificates.

    Returns:
        The file path.

    Raises:
        ValueError: for ``retries < 1``.
        OSError: when every attempt failed or the hash never matched.

    Examples:
        >>> from mxjax.gluon import utils
        >>> utils.download("http://example.com/x", retries=0)
        Traceback (most recent call last):
        ...
        ValueError: download: retries must be a positive int; received 0
    """
    if not isinstance(retries, int) or retries < 1:
        raise ValueError(f"download: retries must be a positive int; received {retries!r}")
    fname = url.split("/")[-1]
    if path is None:
        path = fname
    elif os.path.isdir(os.path.expanduser(path)):
        path = os.path.join(os.path.expanduser(path), fname)
    path = os.path.expanduser(path)
    if (
        os.path.exists(path)
        and not overwrite
        and (sha1_hash is None or check_sha1(path, sha1_hash))
    ):
        return path
    from mxjax._src.data.download import fetch_to

    last: Exception | None = None
    for attempt in range(retries):
        try:
            return fetch_to(path, lambda: _fetch(url, verify_ssl), sha1_hash, f"download {path}")
        except Exception as e:  # noqa: BLE001 - retried, then re-raised
            last = e
            if attempt < retries - 1:
                time.sleep(min(0.1 * 2**attempt, 1.0))
    raise OSError(f"download: failed to download {url} after {retries} attempts: {last}") from last
