"""MobileNet V1 (Howard et al. 2017) and V2 (Sandler et al. 2018), MXNet's structure."""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon import nn as _nn, nn_conv as _conv
from mxjax._src.gluon.block import HybridBlock, HybridSequential
from mxjax._src.zoo._common import check_classes, factory
from mxjax._src.zoo.model_store import load_pretrained

__all__ = ["MobileNet", "MobileNetV2", "get_mobilenet", "get_mobilenet_v2"]


class RELU6(HybridBlock):
    """``min(max(x, 0), 6)`` (MXNet's model-zoo ``RELU6``)."""

    def forward(self, x: Any) -> Any:
        from mxjax._src.zoo._common import ops_for

        return ops_for(x).clip(x, 0, 6)


def _add_conv(out, channels=1, kernel=1, stride=1, pad=0, num_group=1, active=True, relu6=False):
    out.add(_conv.Conv2D(channels, kernel, stride, pad, groups=num_group, use_bias=False))
    out.add(_nn.BatchNorm(scale=True))
    if active:
        out.add(RELU6() if relu6 else _nn.Activation("relu"))


def _check_multiplier(owner: str, multiplier: Any) -> float:
    if isinstance(multiplier, bool) or not isinstance(multiplier, (int, float)) or multiplier <= 0:
        raise ValueError(f"{owner}: multiplier must be a positive float; received {multiplier!r}")
    return float(multiplier)


class LinearBottleneck(HybridBlock):
    """MobileNetV2's inverted residual block (expand 1x1, depthwise 3x3, project 1x1).

    Input ``(N, in_channels, H, W)``; output ``(N, channels, H/stride, W/stride)``.

    Args:
        in_channels: input channels.
        channels: output channels.
        t: expansion factor.
        stride: stride of the depthwise convolution.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo.vision import LinearBottleneck
        >>> block = LinearBottleneck(4, 4, 2, 1)
        >>> block.initialize()
        >>> block(mx.nd.ones((1, 4, 8, 8))).shape
        (1, 4, 8, 8)
    """

    def __init__(self, in_channels, channels, t, stride, **kwargs):
        super().__init__(**kwargs)
        self.use_shortcut = stride == 1 and in_channels == channels
        with self.name_scope():
            self.out = HybridSequential()
            _add_conv(self.out, in_channels * t, relu6=True)
            _add_conv(
                self.out,
                in_channels * t,
                kernel=3,
                stride=stride,
                pad=1,
                num_group=in_channels * t,
                relu6=True,
            )
            _add_conv(self.out, channels, active=False, relu6=True)

    def forward(self, x: Any) -> Any:
        out = self.out(x)
        return out + x if self.use_shortcut else out


