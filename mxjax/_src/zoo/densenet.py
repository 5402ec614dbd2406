"""DenseNet (Huang et al. 2016) and SqueezeNet (Iandola et al. 2016), MXNet's structure."""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon import nn as _nn, nn_conv as _conv
from mxjax._src.gluon.block import HybridBlock, HybridSequential
from mxjax._src.zoo._common import (
    HybridConcurrent,
    Identity,
    check_choice,
    check_classes,
    factory,
)
from mxjax._src.zoo.model_store import load_pretrained

__all__ = ["DenseNet", "SqueezeNet", "get_densenet", "get_squeezenet"]


def _dense_layer(growth_rate, bn_size, dropout):
    new = HybridSequential(prefix="")
    new.add(_nn.BatchNorm())
    new.add(_nn.Activation("relu"))
    new.add(_conv.Conv2D(bn_size * growth_rate, 1, use_bias=False))
    new.add(_nn.BatchNorm())
    new.add(_nn.Activation("relu"))
    new.add(_conv.Conv2D(growth_rate, 3, padding=1, use_bias=False))
    if dropout:
        new.add(_nn.Dropout(dropout))
    out = HybridConcurrent(axis=1, prefix="")
    out.add(Identity())
    out.add(new)
    return out


def _transition(channels):
    out = HybridSequential(prefix="")
    out.add(_nn.BatchNorm())
    out.add(_nn.Activation("relu"))
    out.add(_conv.Conv2D(channels, 1, use_bias=False))
    out.add(_conv.AvgPool2D(pool_size=2, strides=2))
    return out


