"""MXNet's ``mx.image`` augmenters (``Augmenter``, ``CreateAugmenter`` ...) on HWC images.

Each augmenter works on NumPy arrays (``_np``) and is called on an NDArray
(NDArray out, as MXNet) or a NumPy array (NumPy out). Lists of augmenters
(``SequentialAug``, ``RandomOrderAug``) pass NumPy arrays between their members,
so a chain converts once. Randomness comes from :func:`mxjax.data.get_rng`
(seeded per sample inside a DataLoader).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from mxjax._src.data import image_ops as ops, mx_image as mxi
from mxjax._src.data.batchify import to_numpy
from mxjax._src.data.rng import get_rng

__all__ = [
    "Augmenter",
    "BrightnessJitterAug",
    "CastAug",
    "CenterCropAug",
    "ColorJitterAug",
    "ColorNormalizeAug",
    "ContrastJitterAug",
    "CreateAugmenter",
    "ForceResizeAug",
    "HorizontalFlipAug",
    "HueJitterAug",
    "LightingAug",
    "RandomCropAug",
    "RandomGrayAug",
    "RandomOrderAug",
    "RandomSizedCropAug",
    "ResizeAug",
    "SaturationJitterAug",
    "SequentialAug",
]

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _is_nd(x: Any) -> bool:
    return hasattr(x, "asnumpy") and not isinstance(x, np.ndarray)


class Augmenter:
    """Base class of the image augmenters: ``aug(src)`` returns the augmented HWC image.

    Subclasses implement ``_np(x)`` on NumPy arrays; a subclass that overrides
    ``__call__`` instead (MXNet's way) also works inside augmenter lists.
    ``dumps()`` describes the augmenter as JSON, as MXNet's.

    Examples:
        >>> import mxjax as mx
        >>> mx.image.CastAug().dumps()
        '["castaug", {"type": "float32"}]'
    """

    def __init__(self, **kwargs: Any):
        self._kwargs = {
            k: (to_numpy(v).tolist() if _is_nd(v) or isinstance(v, np.ndarray) else v)
            for k, v in kwargs.items()
        }

    def dumps(self) -> Any:
        """The augmenter as a JSON string ``[name, kwargs]``."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, src: Any) -> Any:
        out = self._np(to_numpy(src))
        return mxi._nd(np.ascontiguousarray(out)) if _is_nd(src) else out

    def _np(self, x: np.ndarray) -> np.ndarray:
        if type(self).__call__ is Augmenter.__call__:
            raise NotImplementedError(f"{type(self).__name__} must implement _np or __call__")
        return to_numpy(self(mxi._nd(x)))


class SequentialAug(Augmenter):
    """Applies the augmenters ``ts`` in order.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> aug = mx.image.SequentialAug([mx.image.CastAug(), mx.image.ForceResizeAug((2, 3))])
        >>> aug(np.zeros((6, 4, 3), np.uint8)).shape, aug.dumps()[0]
        ((3, 2, 3), 'sequentialaug')
    """

    def __init__(self, ts: list):
        super().__init__()
        self.ts = list(ts)

    def dumps(self) -> Any:
        """``[name, [member dumps]]`` (a list, as MXNet's)."""
        return [type(self).__name__.lower(), [t.dumps() for t in self.ts]]

    def _np(self, x: np.ndarray) -> np.ndarray:
        for t in self.ts:
            x = t._np(x)
        return x


class RandomOrderAug(SequentialAug):
    """Applies the augmenters ``ts`` in a random order.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.RandomOrderAug([mx.image.CastAug()])(np.zeros((2, 2, 3), np.uint8)).dtype
        dtype('float32')
    """

    def _np(self, x: np.ndarray) -> np.ndarray:
        for i in get_rng().permutation(len(self.ts)):
            x = self.ts[i]._np(x)
        return x


class ResizeAug(Augmenter):
    """Resizes so that the shorter side is ``size`` (see ``mx.image.resize_short``).

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.ResizeAug(4)(np.zeros((8, 12, 3), np.uint8)).shape
        (4, 6, 3)
    """

    def __init__(self, size: int, interp: int = 2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def _np(self, x: np.ndarray) -> np.ndarray:
        return to_numpy(mxi.resize_short(x, self.size, self.interp))


class ForceResizeAug(Augmenter):
    """Resizes to ``size = (width, height)`` regardless of the aspect ratio.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.ForceResizeAug((5, 2))(np.zeros((8, 12, 3), np.uint8)).shape
        (2, 5, 3)
    """

    def __init__(self, size: tuple, interp: int = 2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def _np(self, x: np.ndarray) -> np.ndarray:
        sizes = (x.shape[0], x.shape[1], self.size[1], self.size[0])
        return ops.resize(x, tuple(self.size), mxi._interp(self.interp, sizes))


class RandomCropAug(Augmenter):
    """A random crop of ``size = (width, height)`` (see ``mx.image.random_crop``).

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.RandomCropAug((4, 3))(np.zeros((8, 12, 3), np.uint8)).shape
        (3, 4, 3)
    """

    def __init__(self, size: tuple, interp: int = 2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def _np(self, x: np.ndarray) -> np.ndarray:
        return to_numpy(mxi.random_crop(x, self.size, self.interp)[0])


class RandomSizedCropAug(Augmenter):
    """A random crop of relative ``area`` and aspect ``ratio``, resized to ``size``.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> aug = mx.image.RandomSizedCropAug((4, 4), 0.3, (0.75, 1.33))
        >>> aug(np.zeros((8, 12, 3), np.uint8)).shape
        (4, 4, 3)
    """

    def __init__(self, size: tuple, area: Any, ratio: tuple, interp: int = 2, **kwargs: Any):
        if "min_area" in kwargs:  # MXNet's deprecated spelling
            area = kwargs.pop("min_area")
        if kwargs:
            raise TypeError(f"RandomSizedCropAug: unexpected keyword arguments {sorted(kwargs)}")
        super().__init__(size=size, area=area, ratio=ratio, interp=interp)
        self.size, self.area, self.ratio, self.interp = size, area, ratio, interp

    def _np(self, x: np.ndarray) -> np.ndarray:
        out = mxi.random_size_crop(x, self.size, self.area, self.ratio, self.interp)[0]
        return to_numpy(out)


class CenterCropAug(Augmenter):
    """The centre crop of ``size = (width, height)`` (see ``mx.image.center_crop``).

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.CenterCropAug((4, 4))(np.zeros((8, 12, 3), np.uint8)).shape
        (4, 4, 3)
    """

    def __init__(self, size: tuple, interp: int = 2):
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def _np(self, x: np.ndarray) -> np.ndarray:
        return to_numpy(mxi.center_crop(x, self.size, self.interp)[0])


def _uniform(k: float) -> float:
    return float(get_rng().uniform(-k, k))


def _same_kind(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """MXNet's in-place arithmetic keeps the image's dtype."""
    return out.astype(x.dtype) if x.dtype.kind == "f" else ops.saturate_cast(out, x.dtype)


class BrightnessJitterAug(Augmenter):
    """Multiplies by ``1 + U(-brightness, brightness)``.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.BrightnessJitterAug(0.0)(np.full((1, 1, 3), 2.0, np.float32)).ravel()
        array([2., 2., 2.], dtype=float32)
    """

    def __init__(self, brightness: float):
        super().__init__(brightness=brightness)
        self.brightness = brightness

    def _np(self, x: np.ndarray) -> np.ndarray:
        return _same_kind(x * np.float32(1.0 + _uniform(self.brightness)), x)


class ContrastJitterAug(Augmenter):
    """Blends with the mean luminance by ``alpha = 1 + U(-contrast, contrast)``.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.ContrastJitterAug(0.3)(np.ones((2, 2, 3), np.float32)).ravel()[0]
        np.float32(1.0)
    """

    def __init__(self, contrast: float):
        super().__init__(contrast=contrast)
        self.contrast = contrast

    def _np(self, x: np.ndarray) -> np.ndarray:
        alpha = np.float32(1.0 + _uniform(self.contrast))
        xf = x.astype(np.float32)
        gray = (xf * _LUMA).sum() * np.float32(3.0 * (1.0 - alpha) / x.size)
        return _same_kind(xf * alpha + gray, x)


class SaturationJitterAug(Augmenter):
    """Blends each pixel with its luminance by ``alpha = 1 + U(-saturation, saturation)``.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.SaturationJitterAug(0.3)(np.ones((2, 2, 3), np.float32)).ravel()[0]
        np.float32(1.0)
    """

    def __init__(self, saturation: float):
        super().__init__(saturation=saturation)
        self.saturation = saturation

    def _np(self, x: np.ndarray) -> np.ndarray:
        alpha = np.float32(1.0 + _uniform(self.saturation))
        xf = x.astype(np.float32)
        gray = (xf * _LUMA).sum(axis=2, keepdims=True) * (np.float32(1.0) - alpha)
        return _same_kind(xf * alpha + gray, x)


_TYIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.321], [0.211, -0.523, 0.311]])
_ITYIQ = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.107, 1.705]])


