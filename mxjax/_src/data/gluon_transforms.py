"""Gluon's ``gluon.data.vision.transforms``: the NumPy transforms, NDArray in -> NDArray out.

MXNet's transforms are Blocks over NDArrays; these subclasses of the transforms of
:mod:`mxjax.data.vision.transforms` convert an NDArray input to NumPy, apply the
transform and return an NDArray of the result's dtype (NumPy in, NumPy out).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mxjax._src.data import transforms as _t, transforms_geometry as _g

_NAMES = (
    "Cast",
    "CenterCrop",
    "Compose",
    "CropResize",
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
    "RandomRotation",
    "RandomSaturation",
    "Resize",
    "Rotate",
    "ToTensor",
)

__all__ = [*_NAMES, "TransformInputError"]
TransformInputError = _g.TransformInputError


def _to_nd(out: Any) -> Any:
    from mxjax import nd

    if isinstance(out, np.ndarray):
        import jax

        return nd.array(out, dtype=jax.dtypes.canonicalize_dtype(out.dtype))
    return out


def _gluon_flavour(cls: type) -> type:
    def __call__(self, x: Any, *args: Any) -> Any:  # noqa: N807
        out = cls.__call__(self, x, *args)
        is_nd = hasattr(x, "asnumpy") and not isinstance(x, np.ndarray)
        return _to_nd(out) if is_nd else out

    def hybridize(self, active: bool = True, **kwargs: Any) -> None:
        """Accepted for Gluon compatibility: the transform runs on the host either way."""

    doc = (cls.__doc__ or "").split("\n")[0]
    return type(
        cls.__name__,
        (cls,),
        {
            "__call__": __call__,
            "forward": __call__,
            "hybridize": hybridize,
            "__module__": "mxjax.gluon.data.vision.transforms",
            "__doc__": f"{doc}\n\n    Gluon flavour of :class:`mxjax.data.vision.transforms."
            f"{cls.__name__}`: an NDArray input gives an NDArray output.\n\n"
            "    Examples:\n"
            "        >>> from mxjax import nd\n"
            "        >>> from mxjax.gluon.data.vision import transforms\n"
            f"        >>> isinstance(transforms.{cls.__name__}, type)\n"
            "        True\n",
        },
    )


_ns = globals()
for _name in _NAMES:
    _src = getattr(_t, _name, None) or getattr(_g, _name)
    _ns[_name] = _gluon_flavour(_src)
del _ns, _name, _src
