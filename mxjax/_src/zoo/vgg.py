"""VGG (Simonyan & Zisserman 2014) and AlexNet (Krizhevsky et al. 2012), MXNet's structure."""

from __future__ import annotations

from typing import Any

from mxjax._src import initializers as _init
from mxjax._src.gluon import nn as _nn, nn_conv as _conv
from mxjax._src.gluon.block import HybridBlock, HybridSequential
from mxjax._src.zoo._common import check_choice, check_classes, factory
from mxjax._src.zoo.model_store import load_pretrained

__all__ = ["VGG", "AlexNet", "alexnet", "get_vgg"]


class VGG(HybridBlock):
    """VGG from "Very Deep Convolutional Networks for Large-Scale Image Recognition".

    Input ``(N, 3, H, W)`` with ``H, W >= 32``; output ``(N, classes)``. The
    first Dense layer's input size follows from ``H, W`` (25088 at 224x224).

    Args:
        layers: convolutions per stage.
        filters: channels per stage.
        classes: number of classes.
        batch_norm: add BatchNorm after every convolution.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.VGG([1, 1], [4, 8], classes=3)
        >>> net.initialize()
        >>> net(mx.nd.ones((1, 3, 8, 8))).shape
        (1, 3)
    """

    def __init__(self, layers, filters, classes=1000, batch_norm=False, **kwargs):
        super().__init__(**kwargs)
        if len(layers) != len(filters):
            raise ValueError(
                f"VGG: layers and filters must have the same length; received "
                f"{len(layers)} and {len(filters)}"
            )
        check_classes("VGG", classes)
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            for num, channels in zip(layers, filters):
                for _ in range(num):
                    self.features.add(
                        _conv.Conv2D(
                            channels,
                            3,
                            padding=1,
                            weight_initializer=_init.Xavier(
                                rnd_type="gaussian", factor_type="out", magnitude=2
                            ),
                            bias_initializer="zeros",
                        )
                    )
                    if batch_norm:
                        self.features.add(_nn.BatchNorm())
                    self.features.add(_nn.Activation("relu"))
                self.features.add(_conv.MaxPool2D(strides=2))
            for _ in range(2):
                self.features.add(
                    _nn.Dense(
                        4096,
                        activation="relu",
                        weight_initializer="normal",
                        bias_initializer="zeros",
                    )
                )
                self.features.add(_nn.Dropout(rate=0.5))
            self.output = _nn.Dense(classes, weight_initializer="normal", bias_initializer="zeros")

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


_SPEC = {
    11: ([1, 1, 2, 2, 2], [64, 128, 256, 512, 512]),
    13: ([2, 2, 2, 2, 2], [64, 128, 256, 512, 512]),
    16: ([2, 2, 3, 3, 3], [64, 128, 256, 512, 512]),
    19: ([2, 2, 4, 4, 4], [64, 128, 256, 512, 512]),
}


def get_vgg(num_layers, pretrained=False, ctx=None, root=None, **kwargs):
    """Builds VGG with ``num_layers`` (11, 13, 16, 19) layers.

    Args:
        num_layers: 11, 13, 16 or 19.
        pretrained: load MXNet's pretrained ImageNet weights.
        ctx: context of the loaded weights.
        root: folder of pretrained weights (default ``$MXJAX_HOME/models``).
        **kwargs: ``classes``, ``batch_norm``, ``prefix``, ``params``.

    Returns:
        A :class:`VGG`.

    Raises:
        ValueError: for an unknown ``num_layers``.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> len(vision.get_vgg(11).features)
        25
    """
    check_choice("get_vgg", "num_layers", num_layers, _SPEC)
    net = VGG(*_SPEC[num_layers], **kwargs)
    if pretrained:
        suffix = "_bn" if kwargs.get("batch_norm") else ""
        load_pretrained(net, f"vgg{num_layers}{suffix}", root, ctx)
    return net


def _vgg(num_layers: int, bn: bool):
    def build(**kwargs):
        if bn:
            kwargs["batch_norm"] = True
        return get_vgg(num_layers, **kwargs)

    name = f"vgg{num_layers}{'_bn' if bn else ''}"
    what = " with BatchNorm" if bn else ""
    return factory(name, build, f"VGG-{num_layers}{what} (:class:`VGG`).", (1, 3, 32, 32))


vgg11 = _vgg(11, False)
vgg13 = _vgg(13, False)
vgg16 = _vgg(16, False)
vgg19 = _vgg(19, False)
vgg11_bn = _vgg(11, True)
vgg13_bn = _vgg(13, True)
vgg16_bn = _vgg(16, True)
vgg19_bn = _vgg(19, True)


class AlexNet(HybridBlock):
    """AlexNet from "One weird trick for parallelizing convolutional neural networks".

    Input ``(N, 3, H, W)`` with ``H, W >= 63``; output ``(N, classes)``.

    Args:
        classes: number of classes.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.AlexNet(classes=3)
        >>> net.hybridize()
        >>> net.output.prefix == net.prefix + "dense2_"
        True
        >>> mx.nd.ones((1, 3, 64, 64)).shape  # a small valid input
        (1, 3, 64, 64)
    """

    def __init__(self, classes=1000, **kwargs):
        super().__init__(**kwargs)
        check_classes("AlexNet", classes)
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            with self.features.name_scope():
                f = self.features
                f.add(_conv.Conv2D(64, 11, strides=4, padding=2, activation="relu"))
                f.add(_conv.MaxPool2D(pool_size=3, strides=2))
                f.add(_conv.Conv2D(192, 5, padding=2, activation="relu"))
                f.add(_conv.MaxPool2D(pool_size=3, strides=2))
                f.add(_conv.Conv2D(384, 3, padding=1, activation="relu"))
                f.add(_conv.Conv2D(256, 3, padding=1, activation="relu"))
                f.add(_conv.Conv2D(256, 3, padding=1, activation="relu"))
                f.add(_conv.MaxPool2D(pool_size=3, strides=2))
                f.add(_nn.Flatten())
                f.add(_nn.Dense(4096, activation="relu"))
                f.add(_nn.Dropout(0.5))
                f.add(_nn.Dense(4096, activation="relu"))
                f.add(_nn.Dropout(0.5))
            self.output = _nn.Dense(classes)

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


def _alexnet(pretrained=False, ctx=None, root=None, **kwargs):
    net = AlexNet(**kwargs)
    if pretrained:
        load_pretrained(net, "alexnet", root, ctx)
    return net


alexnet = factory("alexnet", _alexnet, "AlexNet (:class:`AlexNet`).", (1, 3, 64, 64))