class HueJitterAug(Augmenter):
    """Rotates the hue by ``U(-hue, hue) * 180`` degrees in YIQ space.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.HueJitterAug(0.1)(np.full((2, 2, 3), 2.0, np.float32)).shape
        (2, 2, 3)
    """

    def __init__(self, hue: float):
        super().__init__(hue=hue)
        self.hue = hue

    def _np(self, x: np.ndarray) -> np.ndarray:
        alpha = _uniform(self.hue)
        u, w = np.cos(alpha * np.pi), np.sin(alpha * np.pi)
        bt = np.array([[1.0, 0.0, 0.0], [0.0, u, -w], [0.0, w, u]])
        t = (_ITYIQ @ bt @ _TYIQ).T.astype(np.float32)
        return _same_kind(x.astype(np.float32) @ t, x)


class ColorJitterAug(RandomOrderAug):
    """Brightness, contrast and saturation jitter (those > 0) in a random order.

    Examples:
        >>> import mxjax as mx
        >>> [t.dumps() for t in mx.image.ColorJitterAug(0.1, 0, 0.2).ts]
        ['["brightnessjitteraug", {"brightness": 0.1}]', '["saturationjitteraug", {"saturation": 0.2}]']
    """

    def __init__(self, brightness: float, contrast: float, saturation: float):
        ts: list[Augmenter] = []
        if brightness > 0:
            ts.append(BrightnessJitterAug(brightness))
        if contrast > 0:
            ts.append(ContrastJitterAug(contrast))
        if saturation > 0:
            ts.append(SaturationJitterAug(saturation))
        super().__init__(ts)


