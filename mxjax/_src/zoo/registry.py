"""``get_model``: MXNet's model-zoo names to constructors."""

from __future__ import annotations

from typing import Any

from mxjax._src.zoo import densenet as _d, mobilenet as _m, resnet as _r, small as _s, vgg as _v

__all__ = ["get_model"]

_MODELS = {
    "resnet18_v1": _r.resnet18_v1,
    "resnet34_v1": _r.resnet34_v1,
    "resnet50_v1": _r.resnet50_v1,
    "resnet101_v1": _r.resnet101_v1,
    "resnet152_v1": _r.resnet152_v1,
    "resnet18_v2": _r.resnet18_v2,
    "resnet34_v2": _r.resnet34_v2,
    "resnet50_v2": _r.resnet50_v2,
    "resnet101_v2": _r.resnet101_v2,
    "resnet152_v2": _r.resnet152_v2,
    "vgg11": _v.vgg11,
    "vgg13": _v.vgg13,
    "vgg16": _v.vgg16,
    "vgg19": _v.vgg19,
    "vgg11_bn": _v.vgg11_bn,
    "vgg13_bn": _v.vgg13_bn,
    "vgg16_bn": _v.vgg16_bn,
    "vgg19_bn": _v.vgg19_bn,
    "alexnet": _v.alexnet,
    "densenet121": _d.densenet121,
    "densenet161": _d.densenet161,
    "densenet169": _d.densenet169,
    "densenet201": _d.densenet201,
    "squeezenet1.0": _d.squeezenet1_0,
    "squeezenet1.1": _d.squeezenet1_1,
    "mobilenet1.0": _m.mobilenet1_0,
    "mobilenet0.75": _m.mobilenet0_75,
    "mobilenet0.5": _m.mobilenet0_5,
    "mobilenet0.25": _m.mobilenet0_25,
    "mobilenetv2_1.0": _m.mobilenet_v2_1_0,
    "mobilenetv2_0.75": _m.mobilenet_v2_0_75,
    "mobilenetv2_0.5": _m.mobilenet_v2_0_5,
    "mobilenetv2_0.25": _m.mobilenet_v2_0_25,
    "lenet": _s.lenet,
    "mlp": _s.mlp,
}


def get_model(name: str, **kwargs: Any):
    """Returns a model-zoo network by MXNet's name (``'resnet18_v1'``, ``'mobilenet1.0'``).

    Args:
        name: the model name, case-insensitive (MXNet's names plus the mxjax
            additions ``'lenet'`` and ``'mlp'``).
        **kwargs: passed to the constructor: ``classes``, ``pretrained``
            (MXNet's ImageNet weights from ``root``, downloaded if missing),
            ``ctx``, ``root`` (default ``$MXJAX_HOME/models``, i.e.
            ``~/.mxjax/models``), ``thumbnail`` (ResNets), ``prefix``, ...

    Returns:
        The network (a HybridBlock), not initialized unless ``pretrained``.

    Raises:
        ValueError: for an unknown name.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo import vision
        >>> type(vision.get_model("resnet18_v1", classes=10, thumbnail=True)).__name__
        'ResNetV1'
        >>> net = vision.get_model("mlp", classes=10)
        >>> net.initialize()
        >>> net(mx.nd.ones((2, 64))).shape
        (2, 10)
    """
    if not isinstance(name, str) or name.lower() not in _MODELS:
        raise ValueError(f"get_model: name must be one of {sorted(_MODELS)}; received {name!r}")
    return _MODELS[name.lower()](**kwargs)
