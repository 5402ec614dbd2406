"""``gluon.nn`` convolution and pooling Blocks, generated over ``mxjax.layers``.

Each class takes Gluon's positional and keyword arguments, builds the core
layer with them and runs it through :class:`CoreBlock`.
"""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon.core_block import CoreBlock
from mxjax._src.layers import conv as _conv, pool as _pool

__all__: list[str] = []

_CONV_ARGS = (
    "channels",
    "kernel_size",
    "strides",
    "padding",
    "dilation",
    "groups",
    "layout",
    "activation",
    "use_bias",
    "weight_initializer",
    "bias_initializer",
    "in_channels",
)
_CONVT_ARGS = (
    "channels",
    "kernel_size",
    "strides",
    "padding",
    "output_padding",
    "dilation",
    "groups",
    "layout",
    "activation",
    "use_bias",
    "weight_initializer",
    "bias_initializer",
    "in_channels",
)
_POOL_ARGS = ("pool_size", "strides", "padding", "layout", "ceil_mode")
_AVG_ARGS = (*_POOL_ARGS, "count_include_pad")
_GPOOL_ARGS = ("layout",)


def _tuple(v: Any, n: int) -> tuple:
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


class _Generated(CoreBlock):
    _core_cls: Any = None
    _arg_names: tuple = ()
    _nd: int = 2

    def __init__(self, *args: Any, prefix=None, params=None, input_shape=None, **kwargs: Any):
        if len(args) > len(self._arg_names):
            raise TypeError(
                f"{type(self).__name__}: expected at most {len(self._arg_names)} positional "
                f"arguments {self._arg_names}; received {len(args)}"
            )
        kw = dict(zip(self._arg_names, args))
        for k, v in kwargs.items():
            if k in kw:
                raise TypeError(f"{type(self).__name__}: got multiple values for argument {k!r}")
            kw[k] = v
        self.input_shape = input_shape
        if input_shape is not None and "in_channels" in self._arg_names:
            layout = kw.get("layout") or self._core_cls.__dataclass_fields__["layout"].default
            from mxjax._src.gluon.nn import input_size

            if len(tuple(input_shape)) != len(layout) - 1:
                raise ValueError(
                    f"{type(self).__name__}: input_shape must have {len(layout) - 1} axes "
                    f"(layout {layout} without N); received {input_shape!r}"
                )
            implied = input_size(type(self).__name__, input_shape, layout.index("C") - 1)
            if kw.get("in_channels", 0) not in (0, implied):
                raise ValueError(
                    f"{type(self).__name__}: in_channels={kw['in_channels']} disagrees with "
                    f"input_shape={tuple(input_shape)} (which gives {implied})"
                )
            kw["in_channels"] = implied
        super().__init__(self._core_cls(**kw), prefix=prefix, params=params)

    def _alias(self) -> str:
        return "conv" if "channels" in self._arg_names else "pool"

    def _has_params(self) -> bool:
        return "channels" in self._arg_names

    def _in_size(self) -> int:
        return int(getattr(self._core, "in_channels", 0))

    def _probe(self, n: int) -> tuple:
        core = self._core
        k = _tuple(core.kernel_size, self._nd)
        d = _tuple(getattr(core, "dilation", 1), self._nd)
        spatial = tuple(16 + (ki - 1) * di for ki, di in zip(k, d))
        groups = int(getattr(core, "groups", 1))
        # a known in_channels is the total over the groups; unknown ones are probed per group
        c = n if self._in_size() else n * groups
        if core.layout.startswith("NC"):
            return (1, c, *spatial)
        return (1, *spatial, c)


def _make(name: str, core_cls: Any, arg_names: tuple, nd: int, what: str) -> type:
    doc = (
        f"Gluon ``nn.{name}`` ({what}) over ``mxjax.layers.{name}``; Gluon's arguments "
        f"{', '.join(arg_names)}.\n\n"
        "    Examples:\n"
        "        >>> import mxjax as mx\n"
        "        >>> from mxjax.gluon import nn\n"
        f"        >>> nn.{name}.__name__\n"
        f"        '{name}'\n"
    )
    cls = type(
        name,
        (_Generated,),
        {
            "_core_cls": core_cls,
            "_arg_names": arg_names,
            "_nd": nd,
            "__doc__": doc,
            "__module__": "mxjax.gluon.nn",
        },
    )
    __all__.append(name)
    return cls


Conv1D = _make("Conv1D", _conv.Conv1D, _CONV_ARGS, 1, "1-D convolution")
Conv2D = _make("Conv2D", _conv.Conv2D, _CONV_ARGS, 2, "2-D convolution")
Conv3D = _make("Conv3D", _conv.Conv3D, _CONV_ARGS, 3, "3-D convolution")
Conv1DTranspose = _make("Conv1DTranspose", _conv.Conv1DTranspose, _CONVT_ARGS, 1, "transposed")
Conv2DTranspose = _make("Conv2DTranspose", _conv.Conv2DTranspose, _CONVT_ARGS, 2, "transposed")
Conv3DTranspose = _make("Conv3DTranspose", _conv.Conv3DTranspose, _CONVT_ARGS, 3, "transposed")
MaxPool1D = _make("MaxPool1D", _pool.MaxPool1D, _POOL_ARGS, 1, "max pooling")
MaxPool2D = _make("MaxPool2D", _pool.MaxPool2D, _POOL_ARGS, 2, "max pooling")
MaxPool3D = _make("MaxPool3D", _pool.MaxPool3D, _POOL_ARGS, 3, "max pooling")
AvgPool1D = _make("AvgPool1D", _pool.AvgPool1D, _AVG_ARGS, 1, "average pooling")
AvgPool2D = _make("AvgPool2D", _pool.AvgPool2D, _AVG_ARGS, 2, "average pooling")
AvgPool3D = _make("AvgPool3D", _pool.AvgPool3D, _AVG_ARGS, 3, "average pooling")
GlobalMaxPool1D = _make("GlobalMaxPool1D", _pool.GlobalMaxPool1D, _GPOOL_ARGS, 1, "global max")
GlobalMaxPool2D = _make("GlobalMaxPool2D", _pool.GlobalMaxPool2D, _GPOOL_ARGS, 2, "global max")
GlobalMaxPool3D = _make("GlobalMaxPool3D", _pool.GlobalMaxPool3D, _GPOOL_ARGS, 3, "global max")
GlobalAvgPool1D = _make("GlobalAvgPool1D", _pool.GlobalAvgPool1D, _GPOOL_ARGS, 1, "global avg")
GlobalAvgPool2D = _make("GlobalAvgPool2D", _pool.GlobalAvgPool2D, _GPOOL_ARGS, 2, "global avg")
GlobalAvgPool3D = _make("GlobalAvgPool3D", _pool.GlobalAvgPool3D, _GPOOL_ARGS, 3, "global avg")