class DenseNet(HybridBlock):
    """DenseNet from "Densely Connected Convolutional Networks".

    Input ``(N, 3, H, W)``; the final 7x7 average pool needs ``H, W >= 193``
    (224 for ImageNet); output ``(N, classes)``.

    Args:
        num_init_features: channels of the stem convolution.
        growth_rate: channels added by each dense layer.
        block_config: dense layers per stage.
        bn_size: bottleneck width factor.
        dropout: dropout rate after each dense layer (0: none).
        classes: number of classes.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.DenseNet(8, 4, [1, 1], classes=3)
        >>> len(net.features)
        11
    """

    def __init__(
        self,
        num_init_features,
        growth_rate,
        block_config,
        bn_size=4,
        dropout=0,
        classes=1000,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_classes("DenseNet", classes)
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            self.features.add(
                _conv.Conv2D(num_init_features, 7, strides=2, padding=3, use_bias=False)
            )
            self.features.add(_nn.BatchNorm())
            self.features.add(_nn.Activation("relu"))
            self.features.add(_conv.MaxPool2D(pool_size=3, strides=2, padding=1))
            num_features = num_init_features
            for i, num_layers in enumerate(block_config):
                stage = HybridSequential(prefix=f"stage{i + 1}_")
                with stage.name_scope():
                    for _ in range(num_layers):
                        stage.add(_dense_layer(growth_rate, bn_size, dropout))
                self.features.add(stage)
                num_features += num_layers * growth_rate
                if i != len(block_config) - 1:
                    num_features //= 2
                    self.features.add(_transition(num_features))
            self.features.add(_nn.BatchNorm())
            self.features.add(_nn.Activation("relu"))
            self.features.add(_conv.AvgPool2D(pool_size=7))
            self.features.add(_nn.Flatten())
            self.output = _nn.Dense(classes)

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


_DENSENET_SPEC = {
    121: (64, 32, [6, 12, 24, 16]),
    161: (96, 48, [6, 12, 36, 24]),
    169: (64, 32, [6, 12, 32, 32]),
    201: (64, 32, [6, 12, 48, 32]),
}


def get_densenet(num_layers, pretrained=False, ctx=None, root=None, **kwargs):
    """Builds DenseNet with ``num_layers`` (121, 161, 169, 201) layers.

    Args:
        num_layers: 121, 161, 169 or 201.
        pretrained: load MXNet's pretrained ImageNet weights.
        ctx: context of the loaded weights.
        root: folder of pretrained weights (default ``$MXJAX_HOME/models``).
        **kwargs: ``classes``, ``bn_size``, ``dropout``, ``prefix``, ``params``.

    Returns:
        A :class:`DenseNet`.

    Raises:
        ValueError: for an unknown ``num_layers``.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> vision.get_densenet(12)
        Traceback (most recent call last):
        ...
        ValueError: get_densenet: num_layers must be one of [121, 161, 169, 201]; received 12
    """
    check_choice("get_densenet", "num_layers", num_layers, _DENSENET_SPEC)
    net = DenseNet(*_DENSENET_SPEC[num_layers], **kwargs)
    if pretrained:
        load_pretrained(net, f"densenet{num_layers}", root, ctx)
    return net


def _densenet(n):
    return factory(
        f"densenet{n}",
        lambda **kw: get_densenet(n, **kw),
        f"DenseNet-{n} (:class:`DenseNet`).",
        (1, 3, 224, 224),
    )


densenet121 = _densenet(121)
densenet161 = _densenet(161)
densenet169 = _densenet(169)
densenet201 = _densenet(201)


def _fire_conv(channels, kernel_size, padding=0):
    out = HybridSequential(prefix="")
    out.add(_conv.Conv2D(channels, kernel_size, padding=padding))
    out.add(_nn.Activation("relu"))
    return out


def _fire(squeeze, expand1x1, expand3x3):
    out = HybridSequential(prefix="")
    out.add(_fire_conv(squeeze, 1))
    paths = HybridConcurrent(axis=1, prefix="")
    paths.add(_fire_conv(expand1x1, 1))
    paths.add(_fire_conv(expand3x3, 3, 1))
    out.add(paths)
    return out


class SqueezeNet(HybridBlock):
    """SqueezeNet 1.0 / 1.1 from "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters".

    Input ``(N, 3, H, W)``; the final 13x13 average pool needs ``H, W >= 223``
    (224 for ImageNet); output ``(N, classes)``.

    Args:
        version: ``'1.0'`` or ``'1.1'``.
        classes: number of classes.

    Raises:
        ValueError: for another ``version``.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> vision.SqueezeNet("1.2")
        Traceback (most recent call last):
        ...
        ValueError: SqueezeNet: version must be one of ['1.0', '1.1']; received '1.2'
    """

    def __init__(self, version, classes=1000, **kwargs):
        super().__init__(**kwargs)
        check_choice("SqueezeNet", "version", version, ("1.0", "1.1"))
        check_classes("SqueezeNet", classes)
        pool = {"pool_size": 3, "strides": 2, "ceil_mode": True}
        with self.name_scope():
            f = self.features = HybridSequential(prefix="")
            if version == "1.0":
                f.add(_conv.Conv2D(96, 7, strides=2), _nn.Activation("relu"))
                f.add(_conv.MaxPool2D(**pool))
                f.add(_fire(16, 64, 64), _fire(16, 64, 64), _fire(32, 128, 128))
                f.add(_conv.MaxPool2D(**pool))
                f.add(_fire(32, 128, 128), _fire(48, 192, 192), _fire(48, 192, 192))
                f.add(_fire(64, 256, 256))
                f.add(_conv.MaxPool2D(**pool))
                f.add(_fire(64, 256, 256))
            else:
                f.add(_conv.Conv2D(64, 3, strides=2), _nn.Activation("relu"))
                f.add(_conv.MaxPool2D(**pool))
                f.add(_fire(16, 64, 64), _fire(16, 64, 64))
                f.add(_conv.MaxPool2D(**pool))
                f.add(_fire(32, 128, 128), _fire(32, 128, 128))
                f.add(_conv.MaxPool2D(**pool))
                f.add(_fire(48, 192, 192), _fire(48, 192, 192))
                f.add(_fire(64, 256, 256), _fire(64, 256, 256))
            f.add(_nn.Dropout(0.5))
            self.output = HybridSequential(prefix="")
            self.output.add(_conv.Conv2D(classes, 1), _nn.Activation("relu"))
            self.output.add(_conv.AvgPool2D(13), _nn.Flatten())

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


def get_squeezenet(version, pretrained=False, ctx=None, root=None, **kwargs):
    """Builds :class:`SqueezeNet` ``version`` (``'1.0'`` or ``'1.1'``).

    Args:
        version: ``'1.0'`` or ``'1.1'``.
        pretrained: load MXNet's pretrained ImageNet weights.
        ctx: context of the loaded weights.
        root: folder of pretrained weights (default ``$MXJAX_HOME/models``).
        **kwargs: ``classes``, ``prefix``, ``params``.

    Returns:
        A :class:`SqueezeNet`.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> vision.get_squeezenet("1.1", prefix="sq_").prefix
        'sq_'
    """
    net = SqueezeNet(version, **kwargs)
    if pretrained:
        load_pretrained(net, f"squeezenet{version}", root, ctx)
    return net


squeezenet1_0 = factory(
    "squeezenet1_0",
    lambda **kw: get_squeezenet("1.0", **kw),
    "SqueezeNet 1.0 (:class:`SqueezeNet`).",
    (1, 3, 224, 224),
)
squeezenet1_1 = factory(
    "squeezenet1_1",
    lambda **kw: get_squeezenet("1.1", **kw),
    "SqueezeNet 1.1 (:class:`SqueezeNet`).",
    (1, 3, 224, 224),
)