class LightingAug(Augmenter):
    """Adds PCA noise ``(eigvec * alpha) @ eigval`` with ``alpha ~ N(0, alphastd)``.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> aug = mx.image.LightingAug(0.0, np.ones(3), np.eye(3))
        >>> aug(np.zeros((1, 1, 3), np.float32)).ravel()
        array([0., 0., 0.], dtype=float32)
    """

    def __init__(self, alphastd: float, eigval: Any, eigvec: Any):
        super().__init__(alphastd=alphastd, eigval=eigval, eigvec=eigvec)
        self.alphastd = alphastd
        self.eigval, self.eigvec = to_numpy(eigval), to_numpy(eigvec)

    def _np(self, x: np.ndarray) -> np.ndarray:
        alpha = get_rng().normal(0, self.alphastd, size=(3,))
        rgb = np.dot(self.eigvec * alpha, self.eigval).astype(np.float32)
        return _same_kind(x.astype(np.float32) + rgb, x)


class ColorNormalizeAug(Augmenter):
    """``(src - mean) / std`` per channel (either may be None).

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.ColorNormalizeAug([1, 0, 0], [1, 2, 4])(np.ones((1, 1, 3), np.float32)).ravel()
        array([0.  , 0.5 , 0.25], dtype=float32)
    """

    def __init__(self, mean: Any, std: Any):
        super().__init__(mean=mean, std=std)
        self.mean = None if mean is None else to_numpy(mean).astype(np.float32)
        self.std = None if std is None else to_numpy(std).astype(np.float32)

    def _np(self, x: np.ndarray) -> np.ndarray:
        out = x.astype(np.float32)
        if self.mean is not None:
            out = out - self.mean
        if self.std is not None:
            out = out / self.std
        return out


