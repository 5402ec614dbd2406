"""Small networks for quick experiments: a LeNet-style CNN and an MLP (mxjax additions).

MXNet's core model zoo has neither; both are built the way the zoo builds
its networks (``features`` then ``output``), so their names follow the same
pattern (``lenet0_conv0_weight``, ``features.0.weight``). The layers come
from :mod:`mxjax._src.zoo.specs`, the one definition that ``mxjax train``
and the benchmarks build too.
"""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon import nn as _nn, nn_conv as _conv
from mxjax._src.gluon.block import HybridBlock, HybridSequential
from mxjax._src.zoo._common import check_classes
from mxjax._src.zoo.specs import MLP_HIDDEN, build, lenet_spec, mlp_spec

__all__ = ["MLP", "LeNet", "lenet", "mlp"]


def _gluon_layer(name: str):
    return getattr(_nn, name, None) or getattr(_conv, name)


class LeNet(HybridBlock):
    """A LeNet-style CNN for 28x28 images (mxjax addition; the network ``mxjax train`` trains).

    ``Conv2D(32, 3, relu)``, ``MaxPool2D(2, 2)``, ``Conv2D(64, 3, relu)``,
    ``MaxPool2D(2, 2)``, ``Flatten``, ``Dense(128, relu)``, ``Dropout(dropout)``
    (only when ``dropout > 0``), ``Dense(classes)``.
    Input ``(N, C, 28, 28)`` (MNIST); output ``(N, classes)``.

    Args:
        classes: number of classes.
        dropout: dropout rate before the last layer (0: no Dropout layer).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.LeNet(classes=10)
        >>> net.initialize()
        >>> net(mx.nd.ones((2, 1, 28, 28))).shape
        (2, 10)
    """

    def __init__(self, classes=10, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        check_classes("LeNet", classes)
        with self.name_scope():
            *features, output = build(lenet_spec(classes, dropout), _gluon_layer)
            self.features = HybridSequential(prefix="")
            self.features.add(*features)
            self.output = output

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


class MLP(HybridBlock):
    """A multilayer perceptron: ReLU ``Dense`` layers then ``Dense(classes)`` (mxjax addition).

    Input ``(N, ...)`` (flattened by the first Dense); output ``(N, classes)``.

    Args:
        classes: number of classes.
        hidden: units of each hidden layer (default ``(256, 256)``).

    Raises:
        ValueError: for a non-positive hidden size.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> net = vision.MLP(classes=3, hidden=(8,))
        >>> net.initialize()
        >>> net(mx.nd.ones((2, 1, 4, 4))).shape
        (2, 3)
    """

    def __init__(self, classes=10, hidden=MLP_HIDDEN, **kwargs):
        super().__init__(**kwargs)
        check_classes("MLP", classes)
        hidden = tuple(hidden)
        for h in hidden:
            if isinstance(h, bool) or not isinstance(h, int) or h < 1:
                raise ValueError(f"MLP: hidden must hold positive ints; received {hidden!r}")
        with self.name_scope():
            *features, output = build(mlp_spec(classes, hidden), _gluon_layer)
            self.features = HybridSequential(prefix="")
            self.features.add(*features)
            self.output = output

    def forward(self, x: Any) -> Any:
        return self.output(self.features(x))


def _no_pretrained(name: str, pretrained: bool) -> None:
    if pretrained:
        raise ValueError(
            f"{name}: no pretrained weights are published for this mxjax network; "
            f"received pretrained={pretrained!r}"
        )


def lenet(pretrained=False, ctx=None, root=None, **kwargs):
    """A LeNet-style CNN (:class:`LeNet`, an mxjax addition; no pretrained weights).

    Args:
        pretrained: must be False.
        ctx: ignored (accepted like the other constructors).
        root: ignored.
        **kwargs: ``classes``, ``dropout``, ``prefix``, ``params``.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> vision.lenet(classes=10).name.startswith("lenet")
        True
    """
    del ctx, root
    _no_pretrained("lenet", pretrained)
    return LeNet(**kwargs)


def mlp(pretrained=False, ctx=None, root=None, **kwargs):
    """A multilayer perceptron (:class:`MLP`, an mxjax addition; no pretrained weights).

    Args:
        pretrained: must be False.
        ctx: ignored (accepted like the other constructors).
        root: ignored.
        **kwargs: ``classes``, ``hidden``, ``prefix``, ``params``.

    Examples:
        >>> from mxjax.gluon.model_zoo import vision
        >>> len(vision.mlp(hidden=(16, 16, 16)).features)
        3
    """
    del ctx, root
    _no_pretrained("mlp", pretrained)
    return MLP(**kwargs)