class MobileNet(HybridBlock):
    """MobileNet V1 from "MobileNets: Efficient Convolutional Neural Networks".

    Input ``(N, 3, H, W)`` with ``H, W >= 32``; output ``(N, classes)``.

    Args:
        multiplier: width multiplier of every layer's channels.
        classes: number of classes.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.MobileNet(0.25, classes=3)
        >>> len(net.features)  # stem + 13 depthwise-separable pairs, 3 layers each
        83
        >>> mx.nd.ones((1, 3, 32, 32)).shape  # the smallest input
        (1, 3, 32, 32)
    """

    def __init__(self, multiplier=1.0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        m = _check_multiplier("MobileNet", multiplier)
        check_classes("MobileNet", classes)
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            with self.features.name_scope():
                _add_conv(self.features, channels=int(32 * m), kernel=3, pad=1, stride=2)
                dw = [int(x * m) for x in [32, 64] + [128] * 2 + [256] * 2 + [512] * 6 + [1024]]
                ch = [int(x * m) for x in [64] + [128] * 2 + [256] * 2 + [512] * 6 + [1024] * 2]
                strides = [1, 2] * 3 + [1] * 5 + [2, 1]
                for dwc, c, s in zip(dw, ch, strides):
                    _add_conv(self.features, dwc, kernel=3, stride=s, pad=1, num_group=dwc)
                    _add_conv(self.features, c)
                self.features.add(_conv.GlobalAvgPool2D())
                self.features.add(_nn.Flatten())
            self.output = _nn.Dense(classes)

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


class MobileNetV2(HybridBlock):
    """MobileNet V2 from "Inverted Residuals and Linear Bottlenecks".

    Input ``(N, 3, H, W)`` with ``H, W >= 32``; output ``(N, classes)``.

    Args:
        multiplier: width multiplier of every layer's channels.
        classes: number of classes.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.MobileNetV2(0.25, classes=3)
        >>> len(net.features)  # stem (3), 17 bottlenecks, last conv (3), pool
        24
        >>> mx.nd.ones((1, 3, 32, 32)).shape  # the smallest input
        (1, 3, 32, 32)
    """

    def __init__(self, multiplier=1.0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        m = _check_multiplier("MobileNetV2", multiplier)
        check_classes("MobileNetV2", classes)
        with self.name_scope():
            self.features = HybridSequential(prefix="features_")
            with self.features.name_scope():
                _add_conv(self.features, int(32 * m), kernel=3, stride=2, pad=1, relu6=True)
                in_group = [
                    int(x * m)
                    for x in [32] + [16] + [24] * 2 + [32] * 3 + [64] * 4 + [96] * 3 + [160] * 3
                ]
                out_group = [
                    int(x * m)
                    for x in [16] + [24] * 2 + [32] * 3 + [64] * 4 + [96] * 3 + [160] * 3 + [320]
                ]
                ts = [1] + [6] * 16
                strides = [1, 2] * 2 + [1, 1, 2] + [1] * 6 + [2] + [1] * 3
                for in_c, c, t, s in zip(in_group, out_group, ts, strides):
                    self.features.add(LinearBottleneck(in_channels=in_c, channels=c, t=t, stride=s))
                last = int(1280 * m) if m > 1.0 else 1280
                _add_conv(self.features, last, relu6=True)
                self.features.add(_conv.GlobalAvgPool2D())
            self.output = HybridSequential(prefix="output_")
            with self.output.name_scope():
                self.output.add(_conv.Conv2D(classes, 1, use_bias=False, prefix="pred_"))
                self.output.add(_nn.Flatten())

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


def _suffix(multiplier: float) -> str:
    s = f"{multiplier:.2f}"
    return s[:-1] if s in ("1.00", "0.50") else s


def get_mobilenet(multiplier, pretrained=False, ctx=None, root=None, **kwargs):
    """Builds :class:`MobileNet` with width ``multiplier`` (pretrained: 1.0, 0.75, 0.5, 0.25).

    Args:
        multiplier: width multiplier.
        pretrained: load MXNet's pretrained ImageNet weights.
        ctx: context of the loaded weights.
        root: folder of pretrained weights (default ``$MXJAX_HOME/models``).
        **kwargs: ``classes``, ``prefix``, ``params``.

    Returns:
        A :class:`MobileNet`.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> type(vision.get_mobilenet(0.5)).__name__
        'MobileNet'
    """
    net = MobileNet(multiplier, **kwargs)
    if pretrained:
        load_pretrained(net, f"mobilenet{_suffix(multiplier)}", root, ctx)
    return net


def get_mobilenet_v2(multiplier, pretrained=False, ctx=None, root=None, **kwargs):
    """Builds :class:`MobileNetV2` with width ``multiplier`` (pretrained: 1.0, 0.75, 0.5, 0.25).

    Args:
        multiplier: width multiplier.
        pretrained: load MXNet's pretrained ImageNet weights.
        ctx: context of the loaded weights.
        root: folder of pretrained weights (default ``$MXJAX_HOME/models``).
        **kwargs: ``classes``, ``prefix``, ``params``.

    Returns:
        A :class:`MobileNetV2`.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> vision.get_mobilenet_v2(0.5, prefix="m_").name
        'm'
    """
    net = MobileNetV2(multiplier, **kwargs)
    if pretrained:
        load_pretrained(net, f"mobilenetv2_{_suffix(multiplier)}", root, ctx)
    return net


def _mk(v2: bool, m: float, name: str):
    get = get_mobilenet_v2 if v2 else get_mobilenet
    cls = "MobileNetV2" if v2 else "MobileNet"
    return factory(
        name,
        lambda **kw: get(m, **kw),
        f"{cls} with width multiplier {m} (:class:`{cls}`).",
        (1, 3, 32, 32),
    )


mobilenet1_0 = _mk(False, 1.0, "mobilenet1_0")
mobilenet0_75 = _mk(False, 0.75, "mobilenet0_75")
mobilenet0_5 = _mk(False, 0.5, "mobilenet0_5")
mobilenet0_25 = _mk(False, 0.25, "mobilenet0_25")
mobilenet_v2_1_0 = _mk(True, 1.0, "mobilenet_v2_1_0")
mobilenet_v2_0_75 = _mk(True, 0.75, "mobilenet_v2_0_75")
mobilenet_v2_0_5 = _mk(True, 0.5, "mobilenet_v2_0_5")
mobilenet_v2_0_25 = _mk(True, 0.25, "mobilenet_v2_0_25")
