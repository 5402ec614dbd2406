"""ResNet V1 and V2 (He et al. 2015, 2016) with MXNet's model-zoo structure and names."""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon import nn as _nn, nn_conv as _conv
from mxjax._src.gluon.block import HybridBlock, HybridSequential
from mxjax._src.zoo._common import check_choice, check_classes
from mxjax._src.zoo.model_store import load_pretrained

__all__ = [
    "BasicBlockV1",
    "BasicBlockV2",
    "BottleneckV1",
    "BottleneckV2",
    "ResNetV1",
    "ResNetV2",
    "get_resnet",
]


def _conv3x3(channels: int, stride: int, in_channels: int):
    return _conv.Conv2D(
        channels, 3, strides=stride, padding=1, use_bias=False, in_channels=in_channels
    )


def _relu(x):
    from mxjax._src.zoo._common import ops_for

    return ops_for(x).Activation(x, act_type="relu")


class BasicBlockV1(HybridBlock):
    """ResNet V1 basic block: two 3x3 convolutions with BatchNorm and a shortcut.

    Input ``(N, in_channels, H, W)``; output ``(N, channels, H/stride, W/stride)``.

    Args:
        channels: output channels.
        stride: stride of the first convolution.
        downsample: add a 1x1 convolution + BatchNorm on the shortcut.
        in_channels: input channels (0: inferred).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> block = vision.BasicBlockV1(8, 2, downsample=True, in_channels=4)
        >>> block.initialize()
        >>> block(mx.nd.ones((1, 4, 8, 8))).shape
        (1, 8, 4, 4)
    """

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.body = HybridSequential(prefix="")
        self.body.add(_conv3x3(channels, stride, in_channels))
        self.body.add(_nn.BatchNorm())
        self.body.add(_nn.Activation("relu"))
        self.body.add(_conv3x3(channels, 1, channels))
        self.body.add(_nn.BatchNorm())
        if downsample:
            self.downsample = HybridSequential(prefix="")
            self.downsample.add(
                _conv.Conv2D(channels, 1, strides=stride, use_bias=False, in_channels=in_channels)
            )
            self.downsample.add(_nn.BatchNorm())
        else:
            self.downsample = None

    def forward(self, x: Any) -> Any:
        residual = x
        x = self.body(x)
        if self.downsample is not None:
            residual = self.downsample(residual)
        return _relu(residual + x)


