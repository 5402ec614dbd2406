"""Geometric vision transforms of MXNet 1.9.1: ``CropResize``, ``Rotate``, ``RandomRotation``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mxjax._src.data import image_ops as ops
from mxjax._src.data.batchify import to_numpy
from mxjax._src.data.rng import get_rng
from mxjax._src.errors import MXJaxError

__all__ = ["CropResize", "RandomRotation", "Rotate", "TransformInputError", "rotate"]


class TransformInputError(MXJaxError, ValueError):
    """An image a transform cannot take (wrong rank, channels or crop box); a ValueError.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import CropResize, TransformInputError
        >>> try:
        ...     CropResize(0, 0, 9, 9)(np.zeros((4, 4, 3)))
        ... except TransformInputError as e:
        ...     print(isinstance(e, ValueError))
        True
    """


class CropResize:
    """Crops the box ``(x, y, width, height)`` of an HWC image or NHWC batch, then resizes.

    Args:
        x: left column of the box.
        y: top row of the box.
        width: box width (> 0).
        height: box height (> 0).
        size: optional output ``(width, height)`` (or an int for a square).
        interpolation: 0 nearest, 1 bilinear (for the resize).

    Raises:
        TransformInputError: when called on an image the box does not fit, or with
            a non-positive box or size.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import CropResize
        >>> CropResize(0, 0, 3, 2)(np.arange(60).reshape(5, 4, 3)).shape
        (2, 3, 3)
    """

    _batchable = True

    def __init__(
        self, x: int, y: int, width: int, height: int, size: Any = None, interpolation: Any = None
    ):
        self._box = (int(x), int(y), int(width), int(height))
        self._size = size
        self._interp = 1 if interpolation is None else int(interpolation)

    def __call__(self, img: Any) -> np.ndarray:
        img = to_numpy(img)
        if img.ndim not in (3, 4):
            raise TransformInputError(
                f"CropResize: expected an HWC image or an NHWC batch, received shape {img.shape}"
            )
        x0, y0, w, h = self._box
        if w <= 0 or h <= 0 or x0 < 0 or y0 < 0:
            raise TransformInputError(
                f"CropResize: the box (x={x0}, y={y0}, width={w}, height={h}) must have x, y >= 0 "
                "and a positive width and height"
            )
        hh, ww = img.shape[-3], img.shape[-2]
        if x0 + w > ww or y0 + h > hh:
            raise TransformInputError(
                f"CropResize: the box (x={x0}, y={y0}, width={w}, height={h}) exceeds the image "
                f"of width {ww} and height {hh}"
            )
        size = None
        if self._size is not None:
            size = (self._size, self._size) if np.isscalar(self._size) else tuple(self._size)
            if len(size) != 2 or min(size) <= 0:
                raise TransformInputError(
                    f"CropResize: size must be a positive int or (width, height); "
                    f"received {self._size!r}"
                )
        return ops.fixed_crop(img, x0, y0, w, h, size, self._interp)


def _zoom_factor(h: int, w: int, angle: float, zoom_in: bool, zoom_out: bool) -> float:
    c, s = abs(math.cos(angle)), abs(math.sin(angle))
    fit = min(w / (c * w + s * h), h / (s * w + c * h))  # rotated window inside the image
    if zoom_in:
        return fit
    if zoom_out:
        return 1.0 / fit
    return 1.0


def rotate(x: np.ndarray, degrees: Any, zoom_in: bool = False, zoom_out: bool = False):
    """Rotates CHW images (or an NCHW batch) counter-clockwise by ``degrees`` about the centre.

    Bilinear sampling, zeros outside the image; ``zoom_in`` scales so no zeros
    enter, ``zoom_out`` so the whole rotated image stays visible. ``degrees`` is a
    number or one per image of a batch.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.transforms_geometry import rotate
        >>> img = np.zeros((1, 3, 3), np.float32); img[0, 1, 2] = 1
        >>> rotate(img, 90.0)[0].tolist()
        [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    batch = x.ndim == 4
    xs = x if batch else x[None]
    deg = np.broadcast_to(np.asarray(degrees, np.float64), (xs.shape[0],))
    n, _, h, w = xs.shape
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    yy, xx = np.meshgrid(np.arange(h) - cy, np.arange(w) - cx, indexing="ij")
    out = np.empty(xs.shape, np.float32)
    for i in range(n):
        a = math.radians(float(deg[i]))
        f = _zoom_factor(h, w, a, zoom_in, zoom_out)
        ca, sa = math.cos(a), math.sin(a)
        sx = cx + f * (ca * xx - sa * yy)
        sy = cy + f * (sa * xx + ca * yy)
        x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
        fx, fy = (sx - x0).astype(np.float32), (sy - y0).astype(np.float32)
        acc = np.zeros((xs.shape[1], h, w), np.float32)
        for dy, wy in ((0, 1 - fy), (1, fy)):
            for dx, wx in ((0, 1 - fx), (1, fx)):
                px, py = x0 + dx, y0 + dy
                ok = (px >= 0) & (px < w) & (py >= 0) & (py < h)
                vals = xs[i][:, np.clip(py, 0, h - 1), np.clip(px, 0, w - 1)]
                acc += np.where(ok, vals * (wy * wx), 0)
        out[i] = np.where(np.abs(acc) < 1e-6, 0, acc)  # exact zeros for right angles
    out = out.astype(x.dtype)
    return out if batch else out[0]


def _check_float_chw(name: str, x: np.ndarray) -> None:
    if x.dtype.kind != "f":
        raise TypeError(
            f"{name}: only floating-point CHW/NCHW images can be rotated (as MXNet); received "
            f"dtype {x.dtype}. Use ToTensor() first."
        )
    if x.ndim not in (3, 4):
        raise TransformInputError(
            f"{name}: expected a CHW image or an NCHW batch, received shape {x.shape}"
        )


class Rotate:
    """Rotates CHW float images (or an NCHW batch) by ``rotation_degrees`` counter-clockwise.

    Args:
        rotation_degrees: the angle in degrees.
        zoom_in: zoom so that no padding enters the image.
        zoom_out: zoom out so that the whole rotated image is visible.

    Raises:
        TypeError: for integer images (rotate after ``ToTensor``).

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import Rotate
        >>> Rotate(180.0)(np.arange(4, dtype=np.float32).reshape(1, 2, 2))[0].tolist()
        [[3.0, 2.0], [1.0, 0.0]]
    """

    def __init__(self, rotation_degrees: float, zoom_in: bool = False, zoom_out: bool = False):
        self._deg = float(rotation_degrees)
        self._zoom = (bool(zoom_in), bool(zoom_out))

    def __call__(self, x: Any) -> np.ndarray:
        x = to_numpy(x)
        _check_float_chw("Rotate", x)
        return rotate(x, self._deg, *self._zoom)


class RandomRotation:
    """Rotates by an angle drawn uniformly from ``angle_limits`` with probability ``rotate_with_proba``.

    Args:
        angle_limits: ``(min_degrees, max_degrees)``.
        zoom_in: zoom so that no padding enters the image.
        zoom_out: zoom out so that the whole rotated image is visible.
        rotate_with_proba: probability of rotating, in ``[0, 1]``.

    Raises:
        ValueError: for a probability outside ``[0, 1]`` or bad limits.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomRotation
        >>> RandomRotation((-10, 10))(np.ones((3, 8, 8), np.float32)).shape
        (3, 8, 8)
    """

    def __init__(
        self,
        angle_limits: Any,
        zoom_in: bool = False,
        zoom_out: bool = False,
        rotate_with_proba: float = 1.0,
    ):
        if not 0 <= rotate_with_proba <= 1:
            raise ValueError(
                f"RandomRotation: rotate_with_proba must be in [0, 1]; received {rotate_with_proba!r}"
            )
        lo, hi = (float(a) for a in angle_limits)
        if lo > hi:
            raise ValueError(
                f"RandomRotation: angle_limits must be (min, max); received {angle_limits!r}"
            )
        self._limits = (lo, hi)
        self._zoom = (bool(zoom_in), bool(zoom_out))
        self._proba = float(rotate_with_proba)

    def __call__(self, x: Any) -> np.ndarray:
        x = to_numpy(x)
        _check_float_chw("RandomRotation", x)
        rng = get_rng()
        if self._proba < 1 and rng.random() >= self._proba:
            return x
        n = x.shape[0] if x.ndim == 4 else 1
        deg = rng.uniform(self._limits[0], self._limits[1], size=n)
        return rotate(x, deg if x.ndim == 4 else deg[0], *self._zoom)
