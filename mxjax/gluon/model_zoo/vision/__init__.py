"""``gluon.model_zoo.vision``: MXNet 1.9.1's vision networks with identical parameter names.

Every network has MXNet's structure, so ``save_parameters`` names
(``features.0.weight``) and ``collect_params()`` names
(``resnetv10_conv0_weight``) match MXNet's and MXNet model-zoo ``.params``
files load with ``load_parameters`` (``pretrained=True`` fetches them).
``resnet*_v*(thumbnail=True)`` is MXNet's small-image (CIFAR) stem: a 3x3
stride-1 convolution without max-pooling. ``lenet`` and ``mlp`` are mxjax
additions. ``HybridConcurrent`` and ``Identity`` are Gluon's
``contrib.nn`` containers the networks are built from.

Examples:
    >>> import mxjax as mx
    >>> from mxjax.gluon.model_zoo import vision
    >>> net = vision.get_model("lenet", classes=10)
    >>> net.initialize()
    >>> net(mx.nd.ones((1, 1, 28, 28))).shape
    (1, 10)
"""

# isort: skip_file
from mxjax._src.zoo._common import (
    HybridConcurrent as HybridConcurrent,
    Identity as Identity,
)
from mxjax._src.zoo.densenet import (
    DenseNet as DenseNet,
    SqueezeNet as SqueezeNet,
    densenet121 as densenet121,
    densenet161 as densenet161,
    densenet169 as densenet169,
    densenet201 as densenet201,
    get_densenet as get_densenet,
    get_squeezenet as get_squeezenet,
    squeezenet1_0 as squeezenet1_0,
    squeezenet1_1 as squeezenet1_1,
)
from mxjax._src.zoo.mobilenet import (
    LinearBottleneck as LinearBottleneck,
    MobileNet as MobileNet,
    MobileNetV2 as MobileNetV2,
    get_mobilenet as get_mobilenet,
    get_mobilenet_v2 as get_mobilenet_v2,
    mobilenet0_25 as mobilenet0_25,
    mobilenet0_5 as mobilenet0_5,
    mobilenet0_75 as mobilenet0_75,
    mobilenet1_0 as mobilenet1_0,
    mobilenet_v2_0_25 as mobilenet_v2_0_25,
    mobilenet_v2_0_5 as mobilenet_v2_0_5,
    mobilenet_v2_0_75 as mobilenet_v2_0_75,
    mobilenet_v2_1_0 as mobilenet_v2_1_0,
)
from mxjax._src.zoo.registry import get_model as get_model
from mxjax._src.zoo.resnet import (
    BasicBlockV1 as BasicBlockV1,
    BasicBlockV2 as BasicBlockV2,
    BottleneckV1 as BottleneckV1,
    BottleneckV2 as BottleneckV2,
    ResNetV1 as ResNetV1,
    ResNetV2 as ResNetV2,
    get_resnet as get_resnet,
    resnet18_v1 as resnet18_v1,
    resnet18_v2 as resnet18_v2,
    resnet34_v1 as resnet34_v1,
    resnet34_v2 as resnet34_v2,
    resnet50_v1 as resnet50_v1,
    resnet50_v2 as resnet50_v2,
    resnet101_v1 as resnet101_v1,
    resnet101_v2 as resnet101_v2,
    resnet152_v1 as resnet152_v1,
    resnet152_v2 as resnet152_v2,
)
from mxjax._src.zoo.small import (
    MLP as MLP,
    LeNet as LeNet,
    lenet as lenet,
    mlp as mlp,
)
from mxjax._src.zoo.vgg import (
    VGG as VGG,
    AlexNet as AlexNet,
    alexnet as alexnet,
    get_vgg as get_vgg,
    vgg11 as vgg11,
    vgg11_bn as vgg11_bn,
    vgg13 as vgg13,
    vgg13_bn as vgg13_bn,
    vgg16 as vgg16,
    vgg16_bn as vgg16_bn,
    vgg19 as vgg19,
    vgg19_bn as vgg19_bn,
)

__all__ = sorted(k for k in dict(globals()) if not k.startswith("_"))
