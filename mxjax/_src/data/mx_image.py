"""MXNet's ``mx.image`` functions on HWC images, over :mod:`image_ops`.

As MXNet's, they return NDArrays for NDArray inputs; NumPy inputs give NumPy
results, so NumPy pipelines (the augmenters, ``ImageIter``) never move pixels
to the device and back.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from mxjax._src.data import image_ops as ops
from mxjax._src.data.batchify import to_numpy
from mxjax._src.data.rng import get_rng
from mxjax._src.data.transforms_geometry import rotate

__all__ = [
    "center_crop",
    "color_normalize",
    "copyMakeBorder",
    "fixed_crop",
    "imdecode",
    "imread",
    "imresize",
    "imrotate",
    "random_crop",
    "random_rotate",
    "random_size_crop",
    "resize_short",
    "scale_down",
]


def _nd(x: np.ndarray) -> Any:
    import jax

    from mxjax import nd

    return nd.array(x, dtype=jax.dtypes.canonicalize_dtype(x.dtype))


def _like(src: Any, out: np.ndarray) -> Any:
    """``out`` as an NDArray for an NDArray ``src`` (MXNet), as NumPy for NumPy (no transfer)."""
    if isinstance(src, np.ndarray):
        return out
    return _nd(np.ascontiguousarray(out))


def _interp(interp: int, sizes: tuple | None = None) -> int:
    """MXNet's ``_get_interp_method``: 9 picks by size, 10 at random (Lanczos, 4, excluded)."""
    if interp == 9:
        if sizes is not None:
            oh, ow, nh, nw = sizes
            if nh > oh and nw > ow:
                return 2  # enlarge: bicubic
            if nh < oh and nw < ow:
                return 3  # shrink: area
            return 1
        return 2
    if interp == 10:
        return int(get_rng().integers(0, 4))
    if interp not in (0, 1, 2, 3):
        raise ValueError(
            f"interp must be 0 (nearest), 1 (bilinear), 2 (bicubic), 3 (area), 9 (auto) or "
            f"10 (random); received {interp!r} (Lanczos, 4, is not supported)"
        )
    return interp


def imresize(src: Any, w: int, h: int, interp: int = 1) -> Any:
    """Resizes an HWC image to width ``w`` and height ``h`` (OpenCV's conventions).

    Args:
        src: HWC image (NDArray or NumPy).
        w: output width.
        h: output height.
        interp: 0 nearest, 1 bilinear, 2 bicubic, 3 area, 9 auto, 10 random.

    Examples:
        >>> import mxjax as mx
        >>> mx.image.imresize(mx.nd.zeros((4, 6, 3), dtype="uint8"), 3, 2).shape
        (2, 3, 3)
    """
    x = to_numpy(src)
    return _like(src, ops.resize(x, (int(w), int(h)), _interp(interp, None)))


def imdecode(buf: Any, flag: int = 1, to_rgb: bool = True, out: Any = None) -> Any:
    """Decodes an image file's bytes to an HWC ``uint8`` NDArray (RGB; ``flag=0``: grayscale).

    Args:
        buf: the encoded bytes (``bytes``, ``bytearray`` or a uint8 array).
        flag: 1 colour (3 channels), 0 grayscale (1 channel).
        to_rgb: channel order RGB (True, MXNet's default) or BGR.
        out: not supported (must be None).

    Raises:
        ValueError: when the bytes are not an image Pillow can decode.
        ImportError: without Pillow (``pip install mxjax[image]``).

    Examples:
        >>> import io
        >>> import numpy as np
        >>> from PIL import Image
        >>> import mxjax as mx
        >>> f = io.BytesIO(); Image.fromarray(np.zeros((2, 3, 3), np.uint8)).save(f, "PNG")
        >>> mx.image.imdecode(f.getvalue()).shape
        (2, 3, 3)
    """
    if out is not None:
        raise ValueError("imdecode: out= is not supported; use the returned NDArray")
    return _nd(decode(buf, flag, to_rgb))


