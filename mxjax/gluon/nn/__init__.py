"""``gluon.nn``: Gluon's layers as Blocks over the functional core ``mxjax.layers``.

Examples:
    >>> import mxjax as mx
    >>> from mxjax.gluon import nn
    >>> net = nn.HybridSequential()
    >>> net.add(nn.Dense(8, activation="relu"), nn.Dense(2))
    >>> net.initialize()
    >>> net(mx.nd.ones((1, 4))).shape
    (1, 2)
"""

# isort: skip_file
from mxjax._src.gluon.block import (
    Block as Block,
    HybridBlock as HybridBlock,
    HybridSequential as HybridSequential,
    Sequential as Sequential,
)
from mxjax._src.gluon.contrib_nn import ReflectionPad2D as ReflectionPad2D
from mxjax._src.gluon.core_block import CoreBlock as CoreBlock
from mxjax._src.gluon.nn import (
    ELU as ELU,
    GELU as GELU,
    SELU as SELU,
    Activation as Activation,
    BatchNorm as BatchNorm,
    Dense as Dense,
    Dropout as Dropout,
    Embedding as Embedding,
    Flatten as Flatten,
    GroupNorm as GroupNorm,
    HybridLambda as HybridLambda,
    InstanceNorm as InstanceNorm,
    Lambda as Lambda,
    LayerNorm as LayerNorm,
    LeakyReLU as LeakyReLU,
    MultiHeadAttention as MultiHeadAttention,
    PReLU as PReLU,
    Swish as Swish,
)

from mxjax._src.gluon.nn_conv import (
    Conv1D as Conv1D,
    Conv2D as Conv2D,
    Conv3D as Conv3D,
    Conv1DTranspose as Conv1DTranspose,
    Conv2DTranspose as Conv2DTranspose,
    Conv3DTranspose as Conv3DTranspose,
    MaxPool1D as MaxPool1D,
    MaxPool2D as MaxPool2D,
    MaxPool3D as MaxPool3D,
    AvgPool1D as AvgPool1D,
    AvgPool2D as AvgPool2D,
    AvgPool3D as AvgPool3D,
    GlobalMaxPool1D as GlobalMaxPool1D,
    GlobalMaxPool2D as GlobalMaxPool2D,
    GlobalMaxPool3D as GlobalMaxPool3D,
    GlobalAvgPool1D as GlobalAvgPool1D,
    GlobalAvgPool2D as GlobalAvgPool2D,
    GlobalAvgPool3D as GlobalAvgPool3D,
)

__all__ = sorted([*(k for k in dict(globals()) if not k.startswith("_")), "SymbolBlock"])


def __getattr__(name: str):
    if name == "SymbolBlock":  # MXNet's gluon.nn re-exports gluon.block (imported lazily)
        from mxjax._src.symbol.block import SymbolBlock

        globals()["SymbolBlock"] = SymbolBlock
        return SymbolBlock
    raise AttributeError(f"module 'mxjax.gluon.nn' has no attribute {name!r}")
