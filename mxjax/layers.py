"""The functional core: layers as frozen dataclasses with pure ``init``/``apply``.

::

    params, state = layer.init(key, *example_inputs)
    outputs, state = layer.apply(params, state, *inputs, key=None, train=False)

Examples:
    >>> import jax, jax.numpy as jnp
    >>> from mxjax import layers as L
    >>> net = L.Sequential([L.Dense(16, activation="relu"), L.Dense(10)])
    >>> params, state = net.init(jax.random.key(0), jnp.ones((2, 784)))
    >>> logits, state = net.apply(params, state, jnp.ones((2, 784)))
    >>> logits.shape
    (2, 10)
"""

# isort: skip_file
from mxjax._src.layers.base import (
    Composite as Composite,
    Layer as Layer,
    Scope as Scope,
    flatten_names as flatten_names,
    layer as layer,
    unflatten_names as unflatten_names,
)
from mxjax._src.layers.container import Sequential as Sequential
from mxjax._src.layers.dense import Dense as Dense

# --- section: conv & pooling ---
from mxjax._src.layers.conv import (
    Conv1D as Conv1D,
    Conv1DTranspose as Conv1DTranspose,
    Conv2D as Conv2D,
    Conv2DTranspose as Conv2DTranspose,
    Conv3D as Conv3D,
    Conv3DTranspose as Conv3DTranspose,
)
from mxjax._src.layers.pool import (
    AvgPool1D as AvgPool1D,
    AvgPool2D as AvgPool2D,
    AvgPool3D as AvgPool3D,
    GlobalAvgPool1D as GlobalAvgPool1D,
    GlobalAvgPool2D as GlobalAvgPool2D,
    GlobalAvgPool3D as GlobalAvgPool3D,
    GlobalMaxPool1D as GlobalMaxPool1D,
    GlobalMaxPool2D as GlobalMaxPool2D,
    GlobalMaxPool3D as GlobalMaxPool3D,
    MaxPool1D as MaxPool1D,
    MaxPool2D as MaxPool2D,
    MaxPool3D as MaxPool3D,
)
# --- end: conv & pooling ---

# --- section: norm, activations, basic, attention ---
from mxjax._src.layers.activation import (
    ELU as ELU,
    GELU as GELU,
    SELU as SELU,
    Activation as Activation,
    LeakyReLU as LeakyReLU,
    PReLU as PReLU,
    Swish as Swish,
)
from mxjax._src.layers.attention import MultiHeadAttention as MultiHeadAttention
from mxjax._src.layers.basic import (
    Dropout as Dropout,
    Embedding as Embedding,
    Flatten as Flatten,
    Lambda as Lambda,
)
from mxjax._src.layers.norm import (
    BatchNorm as BatchNorm,
    GroupNorm as GroupNorm,
    InstanceNorm as InstanceNorm,
    LayerNorm as LayerNorm,
)
# --- end: norm, activations, basic, attention ---

# --- section: recurrent ---
from mxjax._src.layers.rnn import GRU as GRU, LSTM as LSTM, RNN as RNN
from mxjax._src.layers.conv_rnn_cell import (
    ConvGRUCell as ConvGRUCell,
    ConvLSTMCell as ConvLSTMCell,
    ConvRNNCell as ConvRNNCell,
)
from mxjax._src.layers.rnn_cell import (
    GRUCell as GRUCell,
    LSTMCell as LSTMCell,
    LSTMPCell as LSTMPCell,
    RNNCell as RNNCell,
)
# --- end: recurrent ---

__all__ = sorted(
    name
    for name, value in dict(globals()).items()
    if not name.startswith("_") and isinstance(value, type | type(layer))
)
