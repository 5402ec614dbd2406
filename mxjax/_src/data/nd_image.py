"""MXNet's ``mx.nd.image`` operators on NDArrays (HWC images, NHWC batches).

``to_tensor``, ``normalize``, ``crop`` and the flips are JAX operations: they
run where the NDArray lives and are differentiable under ``autograd.record()``.
``resize`` and the colour operators run on the host with the NumPy kernels the
vision transforms use (:mod:`image_ops`), so ``nd.image.resize`` and
``transforms.Resize`` give the same pixels; they are not recorded by autograd.
The random operators draw from :func:`mxjax.data.get_rng` (the DataLoader's
per-sample Generator inside a loader, NumPy's global state elsewhere).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.data import image_ops as ops, transforms as _t
from mxjax._src.data.batchify import to_numpy
from mxjax._src.data.rng import get_rng
from mxjax._src.data.transforms_geometry import TransformInputError
from mxjax._src.dispatch import apply as _apply
from mxjax._src.nd.creation import array as _array, res_into

__all__ = [
    "adjust_lighting",
    "crop",
    "flip_left_right",
    "flip_top_bottom",
    "normalize",
    "random_brightness",
    "random_color_jitter",
    "random_contrast",
    "random_flip_left_right",
    "random_flip_top_bottom",
    "random_hue",
    "random_lighting",
    "random_saturation",
    "resize",
    "to_tensor",
]


def _ndim(fn: str, data: Any, layout: str = "HWC") -> int:
    nd = len(np.shape(data))
    if nd not in (3, 4):
        raise TransformInputError(
            f"nd.image.{fn}: expected a {layout} image or an N{layout} batch (3 or 4 "
            f"dimensions), received shape {tuple(np.shape(data))}"
        )
    return nd


def _into(res: Any, out: Any) -> Any:
    return res if out is None else res_into(out, res)


def _host(fn: str, op: Any, data: Any, *args: Any, out: Any = None) -> Any:
    """Runs the NumPy kernel ``op`` on ``data``'s values; an NDArray of the input's dtype."""
    _ndim(fn, data)
    x = to_numpy(data)
    res = op(x, *args)
    return _into(_array(res, dtype=jax.dtypes.canonicalize_dtype(res.dtype)), out)


# ----------------------------------------------------------------------------- JAX ops
def _to_tensor(a: jax.Array) -> jax.Array:
    perm = (2, 0, 1) if a.ndim == 3 else (0, 3, 1, 2)
    return jnp.transpose(a, perm).astype(jnp.float32) / jnp.float32(255)


def to_tensor(data: Any, out: Any = None) -> Any:
    """HWC image (or NHWC batch) in [0, 255] to CHW (NCHW) float32 in [0, 1].

    Args:
        data: NDArray of any real dtype, shape (H, W, C) or (N, H, W, C).
        out: optional NDArray to write the result into.

    Returns:
        float32 NDArray of shape (C, H, W) or (N, C, H, W).

    Examples:
        >>> from mxjax import nd
        >>> nd.image.to_tensor(nd.full((2, 2, 3), 255, dtype="uint8"))[:, 0, 0].asnumpy()
        array([1., 1., 1.], dtype=float32)
    """
    _ndim("to_tensor", data)
    return _into(_apply(_to_tensor, data), out)


def _per_channel(fn: str, name: str, v: Any, c: int) -> np.ndarray:
    arr = np.asarray(v, np.float64).reshape(-1)
    if arr.size == 1:
        arr = np.repeat(arr, c)
    if arr.size != c:
        raise TransformInputError(
            f"nd.image.{fn}: {name} must have 1 or {c} values for an input with {c} channels, "
            f"received {v!r}"
        )
    return arr


def _normalize(a: jax.Array, mean: tuple, inv_std: tuple) -> jax.Array:
    if not jnp.issubdtype(a.dtype, jnp.floating):
        a = a.astype(jnp.float32)
    shape = (-1, 1, 1) if a.ndim == 3 else (1, -1, 1, 1)
    m = jnp.asarray(mean, a.dtype).reshape(shape)
    s = jnp.asarray(inv_std, a.dtype).reshape(shape)
    return (a - m) * s


def normalize(data: Any, mean: Any = 0.0, std: Any = 1.0, out: Any = None) -> Any:
    """``(data - mean[c]) / std[c]`` per channel of a CHW image or an NCHW batch.

    Args:
        data: NDArray of shape (C, H, W) or (N, C, H, W); integer inputs give float32.
        mean: a float, or one value per channel.
        std: a float, or one non-zero value per channel.
        out: optional NDArray to write the result into.

    Raises:
        TransformInputError: a ``mean``/``std`` of the wrong length, or a zero ``std``.

    Examples:
        >>> from mxjax import nd
        >>> x = nd.ones((2, 1, 1))
        >>> nd.image.normalize(x, mean=(0.5, 0.0), std=(0.5, 2.0)).asnumpy().ravel()
        array([1. , 0.5], dtype=float32)
    """
    _ndim("normalize", data, "CHW")
    c = np.shape(data)[-3]
    m = _per_channel("normalize", "mean", mean, c)
    s = _per_channel("normalize", "std", std, c)
    if np.any(s == 0):
        raise TransformInputError(f"nd.image.normalize: std must be non-zero, received {std!r}")
    return _into(_apply(_normalize, data, tuple(m), tuple(1.0 / s)), out)


def _check_region(shape: tuple, x: int, y: int, width: int, height: int) -> None:
    hh, ww = shape[-3], shape[-2]
    if x < 0 or y < 0 or width <= 0 or height <= 0 or x + width > ww or y + height > hh:
        raise TransformInputError(
            f"nd.image.crop: the region x={x}, y={y}, width={width}, height={height} must be "
            f"non-empty and inside the {hh}x{ww} (height x width) image"
        )


def _crop(a: jax.Array, x: int, y: int, w: int, h: int) -> jax.Array:
    return a[..., y : y + h, x : x + w, :]


def crop(data: Any, x: int, y: int, width: int, height: int, out: Any = None) -> Any:
    """The region of ``width`` x ``height`` pixels at column ``x``, row ``y`` of HWC image(s).

    Args:
        data: NDArray of shape (H, W, C) or (N, H, W, C).
        x: left column.
        y: top row.
        width: width of the region (> 0).
        height: height of the region (> 0).
        out: optional NDArray to write the result into.

    Raises:
        TransformInputError: a region that is empty or does not fit in the image.

    Examples:
        >>> from mxjax import nd
        >>> img = nd.arange(24).reshape((2, 4, 3))
        >>> nd.image.crop(img, 1, 0, 2, 1)[..., 0].asnumpy()
        array([[3., 6.]], dtype=float32)
    """
    _ndim("crop", data)
    x, y, width, height = int(x), int(y), int(width), int(height)
    _check_region(np.shape(data), x, y, width, height)
    return _into(_apply(_crop, data, x, y, width, height), out)


def _flip(a: jax.Array, axis: int) -> jax.Array:
    return jnp.flip(a, axis)


def flip_left_right(data: Any, out: Any = None) -> Any:
    """Mirrors HWC image(s) horizontally (reverses the width axis).

    Examples:
        >>> from mxjax import nd
        >>> nd.image.flip_left_right(nd.arange(3).reshape((1, 3, 1))).asnumpy().ravel()
        array([2., 1., 0.], dtype=float32)
    """
    _ndim("flip_left_right", data)
    return _into(_apply(_flip, data, -2), out)


def flip_top_bottom(data: Any, out: Any = None) -> Any:
    """Mirrors HWC image(s) vertically (reverses the height axis).

    Examples:
        >>> from mxjax import nd
        >>> nd.image.flip_top_bottom(nd.arange(3).reshape((3, 1, 1))).asnumpy().ravel()
        array([2., 1., 0.], dtype=float32)
    """
    _ndim("flip_top_bottom", data)
    return _into(_apply(_flip, data, -3), out)


def _random_flip(fn: str, data: Any, axis: int, out: Any) -> Any:
    nd = _ndim(fn, data)
    flip = get_rng().random(np.shape(data)[0] if nd == 4 else 1) < 0.5
    if nd == 3:
        res = _apply(_flip, data, axis) if flip[0] else _apply(jnp.array, data)
    else:
        res = _apply(_flip_where, data, axis, tuple(bool(f) for f in flip))
    return _into(res, out)


def _flip_where(a: jax.Array, axis: int, flip: tuple) -> jax.Array:
    mask = jnp.asarray(flip).reshape((-1,) + (1,) * (a.ndim - 1))
    return jnp.where(mask, jnp.flip(a, axis), a)


def random_flip_left_right(data: Any, out: Any = None) -> Any:
    """:func:`flip_left_right` with probability 0.5 (drawn per image for a batch).

    Examples:
        >>> from mxjax import nd
        >>> nd.image.random_flip_left_right(nd.zeros((2, 3, 3))).shape
        (2, 3, 3)
    """
    return _random_flip("random_flip_left_right", data, -2, out)


def random_flip_top_bottom(data: Any, out: Any = None) -> Any:
    """:func:`flip_top_bottom` with probability 0.5 (drawn per image for a batch).

    Examples:
        >>> from mxjax import nd
        >>> nd.image.random_flip_top_bottom(nd.zeros((2, 3, 3))).shape
        (2, 3, 3)
    """
    return _random_flip("random_flip_top_bottom", data, -3, out)


# ----------------------------------------------------------------------------- host ops
def resize(
    data: Any, size: Any = (), keep_ratio: bool = False, interp: int = 1, out: Any = None
) -> Any:
    """Resizes HWC image(s) to ``size = (width, height)`` (or an int: a square).

    With ``keep_ratio`` and an int ``size`` the shorter side becomes ``size``.
    The output keeps the input's dtype (integers are rounded and clipped), as
    OpenCV's ``resize`` which MXNet uses.

    Args:
        data: NDArray of shape (H, W, C) or (N, H, W, C).
        size: int, ``(size,)`` or ``(width, height)``.
        keep_ratio: keep the aspect ratio (int ``size`` only).
        interp: 0 nearest, 1 bilinear, 2 bicubic, 3 area (OpenCV's 4, Lanczos,
            is not supported and raises ``ValueError``).
        out: optional NDArray to write the result into.

    Examples:
        >>> from mxjax import nd
        >>> nd.image.resize(nd.zeros((8, 12, 3), dtype="uint8"), 4, keep_ratio=True).shape
        (4, 6, 3)
    """
    _ndim("resize", data)
    size = tuple(size) if isinstance(size, (tuple, list)) else (size,)
    if len(size) not in (1, 2) or any(int(s) != s or s <= 0 for s in size):
        raise TransformInputError(
            f"nd.image.resize: size must be a positive int or a (width, height) pair, "
            f"received {size!r}"
        )
    hh, ww = np.shape(data)[-3], np.shape(data)[-2]
    if len(size) == 1:
        w = h = int(size[0])
        if keep_ratio:
            w, h = ops.keep_ratio_size(hh, ww, w)
    else:
        w, h = int(size[0]), int(size[1])
    return _host("resize", ops.resize, data, (w, h), interp, out=out)


def adjust_lighting(data: Any, alpha: Any, out: Any = None) -> Any:
    """Adds AlexNet's PCA lighting noise for the 3 weights ``alpha`` to an RGB HWC image.

    Examples:
        >>> from mxjax import nd
        >>> img = nd.zeros((1, 1, 3))
        >>> nd.image.adjust_lighting(img, alpha=(0.1, 0.0, 0.0)).asnumpy().ravel().round(3)
        array([-3.147, -3.221, -3.237], dtype=float32)
    """
    a = np.asarray(alpha, np.float32)
    if a.shape != (3,):
        raise TransformInputError(
            f"nd.image.adjust_lighting: alpha must have 3 values, received {alpha!r}"
        )
    return _host("adjust_lighting", ops.adjust_lighting, data, a, out=out)


def _factor(fn: str, data: Any, min_factor: float, max_factor: float) -> Any:
    if not 0 <= min_factor <= max_factor:
        raise TransformInputError(
            f"nd.image.{fn}: need 0 <= min_factor <= max_factor, received "
            f"min_factor={min_factor!r}, max_factor={max_factor!r}"
        )
    n = np.shape(data)[0] if _ndim(fn, data) == 4 else None
    alpha = get_rng().uniform(min_factor, max_factor, size=n)
    return np.float32(alpha) if n is None else alpha.astype(np.float32)


def random_brightness(data: Any, min_factor: float, max_factor: float, out: Any = None) -> Any:
    """Multiplies by ``alpha ~ U(min_factor, max_factor)`` (one draw per image).

    Examples:
        >>> from mxjax import nd
        >>> nd.image.random_brightness(nd.ones((2, 2, 3)), 2.0, 2.0).asnumpy().max()
        np.float32(2.0)
    """
    a = _factor("random_brightness", data, min_factor, max_factor)
    return _host("random_brightness", ops.adjust_brightness, data, a, out=out)


def random_contrast(data: Any, min_factor: float, max_factor: float, out: Any = None) -> Any:
    """Blends with the mean grey level by ``alpha ~ U(min_factor, max_factor)``.

    Examples:
        >>> from mxjax import nd
        >>> nd.image.random_contrast(nd.ones((2, 2, 3)), 0.5, 1.5).shape
        (2, 2, 3)
    """
    a = _factor("random_contrast", data, min_factor, max_factor)
    return _host("random_contrast", ops.adjust_contrast, data, a, out=out)


def random_saturation(data: Any, min_factor: float, max_factor: float, out: Any = None) -> Any:
    """Blends each pixel with its grey level by ``alpha ~ U(min_factor, max_factor)``.

    Examples:
        >>> from mxjax import nd
        >>> nd.image.random_saturation(nd.ones((2, 2, 3)), 0.5, 1.5).shape
        (2, 2, 3)
    """
    a = _factor("random_saturation", data, min_factor, max_factor)
    return _host("random_saturation", ops.adjust_saturation, data, a, out=out)


def random_hue(data: Any, min_factor: float, max_factor: float, out: Any = None) -> Any:
    """Rotates the hue by ``(alpha - 1) * 360`` degrees, ``alpha ~ U(min_factor, max_factor)``.

    Examples:
        >>> from mxjax import nd
        >>> nd.image.random_hue(nd.ones((2, 2, 3)), 0.9, 1.1).shape
        (2, 2, 3)
    """
    a = _factor("random_hue", data, min_factor, max_factor)
    return _host("random_hue", ops.adjust_hue, data, a, out=out)


def random_color_jitter(
    data: Any, brightness: float, contrast: float, saturation: float, hue: float, out: Any = None
) -> Any:
    """Brightness, contrast, saturation and hue jitter in a random order.

    The same operation as ``transforms.RandomColorJitter``.

    Examples:
        >>> from mxjax import nd
        >>> nd.image.random_color_jitter(nd.ones((2, 2, 3)), 0.1, 0.1, 0.1, 0.1).shape
        (2, 2, 3)
    """
    jitter = _t.RandomColorJitter(brightness, contrast, saturation, hue)
    return _host("random_color_jitter", jitter, data, out=out)


def random_lighting(data: Any, alpha_std: float = 0.05, out: Any = None) -> Any:
    """:func:`adjust_lighting` with ``alpha ~ N(0, alpha_std)`` per channel.

    Examples:
        >>> from mxjax import nd
        >>> nd.image.random_lighting(nd.ones((2, 2, 3))).shape
        (2, 2, 3)
    """
    return _host("random_lighting", _t.RandomLighting(alpha_std), data, out=out)
