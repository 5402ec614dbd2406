"""Registry descriptors for the convolution and pooling layers."""

from mxjax import layers as L
from tests.layers.registry import Descriptor


def _d(id_, factory, shape, names, out_shape, **kw):
    return Descriptor(
        id_,
        factory,
        [shape],
        names,
        out_shape,
        make_dtype=(lambda dt: factory(dtype=dt)) if names else None,
        **kw,
    )


WB = {"weight", "bias"}

DESCRIPTORS = [
    _d("conv1d", lambda **k: L.Conv1D(3, 3, strides=2, padding=1, **k), (2, 2, 7), WB, (2, 3, 4)),
    _d(
        "conv2d-groups-relu",
        lambda **k: L.Conv2D(4, (3, 2), padding=1, groups=2, activation="relu", **k),
        (2, 4, 5, 4),
        WB,
        (2, 4, 5, 5),
    ),
    _d(
        "conv2d-nhwc",
        lambda **k: L.Conv2D(3, 3, dilation=2, use_bias=False, layout="NHWC", **k),
        (2, 6, 5, 2),
        {"weight"},
        (2, 2, 1, 3),
    ),
    _d("conv3d", lambda **k: L.Conv3D(2, 2, **k), (1, 2, 3, 4, 3), WB, (1, 2, 2, 3, 2)),
    _d(  # kernel = input: one output position, run as a matrix product
        "conv2d-whole-input-groups",
        lambda **k: L.Conv2D(4, (4, 3), groups=2, layout="NHWC", **k),
        (2, 4, 3, 2),
        WB,
        (2, 1, 1, 4),
    ),
    _d(
        "conv1dT",
        lambda **k: L.Conv1DTranspose(2, 3, strides=2, padding=1, output_padding=1, **k),
        (2, 3, 4),
        WB,
        (2, 2, 8),
    ),
    _d(
        "conv2dT-groups",
        lambda **k: L.Conv2DTranspose(4, 2, strides=2, groups=2, **k),
        (2, 2, 3, 3),
        WB,
        (2, 4, 6, 6),
    ),
    _d(  # from one input position: a matrix product
        "conv2dT-from-1x1-groups",
        lambda **k: L.Conv2DTranspose(4, 3, groups=2, **k),
        (2, 2, 1, 1),
        WB,
        (2, 4, 3, 3),
    ),
    _d(
        "conv3dT-ndhwc",
        lambda **k: L.Conv3DTranspose(2, 2, layout="NDHWC", **k),
        (1, 2, 3, 2, 3),
        WB,
        (1, 3, 4, 3, 2),
    ),
    _d("maxpool1d", lambda: L.MaxPool1D(2, ceil_mode=True), (2, 3, 7), set(), (2, 3, 4)),
    _d("maxpool2d", lambda: L.MaxPool2D(3, 2, 1), (2, 3, 6, 5), set(), (2, 3, 3, 3)),
    _d(
        "maxpool3d-ndhwc",
        lambda: L.MaxPool3D(2, layout="NDHWC"),
        (1, 4, 4, 2, 3),
        set(),
        (1, 2, 2, 1, 3),
    ),
    _d(
        "avgpool1d",
        lambda: L.AvgPool1D(3, 2, 1, ceil_mode=True, count_include_pad=False),
        (2, 3, 8),
        set(),
        (2, 3, 5),
    ),
    _d(
        "avgpool2d", lambda: L.AvgPool2D(3, 2, 1, ceil_mode=True), (2, 3, 6, 6), set(), (2, 3, 4, 4)
    ),
    _d("avgpool3d", lambda: L.AvgPool3D(2), (1, 2, 4, 4, 2), set(), (1, 2, 2, 2, 1)),
    _d("gmaxpool1d", lambda: L.GlobalMaxPool1D(), (2, 3, 5), set(), (2, 3, 1)),
    _d("gmaxpool2d", lambda: L.GlobalMaxPool2D(layout="NHWC"), (2, 4, 5, 3), set(), (2, 1, 1, 3)),
    _d("gmaxpool3d", lambda: L.GlobalMaxPool3D(), (1, 2, 3, 2, 2), set(), (1, 2, 1, 1, 1)),
    _d("gavgpool1d", lambda: L.GlobalAvgPool1D(), (2, 3, 5), set(), (2, 3, 1)),
    _d("gavgpool2d", lambda: L.GlobalAvgPool2D(), (2, 3, 4, 5), set(), (2, 3, 1, 1)),
    _d(
        "gavgpool3d",
        lambda: L.GlobalAvgPool3D(layout="NDHWC"),
        (1, 3, 2, 2, 2),
        set(),
        (1, 1, 1, 1, 2),
    ),
]
