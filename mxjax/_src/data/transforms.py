"""Vision transforms with the semantics of ``gluon.data.vision.transforms`` (MXNet 1.9.1).

Transforms are callables on NumPy arrays (NDArrays are converted with
``asnumpy``). Image transforms take HWC images, or NHWC batches for the
vectorized batch path (e.g. ``DataLoader(..., batch_transform=Compose([ToTensor(),
Normalize(...)]))``); random transforms then draw independent parameters per
image. Randomness comes from :func:`mxjax.data.get_rng`, which the DataLoader
seeds per sample, so results do not depend on the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mxjax._src.data import image_ops as ops
from mxjax._src.data.batchify import to_numpy
from mxjax._src.data.rng import get_rng
from mxjax._src.data.transforms_geometry import TransformInputError

__all__ = [
    "CenterCrop",
    "Cast",
    "Compose",
    "Normalize",
    "RandomApply",
    "RandomBrightness",
    "RandomColorJitter",
    "RandomContrast",
    "RandomFlipLeftRight",
    "RandomFlipTopBottom",
    "RandomHue",
    "RandomLighting",
    "RandomResizedCrop",
    "RandomSaturation",
    "Resize",
    "ToTensor",
]


def _image(fn: str, x: Any) -> np.ndarray:
    x = to_numpy(x)
    if x.ndim not in (3, 4):
        raise TransformInputError(
            f"{fn}: expected an HWC image or an NHWC batch, received shape {x.shape}"
        )
    return x


def _size_wh(fn: str, size: Any) -> tuple[int, int]:
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 2 and all(int(s) == s for s in size):
        return int(size[0]), int(size[1])
    raise ValueError(f"{fn}: size must be an int or a (width, height) pair, received {size!r}")


class Compose:
    """Applies transforms in sequence.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision import transforms as T
        >>> t = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)])
        >>> t(np.full((2, 2, 1), 255, np.uint8)).ravel().tolist()
        [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, transforms: Sequence[Callable]):
        self.transforms = list(transforms)

    @property
    def _batchable(self) -> bool:
        return all(getattr(t, "_batchable", False) for t in self.transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x


class Cast:
    """Casts to ``dtype`` (default float32).

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import Cast
        >>> Cast()(np.array([1], np.uint8)).dtype
        dtype('float32')
    """

    _batchable = True  # deterministic, maps an NHWC batch like each image

    def __init__(self, dtype: Any = "float32"):
        self._dtype = np.dtype(dtype)

    def __call__(self, x: Any) -> np.ndarray:
        return to_numpy(x).astype(self._dtype)


class ToTensor:
    """HWC image (``uint8`` in [0, 255]) to CHW float32 in [0, 1]; NHWC batches to NCHW.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import ToTensor
        >>> ToTensor()(np.zeros((28, 28, 1), np.uint8)).shape
        (1, 28, 28)
        >>> ToTensor()(np.zeros((8, 28, 28, 1), np.uint8)).shape
        (8, 1, 28, 28)
    """

    _batchable = True  # deterministic, maps an NHWC batch like each image

    def __call__(self, x: Any) -> np.ndarray:
        x = _image("ToTensor", x)
        out = x.transpose((2, 0, 1) if x.ndim == 3 else (0, 3, 1, 2)).astype(np.float32)
        out *= np.float32(1 / 255)
        return out


class Normalize:
    """``(x - mean[c]) / std[c]`` per channel on a CHW image or an NCHW batch.

    Args:
        mean: a float or one per channel.
        std: a float or one per channel.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import Normalize
        >>> Normalize((0.5, 0.0), (0.5, 2.0))(np.ones((2, 1, 1), np.float32)).ravel().tolist()
        [1.0, 0.5]
    """

    _batchable = True  # deterministic, maps an NHWC batch like each image

    def __init__(self, mean: Any = 0.0, std: Any = 1.0):
        self._mean = np.asarray(mean, np.float32).reshape(-1)
        self._std = np.asarray(std, np.float32).reshape(-1)
        if np.any(self._std == 0):
            raise ValueError(f"Normalize: std must be non-zero, received {std!r}")
        self._consts: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, x: Any) -> np.ndarray:
        x = _image("Normalize", x)
        c = x.shape[-3]
        consts = self._consts.get(c)
        if consts is None:
            for name, v in (("mean", self._mean), ("std", self._std)):
                if v.size not in (1, c):
                    raise TransformInputError(
                        f"Normalize: {name} has {v.size} values but the CHW input has {c} "
                        f"channels (shape {x.shape}); pass 1 or {c} values"
                    )
            mean = np.ascontiguousarray(np.broadcast_to(self._mean, (c,))).reshape(c, 1, 1)
            inv = (np.float32(1) / np.broadcast_to(self._std, (c,))).reshape(c, 1, 1)
            consts = self._consts[c] = (mean, inv.astype(np.float32))
        if x.dtype != np.float32:
            x = x.astype(np.float32)
        out = x - consts[0]
        out *= consts[1]
        return out