def decode(buf: Any, flag: int = 1, to_rgb: bool = True) -> np.ndarray:
    """:func:`imdecode` returning a NumPy HWC ``uint8`` array.

    Examples:
        >>> import io
        >>> import numpy as np
        >>> from PIL import Image
        >>> from mxjax._src.data.mx_image import decode
        >>> f = io.BytesIO(); Image.fromarray(np.zeros((2, 3), np.uint8)).save(f, "PNG")
        >>> decode(f.getvalue(), flag=0).shape
        (2, 3, 1)
    """
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - pillow is in the image/test extras
        raise ImportError("mx.image.imdecode needs Pillow: pip install 'mxjax[image]'") from e
    data = bytes(to_numpy(buf).astype(np.uint8).tobytes()) if not isinstance(buf, bytes) else buf
    try:
        img = Image.open(io.BytesIO(data))
        img = img.convert("L" if flag == 0 else "RGB")
    except Exception as e:
        raise ValueError(f"imdecode: cannot decode the image bytes ({e})") from None
    arr = np.asarray(img, np.uint8)
    arr = arr[:, :, None] if arr.ndim == 2 else arr
    if flag != 0 and not to_rgb:
        arr = arr[:, :, ::-1]
    return np.ascontiguousarray(arr)


def imread(filename: str, flag: int = 1, to_rgb: bool = True) -> Any:
    """Reads and decodes an image file (see :func:`imdecode`).

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from PIL import Image
        >>> import mxjax as mx
        >>> p = os.path.join(tempfile.mkdtemp(), "a.png")
        >>> Image.fromarray(np.zeros((2, 3), np.uint8)).save(p)
        >>> mx.image.imread(p, flag=0).shape
        (2, 3, 1)
    """
    with open(filename, "rb") as f:
        return imdecode(f.read(), flag, to_rgb)


def scale_down(src_size: tuple, size: tuple) -> tuple[int, int]:
    """Scales ``size = (w, h)`` down to fit in ``src_size = (w, h)`` keeping its aspect ratio.

    Examples:
        >>> import mxjax as mx
        >>> mx.image.scale_down((640, 480), (720, 120))
        (640, 106)
    """
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def resize_short(src: Any, size: int, interp: int = 2) -> Any:
    """Resizes so that the shorter side is ``size``, keeping the aspect ratio.

    Examples:
        >>> import mxjax as mx
        >>> mx.image.resize_short(mx.nd.zeros((8, 12, 3), dtype="uint8"), 4).shape
        (4, 6, 3)
    """
    x = to_numpy(src)
    h, w = x.shape[0], x.shape[1]
    if h > w:
        nh, nw = size * h // w, size
    else:
        nh, nw = size, size * w // h
    return _like(src, ops.resize(x, (nw, nh), _interp(interp, (h, w, nh, nw))))


def fixed_crop(
    src: Any, x0: int, y0: int, w: int, h: int, size: Any = None, interp: int = 2
) -> Any:
    """Crops ``(x0, y0, w, h)`` and resizes to ``size = (w, h)`` if given and different.

    Examples:
        >>> import mxjax as mx
        >>> mx.image.fixed_crop(mx.nd.zeros((8, 12, 3)), 1, 2, 5, 4).shape
        (4, 5, 3)
    """
    x = to_numpy(src)
    out = x[y0 : y0 + h, x0 : x0 + w]
    if size is not None and (w, h) != tuple(size):
        sizes = (h, w, size[1], size[0])
        out = ops.resize(out, tuple(size), _interp(interp, sizes))
    return _like(src, np.ascontiguousarray(out))


def center_crop(src: Any, size: tuple, interp: int = 2) -> tuple:
    """Crops the centre (resized to ``size = (w, h)``); returns ``(image, (x0, y0, w, h))``.

    Examples:
        >>> import mxjax as mx
        >>> out, box = mx.image.center_crop(mx.nd.zeros((8, 12, 3)), (4, 4))
        >>> out.shape, box
        ((4, 4, 3), (4, 2, 4, 4))
    """
    x = to_numpy(src)
    h, w = x.shape[0], x.shape[1]
    new_w, new_h = scale_down((w, h), size)
    x0, y0 = int((w - new_w) / 2), int((h - new_h) / 2)
    return _like(src, fixed_crop(x, x0, y0, new_w, new_h, size, interp)), (x0, y0, new_w, new_h)


