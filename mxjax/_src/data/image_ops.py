"""NumPy image operations on HWC (or NHWC) arrays, with MXNet's ``nd.image`` formulas."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_lighting",
    "adjust_saturation",
    "center_crop",
    "fixed_crop",
    "keep_ratio_size",
    "random_size_box",
    "resize",
    "saturate_cast",
]

_GRAY = np.array([0.299, 0.587, 0.114], np.float32)
# AlexNet PCA lighting: eigenvalues times eigenvectors (rows: R, G, B), as MXNet.
_EIG = np.array(
    [
        [55.46 * -0.5675, 4.794 * 0.7192, 1.148 * 0.4009],
        [55.46 * -0.5808, 4.794 * -0.0045, 1.148 * -0.8140],
        [55.46 * -0.5836, 4.794 * -0.6948, 1.148 * 0.4203],
    ],
    np.float32,
)


def saturate_cast(x: np.ndarray, dtype: Any) -> np.ndarray:
    """Casts float values to ``dtype``, clipping to its range and truncating for integers.

    Truncation (not rounding) is what MXNet's ``saturate_cast`` does.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import saturate_cast
        >>> saturate_cast(np.array([-3.0, 7.6, 300.0]), np.uint8).tolist()
        [0, 7, 255]
    """
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(x, info.min, info.max).astype(dtype)
    return x.astype(dtype)


def _check_hwc(fn: str, x: np.ndarray) -> None:
    if x.ndim not in (3, 4) or x.shape[-1] not in (1, 3):
        raise ValueError(
            f"{fn}: expected an HWC or NHWC image with 1 or 3 channels, received shape {x.shape}"
        )


def _per_image(alpha: Any, x: np.ndarray) -> np.ndarray:
    """Broadcasts a scalar or per-image (N,) factor against an HWC/NHWC image."""
    a = np.asarray(alpha, np.float32)
    if a.ndim == 0:
        return a
    return a.reshape((-1,) + (1,) * (x.ndim - 1))


def adjust_brightness(x: np.ndarray, alpha: Any) -> np.ndarray:
    """``x * alpha`` (MXNet ``AdjustBrightness``); ``alpha`` scalar or one per image.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import adjust_brightness
        >>> adjust_brightness(np.full((1, 1, 3), 200, np.uint8), 1.5).ravel().tolist()
        [255, 255, 255]
    """
    _check_hwc("adjust_brightness", x)
    return saturate_cast(x.astype(np.float32) * _per_image(alpha, x), x.dtype)


def _gray(xf: np.ndarray) -> np.ndarray:
    if xf.shape[-1] == 1:
        return xf
    return (xf @ _GRAY)[..., None]


def adjust_contrast(x: np.ndarray, alpha: Any) -> np.ndarray:
    """Blends with the image's mean grey level: ``x * alpha + (1 - alpha) * mean(gray)``.

    Grey is ``0.299 R + 0.587 G + 0.114 B`` (the channel itself for one
    channel), averaged over each image, as MXNet's ``AdjustContrast``.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import adjust_contrast
        >>> adjust_contrast(np.array([[[0.0], [10.0]]]), 0.5).ravel().tolist()
        [2.5, 7.5]
    """
    _check_hwc("adjust_contrast", x)
    xf = x.astype(np.float32)
    mean = _gray(xf).mean(axis=(-3, -2, -1), keepdims=True)
    a = _per_image(alpha, x)
    return saturate_cast(xf * a + (1 - a) * mean, x.dtype)


def adjust_saturation(x: np.ndarray, alpha: Any) -> np.ndarray:
    """Blends each pixel with its grey level: ``x * alpha + (1 - alpha) * gray``.

    Grey is ``0.299 R + 0.587 G + 0.114 B``. (MXNet 1.9.1's kernel overwrites
    instead of summing, so its grey is ``0.114 B`` only; mxjax uses the
    intended luminance.) One-channel images are returned unchanged.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import adjust_saturation
        >>> adjust_saturation(np.array([[[1.0, 0.0, 0.0]]]), 0.0).ravel().round(3).tolist()
        [0.299, 0.299, 0.299]
    """
    _check_hwc("adjust_saturation", x)
    if x.shape[-1] == 1:
        return x.copy()
    xf = x.astype(np.float32)
    a = _per_image(alpha, x)
    return saturate_cast(xf * a + (1 - a) * _gray(xf), x.dtype)


def _rgb_to_hls(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r, g, b = np.moveaxis(rgb / np.float32(255), -1, 0)
    vmax = np.maximum(np.maximum(r, g), b)
    vmin = np.minimum(np.minimum(r, g), b)
    diff = vmax - vmin
    light = (vmax + vmin) * 0.5
    ok = diff > np.finfo(np.float32).eps
    safe = np.where(ok, diff, 1)
    s = np.where(
        light < 0.5, diff / np.where(ok, vmax + vmin, 1), diff / np.where(ok, 2 - vmax - vmin, 1)
    )
    k = 60 / safe
    h = np.where(vmax == r, (g - b) * k, np.where(vmax == g, (b - r) * k + 120, (r - g) * k + 240))
    h = np.where(h < 0, h + 360, h)
    return np.where(ok, h, 0), light, np.where(ok, s, 0)


def _hls_to_rgb(h: np.ndarray, light: np.ndarray, s: np.ndarray) -> np.ndarray:
    p2 = np.where(light <= 0.5, light * (1 + s), light + s - light * s)
    p1 = 2 * light - p2
    h = np.mod(h / 60, 6)
    sector = np.minimum(h.astype(np.int64), 5)
    f = h - sector
    tab = np.stack([p2, p1, p1 + (p2 - p1) * (1 - f), p1 + (p2 - p1) * f])
    # Rows: for each sector, which tab entry gives (b, g, r).
    sectors = np.array([[1, 3, 0], [1, 0, 2], [3, 0, 1], [0, 2, 1], [0, 1, 3], [2, 1, 0]])
    idx = sectors[sector]  # (..., 3) indices into tab for b, g, r
    bgr = np.take_along_axis(np.moveaxis(tab, 0, -1), idx, axis=-1)
    rgb = bgr[..., ::-1]
    grey = (s == 0)[..., None]
    return np.where(grey, light[..., None], rgb) * np.float32(255)


def adjust_hue(x: np.ndarray, alpha: Any) -> np.ndarray:
    """Rotates the hue by ``alpha * 360`` degrees in HLS space (MXNet's ``AdjustHue``).

    One-channel images are returned unchanged.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import adjust_hue
        >>> adjust_hue(np.array([[[255, 0, 0]]], np.uint8), 1 / 3).ravel().tolist()
        [0, 255, 0]
    """
    _check_hwc("adjust_hue", x)
    if x.shape[-1] == 1:
        return x.copy()
    h, light, s = _rgb_to_hls(x.astype(np.float32))
    a = np.asarray(alpha, np.float32)
    if a.ndim:
        a = a.reshape((-1,) + (1,) * (h.ndim - 1))
    return saturate_cast(_hls_to_rgb(h + a * 360, light, s), x.dtype)


def adjust_lighting(x: np.ndarray, alpha: Any) -> np.ndarray:
    """Adds AlexNet's PCA lighting noise ``eigvec @ (alpha * eigval)`` to every pixel.

    Args:
        x: HWC/NHWC RGB image.
        alpha: shape (3,), or (N, 3) for a batch.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import adjust_lighting
        >>> out = adjust_lighting(np.zeros((1, 1, 3), np.float32), [0.1, 0, 0])
        >>> [round(float(v), 3) for v in out.ravel()]
        [-3.147, -3.221, -3.237]
    """
    _check_hwc("adjust_lighting", x)
    if x.shape[-1] == 1:
        return x.copy()
    a = np.asarray(alpha, np.float32)
    pca = a @ _EIG.T  # (3,) or (N, 3)
    if pca.ndim == 2:
        pca = pca.reshape(-1, 1, 1, 3)
    return saturate_cast(x.astype(np.float32) + pca, x.dtype)


def _resize_axis(n_in: int, n_out: int, interp: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scale = n_in / n_out
    if interp == 0:
        i0 = np.minimum(np.floor(np.arange(n_out) * scale).astype(np.int64), n_in - 1)
        return i0, i0, np.zeros(n_out, np.float32)
    src = (np.arange(n_out) + 0.5) * scale - 0.5
    src = np.maximum(src, 0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, (src - i0).astype(np.float32)


def _cubic_axis(x: np.ndarray, n_in: int, n_out: int, axis: int) -> np.ndarray:
    """OpenCV's bicubic resampling (a = -0.75, pixel centres, replicated border) on one axis."""
    src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    i0 = np.floor(src).astype(np.int64)
    t = (src - i0).astype(np.float32)
    a = -0.75

    def k(d):
        d = np.abs(d)
        return np.where(
            d <= 1,
            (a + 2) * d**3 - (a + 3) * d**2 + 1,
            np.where(d < 2, a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a, 0.0),
        ).astype(np.float32)

    out = 0
    for off in (-1, 0, 1, 2):
        idx = np.clip(i0 + off, 0, n_in - 1)
        wgt = k(t - off)
        shape = [1] * x.ndim
        shape[axis] = n_out
        out = out + np.take(x, idx, axis=axis) * wgt.reshape(shape)
    return out


def random_size_box(
    h: int, w: int, area: tuple[float, float], ratio: tuple[float, float], rng: Any
) -> tuple[int, int, int, int] | None:
    """A random ``(x0, y0, w, h)`` of relative ``area`` and aspect ``ratio`` (10 tries) or None.

    The Inception-style crop of MXNet's ``image.random_size_crop`` and
    ``transforms.RandomResizedCrop``; None means no try fitted (callers then crop
    the centre).

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import random_size_box
        >>> x0, y0, bw, bh = random_size_box(20, 30, (0.5, 0.5), (1.0, 1.0), np.random.default_rng(0))
        >>> bw, bh
        (17, 17)
    """
    lo, hi = math.log(ratio[0]), math.log(ratio[1])
    for _ in range(10):
        target = rng.uniform(area[0], area[1]) * h * w
        aspect = math.exp(rng.uniform(lo, hi))
        new_w = int(round(math.sqrt(target * aspect)))
        new_h = int(round(math.sqrt(target / aspect)))
        if 0 < new_w <= w and 0 < new_h <= h:
            x0 = int(rng.integers(0, w - new_w + 1))
            y0 = int(rng.integers(0, h - new_h + 1))
            return x0, y0, new_w, new_h
    return None


def keep_ratio_size(h: int, w: int, short: int) -> tuple[int, int]:
    """``(width, height)`` with the shorter side ``short`` and the aspect ratio of ``h x w``.

    Examples:
        >>> from mxjax._src.data.image_ops import keep_ratio_size
        >>> keep_ratio_size(8, 12, 4)
        (6, 4)
    """
    if h > w:
        return short, int(h * short / w)
    return int(w * short / h), short


def _area_matrix(n_in: int, n_out: int, shrink: bool) -> np.ndarray:
    """OpenCV's ``INTER_AREA`` weights along one axis, as an (n_out, n_in) matrix.

    Shrinking both axes averages the source pixels each output pixel covers
    (weighted by overlap); otherwise OpenCV interpolates linearly between
    ``floor(d * scale)`` and the next pixel with its area-mode fraction.
    """
    scale = n_in / n_out
    w = np.zeros((n_out, n_in), np.float64)
    for d in range(n_out):
        if shrink:
            start, end = d * scale, (d + 1) * scale
            for sx in range(int(math.floor(start)), min(int(math.ceil(end)), n_in)):
                w[d, sx] = (min(end, sx + 1) - max(start, sx)) / scale
            continue
        sx = int(math.floor(d * scale))
        f = (d + 1) - (sx + 1) / scale
        f = 0.0 if f <= 0 else f - math.floor(f)
        if sx >= n_in - 1:
            sx, f = n_in - 1, 0.0
        w[d, sx] += 1 - f
        if f:
            w[d, sx + 1] += f
    return w


def _resize_area(x: np.ndarray, h: int, w: int) -> np.ndarray:
    hin, win = x.shape[-3], x.shape[-2]
    shrink = hin >= h and win >= w
    wy = _area_matrix(hin, h, shrink).astype(np.float32)
    wx = _area_matrix(win, w, shrink).astype(np.float32)
    out = np.einsum("yh,...hwc->...ywc", wy, x.astype(np.float32))
    return np.einsum("xw,...ywc->...yxc", wx, out)


def resize(x: np.ndarray, size: tuple[int, int], interpolation: int = 1) -> np.ndarray:
    """Resizes an HWC/NHWC image to ``size = (width, height)`` like OpenCV's ``resize``.

    Args:
        x: the image(s).
        size: ``(width, height)``.
        interpolation: 0 nearest, 1 bilinear, 2 bicubic, 3 area (OpenCV's conventions).

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import resize
        >>> resize(np.arange(4, dtype=np.float32).reshape(1, 4, 1), (2, 1)).ravel().tolist()
        [0.5, 2.5]
    """
    if interpolation not in (0, 1, 2, 3):
        raise ValueError(
            "resize: interpolation must be 0 (nearest), 1 (bilinear), 2 (bicubic) or 3 (area), "
            f"received {interpolation!r} (Lanczos, 4, is not supported)"
        )
    w, h = int(size[0]), int(size[1])
    if w < 1 or h < 1:
        raise ValueError(f"resize: size must be positive (width, height), received {size}")
    hin, win = x.shape[-3], x.shape[-2]
    if interpolation == 3:
        out = _resize_area(x, h, w)
        return saturate_cast(np.rint(out) if x.dtype.kind in "iu" else out, x.dtype)
    if interpolation == 2:
        out = _cubic_axis(x.astype(np.float32), hin, h, -3)
        out = _cubic_axis(out, win, w, -2)
        return saturate_cast(np.rint(out) if x.dtype.kind in "iu" else out, x.dtype)
    y0, y1, fy = _resize_axis(hin, h, interpolation)
    x0, x1, fx = _resize_axis(win, w, interpolation)
    if interpolation == 0:
        return x[..., y0, :, :][..., :, x0, :].copy()
    xf = x.astype(np.float32)
    fx = fx[:, None]
    top = xf[..., y0, :, :]
    bot = xf[..., y1, :, :]
    rows = top + (bot - top) * fy[:, None, None]
    left, right = rows[..., :, x0, :], rows[..., :, x1, :]
    out = left + (right - left) * fx
    return saturate_cast(np.rint(out) if x.dtype.kind in "iu" else out, x.dtype)


def fixed_crop(
    x: np.ndarray, x0: int, y0: int, w: int, h: int, size: tuple[int, int] | None = None,
    interpolation: int = 1,
) -> np.ndarray:  # fmt: skip
    """Crops ``(x0, y0, w, h)`` and resizes to ``size = (width, height)`` if it differs.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import fixed_crop
        >>> fixed_crop(np.zeros((5, 6, 3)), 1, 2, 3, 2).shape
        (2, 3, 3)
    """
    out = x[..., y0 : y0 + h, x0 : x0 + w, :]
    if size is not None and (w, h) != tuple(size):
        out = resize(out, size, interpolation)
    return out


def center_crop(x: np.ndarray, size: tuple[int, int], interpolation: int = 1) -> np.ndarray:
    """Crops the centre with the aspect ratio of ``size = (width, height)``, then resizes.

    As MXNet's ``image.center_crop``: if the image is smaller than ``size`` the
    largest centred region with that aspect ratio is taken and upsampled.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.data.image_ops import center_crop
        >>> center_crop(np.arange(25).reshape(5, 5, 1), (3, 3))[..., 0].tolist()
        [[6, 7, 8], [11, 12, 13], [16, 17, 18]]
    """
    hh, ww = x.shape[-3], x.shape[-2]
    new_w, new_h = float(size[0]), float(size[1])
    if hh < new_h:
        new_w, new_h = new_w * hh / new_h, hh
    if ww < new_w:
        new_w, new_h = ww, new_h * ww / new_w
    new_w, new_h = int(new_w), int(new_h)
    x0, y0 = int((ww - new_w) / 2), int((hh - new_h) / 2)
    return fixed_crop(x, x0, y0, new_w, new_h, tuple(size), interpolation)