class Resize:
    """Resizes to ``size`` (``(width, height)``, or an int for a square).

    With ``keep_ratio`` and an int size, the shorter side becomes ``size``.

    Args:
        size: int or ``(width, height)``.
        keep_ratio: keep the aspect ratio (int ``size`` only).
        interpolation: 0 nearest, 1 bilinear, 2 bicubic, 3 area.

    Raises:
        TransformInputError: when applied, for a non-positive size or one that is
            neither an int nor a (width, height) pair (MXNet checks it there too).

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import Resize
        >>> Resize(4, keep_ratio=True)(np.zeros((8, 12, 3), np.uint8)).shape
        (4, 6, 3)
    """

    _batchable = True  # deterministic, maps an NHWC batch like each image

    def __init__(self, size: Any, keep_ratio: bool = False, interpolation: int = 1):
        if interpolation not in (0, 1, 2, 3):
            raise ValueError(
                "Resize: interpolation must be 0 (nearest), 1 (bilinear), 2 (bicubic) or 3 "
                f"(area), received {interpolation!r}"
            )
        # As MXNet, a bad size is reported when the transform is applied.
        self._raw_size = size
        self._int = isinstance(size, (int, np.integer))
        self._keep = keep_ratio
        self._interp = interpolation

    def __call__(self, x: Any) -> np.ndarray:
        x = _image("Resize", x)
        try:
            self._size = _size_wh("Resize", self._raw_size)
        except ValueError as e:
            raise TransformInputError(str(e)) from None
        if min(self._size) <= 0:
            raise TransformInputError(f"Resize: size must be positive, received {self._raw_size!r}")
        w, h = self._size
        if self._keep and self._int:
            w, h = ops.keep_ratio_size(x.shape[-3], x.shape[-2], self._size[0])
        return ops.resize(x, (w, h), self._interp)


class CenterCrop:
    """Crops the centre to ``size`` (upsampling if the image is smaller), as MXNet.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import CenterCrop
        >>> CenterCrop((4, 2))(np.zeros((6, 6, 3), np.uint8)).shape
        (2, 4, 3)
    """

    _batchable = True  # deterministic, maps an NHWC batch like each image

    def __init__(self, size: Any, interpolation: int = 1):
        self._size = _size_wh("CenterCrop", size)
        self._interp = interpolation

    def __call__(self, x: Any) -> np.ndarray:
        return ops.center_crop(_image("CenterCrop", x), self._size, self._interp)


class RandomResizedCrop:
    """Crops a random area and aspect ratio, then resizes to ``size`` (Inception-style).

    Tries 10 times to draw an area fraction from ``scale`` and a log-uniform
    aspect ratio from ``ratio`` that fit; otherwise falls back to a centre
    crop, as MXNet's ``image.random_size_crop``.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomResizedCrop
        >>> RandomResizedCrop(8)(np.zeros((20, 30, 3), np.uint8)).shape
        (8, 8, 3)
    """

    def __init__(
        self,
        size: Any,
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: int = 1,
    ):
        self._size = _size_wh("RandomResizedCrop", size)
        self._scale, self._ratio, self._interp = scale, ratio, interpolation

    def __call__(self, x: Any) -> np.ndarray:
        x = _image("RandomResizedCrop", x)
        if x.ndim == 4:
            return np.stack([self(img) for img in x])
        box = ops.random_size_box(x.shape[0], x.shape[1], self._scale, self._ratio, get_rng())
        if box is None:
            return ops.center_crop(x, self._size, self._interp)
        return ops.fixed_crop(x, *box, self._size, self._interp)


def _coin(x: np.ndarray) -> np.ndarray:
    n = x.shape[0] if x.ndim == 4 else 1
    return get_rng().random(n) < 0.5


class RandomFlipLeftRight:
    """Flips horizontally with probability 0.5 (per image for a batch).

    Examples:
        >>> import numpy as np
        >>> from mxjax.data import sample_rng
        >>> from mxjax.data.vision.transforms import RandomFlipLeftRight
        >>> x = np.arange(3).reshape(1, 3, 1)
        >>> with sample_rng(np.random.default_rng(0)):
        ...     RandomFlipLeftRight()(x).ravel().tolist()
        [0, 1, 2]
    """

    _axis = -2

    def __call__(self, x: Any) -> np.ndarray:
        x = _image(type(self).__name__, x)
        flip = _coin(x)
        if x.ndim == 3:
            return np.flip(x, self._axis).copy() if flip[0] else x
        out = x.copy()
        out[flip] = np.flip(x[flip], self._axis)
        return out


class RandomFlipTopBottom(RandomFlipLeftRight):
    """Flips vertically with probability 0.5 (per image for a batch).

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomFlipTopBottom
        >>> RandomFlipTopBottom()(np.zeros((2, 2, 3))).shape
        (2, 2, 3)
    """

    _axis = -3