class RandomGrayAug(Augmenter):
    """With probability ``p``, replaces every channel by ``0.21 R + 0.72 G + 0.07 B``.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> out = mx.image.RandomGrayAug(1.0)(np.array([[[1.0, 0.0, 0.0]]], np.float32))
        >>> out.ravel().round(2)
        array([0.21, 0.21, 0.21], dtype=float32)
    """

    _MAT = np.array([[0.21] * 3, [0.72] * 3, [0.07] * 3], np.float32)

    def __init__(self, p: float):
        super().__init__(p=p)
        self.p = p

    def _np(self, x: np.ndarray) -> np.ndarray:
        if get_rng().random() < self.p:
            return _same_kind(x.astype(np.float32) @ self._MAT, x)
        return x


class HorizontalFlipAug(Augmenter):
    """Mirrors horizontally with probability ``p``.

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.HorizontalFlipAug(1.0)(np.arange(3).reshape(1, 3, 1)).ravel()
        array([2, 1, 0])
    """

    def __init__(self, p: float):
        super().__init__(p=p)
        self.p = p

    def _np(self, x: np.ndarray) -> np.ndarray:
        return x[:, ::-1] if get_rng().random() < self.p else x


class CastAug(Augmenter):
    """Casts to ``typ`` (float32 by default).

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> mx.image.CastAug()(np.zeros((1, 1, 3), np.uint8)).dtype
        dtype('float32')
    """

    def __init__(self, typ: str = "float32"):
        super().__init__(type=typ)
        self.typ = typ

    def _np(self, x: np.ndarray) -> np.ndarray:
        return x.astype(self.typ)


_PCA_EIGVAL = np.array([55.46, 4.794, 1.148])
_PCA_EIGVEC = np.array(
    [[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]]
)


def _check_stat(name: str, v: Any) -> None:
    if not (isinstance(v, np.ndarray) or _is_nd(v)) or np.shape(v)[0] not in (1, 3):
        raise ValueError(
            f"CreateAugmenter: {name} must be True, None or an array of 1 or 3 values, "
            f"received {v!r}"
        )


def CreateAugmenter(  # noqa: N802 - MXNet's name
    data_shape: tuple,
    resize: int = 0,
    rand_crop: bool = False,
    rand_resize: bool = False,
    rand_mirror: bool = False,
    mean: Any = None,
    std: Any = None,
    brightness: float = 0,
    contrast: float = 0,
    saturation: float = 0,
    hue: float = 0,
    pca_noise: float = 0,
    rand_gray: float = 0,
    inter_method: int = 2,
) -> list:
    """The standard list of augmenters for ``data_shape = (C, H, W)`` (MXNet's order).

    ``mean=True``/``std=True`` use ImageNet's RGB statistics.

    Examples:
        >>> import mxjax as mx
        >>> augs = mx.image.CreateAugmenter((3, 4, 4), rand_mirror=True, mean=True)
        >>> [type(a).__name__ for a in augs]
        ['CenterCropAug', 'HorizontalFlipAug', 'CastAug', 'ColorNormalizeAug']
    """
    augs: list[Augmenter] = []
    if resize > 0:
        augs.append(ResizeAug(resize, inter_method))
    crop_size = (data_shape[2], data_shape[1])
    if rand_resize:
        if not rand_crop:
            raise ValueError("CreateAugmenter: rand_resize=True needs rand_crop=True")
        augs.append(RandomSizedCropAug(crop_size, 0.08, (3.0 / 4.0, 4.0 / 3.0), inter_method))
    elif rand_crop:
        augs.append(RandomCropAug(crop_size, inter_method))
    else:
        augs.append(CenterCropAug(crop_size, inter_method))
    if rand_mirror:
        augs.append(HorizontalFlipAug(0.5))
    augs.append(CastAug())
    if brightness or contrast or saturation:
        augs.append(ColorJitterAug(brightness, contrast, saturation))
    if hue:
        augs.append(HueJitterAug(hue))
    if pca_noise > 0:
        augs.append(LightingAug(pca_noise, _PCA_EIGVAL, _PCA_EIGVEC))
    if rand_gray > 0:
        augs.append(RandomGrayAug(rand_gray))
    if mean is True:
        mean = np.array([123.68, 116.28, 103.53], np.float32)
    elif mean is not None:
        _check_stat("mean", mean)
    if std is True:
        std = np.array([58.395, 57.12, 57.375], np.float32)
    elif std is not None:
        _check_stat("std", std)
    if mean is not None or std is not None:
        augs.append(ColorNormalizeAug(mean, std))
    return augs