def random_crop(src: Any, size: tuple, interp: int = 2) -> tuple:
    """Crops a random region (resized to ``size = (w, h)``); returns ``(image, (x0, y0, w, h))``.

    Randomness comes from :func:`mxjax.data.get_rng`.

    Examples:
        >>> import mxjax as mx
        >>> out, box = mx.image.random_crop(mx.nd.zeros((8, 12, 3)), (4, 4))
        >>> out.shape
        (4, 4, 3)
    """
    x = to_numpy(src)
    h, w = x.shape[0], x.shape[1]
    new_w, new_h = scale_down((w, h), size)
    rng = get_rng()
    x0 = int(rng.integers(0, w - new_w + 1))
    y0 = int(rng.integers(0, h - new_h + 1))
    return _like(src, fixed_crop(x, x0, y0, new_w, new_h, size, interp)), (x0, y0, new_w, new_h)


def color_normalize(src: Any, mean: Any, std: Any = None) -> Any:
    """``(src - mean) / std`` per channel of an HWC image.

    Examples:
        >>> import mxjax as mx
        >>> out = mx.image.color_normalize(mx.nd.ones((1, 1, 3)), mx.nd.array([1, 0, 0]), mx.nd.array([1, 2, 4]))
        >>> out.asnumpy().ravel().tolist()
        [0.0, 0.5, 0.25]
    """
    x = to_numpy(src).astype(np.float32)
    out = x - to_numpy(mean).astype(np.float32)
    if std is not None:
        out = out / to_numpy(std).astype(np.float32)
    return _like(src, out)


def random_size_crop(
    src: Any, size: tuple, area: Any, ratio: tuple, interp: int = 2, **kwargs: Any
) -> tuple:
    """Crops a random region of relative ``area`` and aspect ``ratio``, resized to ``size``.

    ``area`` is a float (the lower bound, up to 1) or ``(min, max)``; after 10
    tries that do not fit, the centre is cropped. Returns ``(image, (x0, y0, w, h))``.

    Examples:
        >>> import mxjax as mx
        >>> out, box = mx.image.random_size_crop(mx.nd.zeros((20, 30, 3)), (8, 8), 0.3, (0.75, 1.33))
        >>> out.shape
        (8, 8, 3)
    """
    if "min_area" in kwargs:  # MXNet's deprecated spelling
        area = kwargs.pop("min_area")
    if kwargs:
        raise TypeError(f"random_size_crop: unexpected keyword arguments {sorted(kwargs)}")
    if isinstance(area, (int, float)):
        area = (float(area), 1.0)
    x = to_numpy(src)
    box = ops.random_size_box(x.shape[0], x.shape[1], tuple(area), tuple(ratio), get_rng())
    if box is None:
        out, box = center_crop(x, size, interp)
        return _like(src, out), box
    return _like(src, fixed_crop(x, *box, size, interp)), box


_BORDERS = {0: "constant", 1: "edge", 2: "symmetric", 3: "wrap", 4: "reflect"}