class BottleneckV1(HybridBlock):
    """ResNet V1 bottleneck block: 1x1, 3x3, 1x1 convolutions (``channels // 4`` inside).

    Input ``(N, in_channels, H, W)``; output ``(N, channels, H/stride, W/stride)``.

    Args:
        channels: output channels (a multiple of 4).
        stride: stride of the first convolution.
        downsample: add a 1x1 convolution + BatchNorm on the shortcut.
        in_channels: input channels (0: inferred).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> block = vision.BottleneckV1(16, 1, downsample=True, in_channels=4)
        >>> block.initialize()
        >>> block(mx.nd.ones((1, 4, 8, 8))).shape
        (1, 16, 8, 8)
    """

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.body = HybridSequential(prefix="")
        self.body.add(_conv.Conv2D(channels // 4, 1, strides=stride))
        self.body.add(_nn.BatchNorm())
        self.body.add(_nn.Activation("relu"))
        self.body.add(_conv3x3(channels // 4, 1, channels // 4))
        self.body.add(_nn.BatchNorm())
        self.body.add(_nn.Activation("relu"))
        self.body.add(_conv.Conv2D(channels, 1, strides=1))
        self.body.add(_nn.BatchNorm())
        if downsample:
            self.downsample = HybridSequential(prefix="")
            self.downsample.add(
                _conv.Conv2D(channels, 1, strides=stride, use_bias=False, in_channels=in_channels)
            )
            self.downsample.add(_nn.BatchNorm())
        else:
            self.downsample = None

    def forward(self, x: Any) -> Any:
        residual = x
        x = self.body(x)
        if self.downsample is not None:
            residual = self.downsample(residual)
        return _relu(x + residual)


class BasicBlockV2(HybridBlock):
    """ResNet V2 (pre-activation) basic block.

    Input ``(N, in_channels, H, W)``; output ``(N, channels, H/stride, W/stride)``.

    Args:
        channels: output channels.
        stride: stride of the first convolution.
        downsample: add a 1x1 convolution on the shortcut.
        in_channels: input channels (0: inferred).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> block = vision.BasicBlockV2(8, 2, downsample=True, in_channels=4)
        >>> block.initialize()
        >>> block(mx.nd.ones((1, 4, 8, 8))).shape
        (1, 8, 4, 4)
    """

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.bn1 = _nn.BatchNorm()
        self.conv1 = _conv3x3(channels, stride, in_channels)
        self.bn2 = _nn.BatchNorm()
        self.conv2 = _conv3x3(channels, 1, channels)
        if downsample:
            self.downsample = _conv.Conv2D(
                channels, 1, stride, use_bias=False, in_channels=in_channels
            )
        else:
            self.downsample = None

    def forward(self, x: Any) -> Any:
        residual = x
        x = _relu(self.bn1(x))
        if self.downsample is not None:
            residual = self.downsample(x)
        x = self.conv1(x)
        x = _relu(self.bn2(x))
        x = self.conv2(x)
        return x + residual


class BottleneckV2(HybridBlock):
    """ResNet V2 (pre-activation) bottleneck block.

    Input ``(N, in_channels, H, W)``; output ``(N, channels, H/stride, W/stride)``.

    Args:
        channels: output channels (a multiple of 4).
        stride: stride of the 3x3 convolution.
        downsample: add a 1x1 convolution on the shortcut.
        in_channels: input channels (0: inferred).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> block = vision.BottleneckV2(16, 2, downsample=True, in_channels=4)
        >>> block.initialize()
        >>> block(mx.nd.ones((1, 4, 8, 8))).shape
        (1, 16, 4, 4)
    """

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.bn1 = _nn.BatchNorm()
        self.conv1 = _conv.Conv2D(channels // 4, 1, strides=1, use_bias=False)
        self.bn2 = _nn.BatchNorm()
        self.conv2 = _conv3x3(channels // 4, stride, channels // 4)
        self.bn3 = _nn.BatchNorm()
        self.conv3 = _conv.Conv2D(channels, 1, strides=1, use_bias=False)
        if downsample:
            self.downsample = _conv.Conv2D(
                channels, 1, stride, use_bias=False, in_channels=in_channels
            )
        else:
            self.downsample = None

    def forward(self, x: Any) -> Any:
        residual = x
        x = _relu(self.bn1(x))
        if self.downsample is not None:
            residual = self.downsample(x)
        x = self.conv1(x)
        x = _relu(self.bn2(x))
        x = self.conv2(x)
        x = _relu(self.bn3(x))
        x = self.conv3(x)
        return x + residual


def _check_spec(owner, layers, channels):
    if len(layers) != len(channels) - 1:
        raise ValueError(
            f"{owner}: len(channels) must be len(layers) + 1 = {len(layers) + 1}; "
            f"received {len(channels)}"
        )


def _make_stage(block, num, channels, stride, index, in_channels):
    stage = HybridSequential(prefix=f"stage{index}_")
    with stage.name_scope():
        stage.add(
            block(channels, stride, channels != in_channels, in_channels=in_channels, prefix="")
        )
        for _ in range(num - 1):
            stage.add(block(channels, 1, False, in_channels=channels, prefix=""))
    return stage


class ResNetV1(HybridBlock):
    """ResNet V1 from "Deep Residual Learning for Image Recognition" (MXNet's structure).

    Input ``(N, 3, H, W)``; output ``(N, classes)``. ``thumbnail=True`` is
    MXNet's small-image (CIFAR) stem: one 3x3 stride-1 convolution, no
    BatchNorm/max-pool, e.g. for 32x32 inputs.

    Args:
        block: the block class (:class:`BasicBlockV1` or :class:`BottleneckV1`).
        layers: blocks per stage.
        channels: stem channels followed by each stage's channels.
        classes: number of classes.
        thumbnail: use the small-image stem.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.ResNetV1(vision.BasicBlockV1, [1, 1], [4, 4, 8], classes=3)
        >>> net.initialize()
        >>> net(mx.nd.ones((1, 3, 32, 32))).shape
        (1, 3)
    """

    def __init__(self, block, layers, channels, classes=1000, thumbnail=False, **kwargs):
        super().__init__(**kwargs)
        _check_spec("ResNetV1", layers, channels)
        check_classes("ResNetV1", classes)
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            if thumbnail:
                self.features.add(_conv3x3(channels[0], 1, 0))
            else:
                self.features.add(_conv.Conv2D(channels[0], 7, 2, 3, use_bias=False))
                self.features.add(_nn.BatchNorm())
                self.features.add(_nn.Activation("relu"))
                self.features.add(_conv.MaxPool2D(3, 2, 1))
            for i, num in enumerate(layers):
                self.features.add(
                    _make_stage(block, num, channels[i + 1], 1 if i == 0 else 2, i + 1, channels[i])
                )
            self.features.add(_conv.GlobalAvgPool2D())
            self.output = _nn.Dense(classes, in_units=channels[-1])

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


class ResNetV2(HybridBlock):
    """ResNet V2 from "Identity Mappings in Deep Residual Networks" (MXNet's structure).

    Input ``(N, 3, H, W)``; output ``(N, classes)``. ``thumbnail=True`` is
    MXNet's small-image stem (see :class:`ResNetV1`).

    Args:
        block: the block class (:class:`BasicBlockV2` or :class:`BottleneckV2`).
        layers: blocks per stage.
        channels: stem channels followed by each stage's channels.
        classes: number of classes.
        thumbnail: use the small-image stem.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.ResNetV2(vision.BasicBlockV2, [1, 1], [4, 4, 8], classes=3)
        >>> net.initialize()
        >>> net(mx.nd.ones((1, 3, 32, 32))).shape
        (1, 3)
    """

    def __init__(self, block, layers, channels, classes=1000, thumbnail=False, **kwargs):
        super().__init__(**kwargs)
        _check_spec("ResNetV2", layers, channels)
        check_classes("ResNetV2", classes)
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            self.features.add(_nn.BatchNorm(scale=False, center=False))
            if thumbnail:
                self.features.add(_conv3x3(channels[0], 1, 0))
            else:
                self.features.add(_conv.Conv2D(channels[0], 7, 2, 3, use_bias=False))
                self.features.add(_nn.BatchNorm())
                self.features.add(_nn.Activation("relu"))
                self.features.add(_conv.MaxPool2D(3, 2, 1))
            in_channels = channels[0]
            for i, num in enumerate(layers):
                self.features.add(
                    _make_stage(block, num, channels[i + 1], 1 if i == 0 else 2, i + 1, in_channels)
                )
                in_channels = channels[i + 1]
            self.features.add(_nn.BatchNorm())
            self.features.add(_nn.Activation("relu"))
            self.features.add(_conv.GlobalAvgPool2D())
            self.features.add(_nn.Flatten())
            self.output = _nn.Dense(classes, in_units=in_channels)

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


_SPEC = {
    18: ("basic", [2, 2, 2, 2], [64, 64, 128, 256, 512]),
    34: ("basic", [3, 4, 6, 3], [64, 64, 128, 256, 512]),
    50: ("bottleneck", [3, 4, 6, 3], [64, 256, 512, 1024, 2048]),
    101: ("bottleneck", [3, 4, 23, 3], [64, 256, 512, 1024, 2048]),
    152: ("bottleneck", [3, 8, 36, 3], [64, 256, 512, 1024, 2048]),
}
_NETS = {1: ResNetV1, 2: ResNetV2}
_BLOCKS = {
    1: {"basic": BasicBlockV1, "bottleneck": BottleneckV1},
    2: {"basic": BasicBlockV2, "bottleneck": BottleneckV2},
}


def get_resnet(version, num_layers, pretrained=False, ctx=None, root=None, **kwargs):
    """Builds ResNet ``version`` (1 or 2) with ``num_layers`` (18, 34, 50, 101, 152) layers.

    Args:
        version: 1 or 2.
        num_layers: 18, 34, 50, 101 or 152.
        pretrained: load MXNet's pretrained ImageNet weights (see ``model_store``).
        ctx: context of the loaded weights.
        root: folder of pretrained weights (default ``$MXJAX_HOME/models``).
        **kwargs: ``classes``, ``thumbnail``, ``prefix``, ``params``.

    Returns:
        A :class:`ResNetV1` or :class:`ResNetV2`.

    Raises:
        ValueError: for an unknown ``version`` or ``num_layers``.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> type(vision.get_resnet(2, 18, classes=10)).__name__
        'ResNetV2'
    """
    check_choice("get_resnet", "num_layers", num_layers, _SPEC)
    check_choice("get_resnet", "version", version, _NETS)
    kind, layers, channels = _SPEC[num_layers]
    net = _NETS[version](_BLOCKS[version][kind], layers, channels, **kwargs)
    if pretrained:
        load_pretrained(net, f"resnet{num_layers}_v{version}", root, ctx)
    return net


def _factory(version: int, num_layers: int):
    def make(**kwargs: Any):
        return get_resnet(version, num_layers, **kwargs)

    name = f"resnet{num_layers}_v{version}"
    make.__name__ = make.__qualname__ = name
    cls = "ResNetV1" if version == 1 else "ResNetV2"
    thumb = "\n    ``thumbnail=True`` gives MXNet's CIFAR stem (3x3 convolution, no max-pool)."
    make.__doc__ = (
        f"ResNet-{num_layers} V{version} ({cls}); see :func:`get_resnet` for the arguments.\n"
        f"{thumb}\n\n"
        "    Examples:\n"
        "        >>> from mxjax.gluon.model_zoo import vision\n"
        f"        >>> net = vision.{name}(classes=10, thumbnail=True)\n"
        f"        >>> type(net).__name__\n"
        f"        '{cls}'\n"
    )
    make.__module__ = "mxjax.gluon.model_zoo.vision"
    return make


resnet18_v1 = _factory(1, 18)
resnet34_v1 = _factory(1, 34)
resnet50_v1 = _factory(1, 50)
resnet101_v1 = _factory(1, 101)
resnet152_v1 = _factory(1, 152)
resnet18_v2 = _factory(2, 18)
resnet34_v2 = _factory(2, 34)
resnet50_v2 = _factory(2, 50)
resnet101_v2 = _factory(2, 101)
resnet152_v2 = _factory(2, 152)