class _RandomFactor:
    """Draws ``alpha ~ U(max(0, 1 - k), 1 + k)`` (one per image) and applies ``_op``."""

    _op: Callable

    def __init__(self, factor: float):
        if factor < 0:
            raise ValueError(f"{type(self).__name__}: factor must be >= 0, received {factor!r}")
        self._args = (max(0.0, 1 - factor), 1 + factor)

    def __call__(self, x: Any) -> np.ndarray:
        x = _image(type(self).__name__, x)
        n = x.shape[0] if x.ndim == 4 else None
        alpha = get_rng().uniform(*self._args, size=n)
        return type(self)._op(x, np.float32(alpha) if n is None else alpha.astype(np.float32))


class RandomBrightness(_RandomFactor):
    """Multiplies by ``alpha ~ U(max(0, 1 - brightness), 1 + brightness)``.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomBrightness
        >>> RandomBrightness(0.0)(np.full((1, 1, 3), 9, np.uint8)).ravel().tolist()
        [9, 9, 9]
    """

    _op = staticmethod(ops.adjust_brightness)


class RandomContrast(_RandomFactor):
    """Blends with the mean grey level, ``alpha ~ U(max(0, 1 - contrast), 1 + contrast)``.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomContrast
        >>> RandomContrast(0.5)(np.zeros((2, 2, 3), np.uint8)).shape
        (2, 2, 3)
    """

    _op = staticmethod(ops.adjust_contrast)


class RandomSaturation(_RandomFactor):
    """Blends each pixel with its grey level, ``alpha ~ U(max(0, 1 - s), 1 + s)``.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomSaturation
        >>> RandomSaturation(0.5)(np.zeros((2, 2, 3), np.uint8)).shape
        (2, 2, 3)
    """

    _op = staticmethod(ops.adjust_saturation)


class RandomHue(_RandomFactor):
    """Rotates the hue by ``(alpha - 1) * 360`` degrees, ``alpha ~ U(max(0, 1 - hue), 1 + hue)``.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomHue
        >>> RandomHue(0.1)(np.zeros((2, 2, 3), np.uint8)).shape
        (2, 2, 3)
    """

    _op = staticmethod(ops.adjust_hue)


class RandomColorJitter:
    """Brightness, contrast, saturation and hue jitter in a random order (MXNet's kernel).

    Each enabled adjustment draws ``1 + U(-k, k)`` (hue: ``U(-hue, hue)``).

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomColorJitter
        >>> RandomColorJitter(0.1, 0.1, 0.1, 0.1)(np.zeros((2, 2, 3), np.uint8)).shape
        (2, 2, 3)
    """

    def __init__(
        self, brightness: float = 0, contrast: float = 0, saturation: float = 0, hue: float = 0
    ):
        self._args = (brightness, contrast, saturation, hue)
        for name, v in zip(("brightness", "contrast", "saturation", "hue"), self._args):
            if v < 0:
                raise ValueError(f"RandomColorJitter: {name} must be >= 0, received {v!r}")

    def __call__(self, x: Any) -> np.ndarray:
        x = _image("RandomColorJitter", x)
        if x.ndim == 4:
            return np.stack([self(img) for img in x])
        rng = get_rng()
        fns = (ops.adjust_brightness, ops.adjust_contrast, ops.adjust_saturation, ops.adjust_hue)
        for i in rng.permutation(4):
            k = self._args[i]
            if k > 0:
                a = rng.uniform(-k, k)
                x = fns[i](x, np.float32(a if i == 3 else 1 + a))
        return x


class RandomLighting:
    """AlexNet-style PCA lighting noise with ``alpha ~ N(0, alpha_std)`` per channel.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import RandomLighting
        >>> RandomLighting(0.1)(np.zeros((2, 2, 3), np.float32)).shape
        (2, 2, 3)
    """

    def __init__(self, alpha: float):
        if alpha < 0:
            raise ValueError(f"RandomLighting: alpha must be >= 0, received {alpha!r}")
        self._alpha = alpha

    def __call__(self, x: Any) -> np.ndarray:
        x = _image("RandomLighting", x)
        shape = (x.shape[0], 3) if x.ndim == 4 else (3,)
        return ops.adjust_lighting(x, get_rng().normal(0, self._alpha, size=shape))


class RandomApply:
    """Applies ``transforms`` (a callable or a list, composed) with probability ``p``.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data.vision.transforms import Cast, RandomApply
        >>> RandomApply(Cast('float64'), p=0.0)(np.zeros(2, np.uint8)).dtype
        dtype('uint8')
    """

    def __init__(self, transforms: Callable | Sequence[Callable], p: float = 0.5):
        if not 0 <= p <= 1:
            raise ValueError(f"RandomApply: p must be in [0, 1], received {p!r}")
        self.transforms = transforms if callable(transforms) else Compose(transforms)
        self.p = p

    def __call__(self, x: Any, *args: Any) -> Any:
        if self.p < get_rng().random():
            return x if not args else (x,) + args
        x = self.transforms(x)
        return x if not args else (x,) + args