def copyMakeBorder(  # noqa: N802 - MXNet's name
    src: Any,
    top: int,
    bot: int,
    left: int,
    right: int,
    type: int = 0,  # noqa: A002 - MXNet's keyword
    value: float = 0.0,
    values: Any = None,
) -> Any:
    """Pads an HWC image like OpenCV's ``copyMakeBorder``.

    Args:
        src: HWC image.
        top: top margin in pixels.
        bot: bottom margin in pixels.
        left: left margin in pixels.
        right: right margin in pixels.
        type: 0 constant, 1 replicate, 2 reflect (edge pixel repeated), 3 wrap,
            4 reflect-101 (edge pixel not repeated).
        value: the constant of ``type=0``.
        values: one constant per channel (overrides ``value``).

    Examples:
        >>> import mxjax as mx
        >>> img = mx.nd.arange(4).reshape((1, 4, 1))
        >>> mx.image.copyMakeBorder(img, 0, 0, 1, 2, type=4)[..., 0].asnumpy()
        array([[1., 0., 1., 2., 3., 2., 1.]], dtype=float32)
    """
    if type not in _BORDERS:
        raise ValueError(
            f"copyMakeBorder: type must be 0 (constant), 1 (replicate), 2 (reflect), 3 (wrap) "
            f"or 4 (reflect-101), received {type!r}"
        )
    margins = [int(v) for v in (top, bot, left, right)]
    if min(margins) < 0:
        raise ValueError(f"copyMakeBorder: margins must be >= 0, received {margins}")
    x = to_numpy(src)
    pad = [(margins[0], margins[1]), (margins[2], margins[3])] + [(0, 0)] * (x.ndim - 2)
    if type != 0:
        return _like(src, np.pad(x, pad, mode=_BORDERS[type]))
    out = np.pad(x, pad, mode="constant")
    fill = np.broadcast_to(np.asarray(values if values else value, np.float64), x.shape[2:])
    mask = np.ones(out.shape[:2], bool)
    mask[margins[0] : margins[0] + x.shape[0], margins[2] : margins[2] + x.shape[1]] = False
    out[mask] = fill.astype(x.dtype)
    return _like(src, out)


def _rotation_input(fn: str, src: Any) -> np.ndarray:
    x = to_numpy(src)
    if x.dtype != np.float32:
        raise TypeError(f"{fn}: only float32 CHW/NCHW images are supported, received {x.dtype}")
    if x.ndim not in (3, 4):
        raise ValueError(f"{fn}: expected a CHW image or an NCHW batch, received {x.shape}")
    return x


def imrotate(src: Any, rotation_degrees: Any, zoom_in: bool = False, zoom_out: bool = False):
    """Rotates a CHW float32 image (or an NCHW batch) counter-clockwise about its centre.

    Bilinear sampling with zeros outside; ``zoom_in`` scales so no padding
    enters, ``zoom_out`` so the whole rotated image stays visible (not both).
    ``rotation_degrees`` is a number, or one per image of a batch.

    Examples:
        >>> import mxjax as mx
        >>> img = mx.nd.zeros((1, 3, 3)); img[0, 1, 2] = 1
        >>> mx.image.imrotate(img, 90)[0].asnumpy()
        array([[0., 1., 0.],
               [0., 0., 0.],
               [0., 0., 0.]], dtype=float32)
    """
    if zoom_in and zoom_out:
        raise ValueError("imrotate: zoom_in and zoom_out cannot both be True")
    x = _rotation_input("imrotate", src)
    deg = to_numpy(rotation_degrees).astype(np.float64)
    if deg.ndim and (x.ndim == 3 or deg.shape != (x.shape[0],)):
        raise ValueError(
            f"imrotate: rotation_degrees must be a number, or one per image of the "
            f"{x.shape[0] if x.ndim == 4 else 1} images; received shape {deg.shape}"
        )
    return _like(src, rotate(x, deg, zoom_in, zoom_out))


def random_rotate(src: Any, angle_limits: tuple, zoom_in: bool = False, zoom_out: bool = False):
    """:func:`imrotate` by an angle drawn from ``U(angle_limits)`` (one per image of a batch).

    Examples:
        >>> import mxjax as mx
        >>> mx.image.random_rotate(mx.nd.ones((2, 3, 4, 4)), (-10, 10)).shape
        (2, 3, 4, 4)
    """
    x = _rotation_input("random_rotate", src)
    lo, hi = angle_limits
    n = x.shape[0] if x.ndim == 4 else None
    return imrotate(src, get_rng().uniform(lo, hi, size=n), zoom_in, zoom_out)
