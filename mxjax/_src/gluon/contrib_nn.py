"""Small Gluon blocks: ``contrib.nn`` (``Concurrent``, ``HybridConcurrent``, ``Identity``,
``PixelShuffle1D/2D/3D``, ``SparseEmbedding``) and ``nn.ReflectionPad2D``."""

from __future__ import annotations

from typing import Any

from mxjax._src.dispatch import apply as _apply
from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.block import Block, HybridBlock, HybridSequential, Sequential

__all__ = [
    "Concurrent",
    "HybridConcurrent",
    "Identity",
    "PixelShuffle1D",
    "PixelShuffle2D",
    "PixelShuffle3D",
    "ReflectionPad2D",
    "SparseEmbedding",
]


class Concurrent(Sequential):
    """Runs every child on the same input and concatenates their outputs along ``axis``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> from mxjax.gluon.contrib.nn import Concurrent, Identity
        >>> net = Concurrent(axis=1)
        >>> net.add(nn.Dense(2, in_units=3), Identity())
        >>> net.initialize()
        >>> net(mx.nd.ones((4, 3))).shape
        (4, 5)
    """

    def __init__(self, axis: int = -1, prefix: str | None = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x: Any) -> Any:
        nd = B.nd()
        return nd.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class HybridConcurrent(HybridSequential):
    """:class:`Concurrent` as a HybridBlock (compiled with :meth:`hybridize`).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> from mxjax.gluon.contrib.nn import HybridConcurrent
        >>> net = HybridConcurrent(axis=1)
        >>> net.add(nn.Conv2D(4, 1, in_channels=3), nn.Conv2D(2, 1, in_channels=3))
        >>> net.initialize(); net.hybridize()
        >>> net(mx.nd.ones((1, 3, 5, 5))).shape
        (1, 6, 5, 5)
    """

    def __init__(self, axis: int = -1, prefix: str | None = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x: Any) -> Any:
        nd = B.nd()
        return nd.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class Identity(HybridBlock):
    """Returns its input (a placeholder branch of :class:`HybridConcurrent`).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib.nn import Identity
        >>> Identity()(mx.nd.ones((2,))).asnumpy().tolist()
        [1.0, 1.0]
    """

    def forward(self, x: Any) -> Any:
        return x

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return x


def _factors(name: str, factor: Any, n: int) -> tuple[int, ...]:
    fs = (factor,) * n if isinstance(factor, int) else tuple(factor)
    if len(fs) != n or not all(isinstance(f, int) and f > 0 for f in fs):
        raise ValueError(
            f"{name}: factor must be a positive int or {n} of them; received {factor!r}"
        )
    return fs


class _PixelShuffle(HybridBlock):
    _n = 1

    def __init__(self, factor: Any):
        super().__init__()
        self._factors = _factors(type(self).__name__, factor, self._n)

    def __repr__(self) -> str:
        f = self._factors[0] if self._n == 1 else self._factors
        return f"{type(self).__name__}({f})"

    def forward(self, x: Any) -> Any:
        fs, n = self._factors, self._n
        size = 1
        for f in fs:
            size *= f
        if x.ndim != n + 2 or x.shape[1] % size:
            raise ValueError(
                f"{type(self).__name__}: expected an (N, C*{size}, ...) input with {n} spatial "
                f"axes and channels divisible by {size}; received shape {tuple(x.shape)}"
            )

        def fn(a):
            nb, c, sp = a.shape[0], a.shape[1] // size, a.shape[2:]
            a = a.reshape((nb, c, *fs, *sp))
            # (N, C, f1..fn, s1..sn) -> (N, C, s1, f1, ..., sn, fn)
            perm = [0, 1]
            for i in range(n):
                perm += [2 + n + i, 2 + i]
            a = a.transpose(perm)
            return a.reshape((nb, c, *(s * f for s, f in zip(sp, fs))))

        return _apply(fn, x)


class PixelShuffle1D(_PixelShuffle):
    """``(N, f*C, W) -> (N, C, W*f)`` (sub-pixel upsampling).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib.nn import PixelShuffle1D
        >>> PixelShuffle1D(2)(mx.nd.arange(4).reshape((1, 2, 2))).asnumpy().tolist()
        [[[0.0, 2.0, 1.0, 3.0]]]
    """

    _n = 1


class PixelShuffle2D(_PixelShuffle):
    """``(N, f1*f2*C, H, W) -> (N, C, H*f1, W*f2)`` (sub-pixel upsampling).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib.nn import PixelShuffle2D
        >>> PixelShuffle2D((2, 3))(mx.nd.zeros((1, 12, 3, 5))).shape
        (1, 2, 6, 15)
    """

    _n = 2


class PixelShuffle3D(_PixelShuffle):
    """``(N, f1*f2*f3*C, D, H, W) -> (N, C, D*f1, H*f2, W*f3)`` (sub-pixel upsampling).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib.nn import PixelShuffle3D
        >>> PixelShuffle3D(2)(mx.nd.zeros((1, 16, 2, 3, 4))).shape
        (1, 2, 4, 6, 8)
    """

    _n = 3


class ReflectionPad2D(HybridBlock):
    """Pads the H and W axes of an NCHW input by reflection (Gluon's ``nn.ReflectionPad2D``).

    Args:
        padding: an int (same on the four sides) or MXNet's 8-int ``pad_width``
            ``(0, 0, 0, 0, top, bottom, left, right)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.ReflectionPad2D(1)(mx.nd.arange(6).reshape((1, 1, 2, 3)))[0, 0].asnumpy().tolist()
        [[4.0, 3.0, 4.0, 5.0, 4.0], [1.0, 0.0, 1.0, 2.0, 1.0], [4.0, 3.0, 4.0, 5.0, 4.0], [1.0, 0.0, 1.0, 2.0, 1.0]]
    """

    def __init__(self, padding: Any = 0, prefix: str | None = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        if isinstance(padding, int):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        padding = tuple(int(p) for p in padding)
        if len(padding) != 8 or any(p < 0 for p in padding) or any(padding[:4]):
            raise ValueError(
                "ReflectionPad2D: padding must be an int >= 0 or 8 ints (0, 0, 0, 0, top, bottom, "
                f"left, right); received {padding!r}"
            )
        self._padding = padding

    def __repr__(self) -> str:
        return f"ReflectionPad2D(padding={self._padding})"

    def forward(self, x: Any) -> Any:
        import jax.numpy as jnp

        p = self._padding
        if x.ndim != 4:
            raise ValueError(f"ReflectionPad2D: expected an NCHW input; received shape {x.shape}")
        if p[4] >= x.shape[2] or p[5] >= x.shape[2] or p[6] >= x.shape[3] or p[7] >= x.shape[3]:
            raise ValueError(
                f"ReflectionPad2D: padding {p[4:]} must be smaller than the padded sides of "
                f"input shape {x.shape}"
            )
        width = ((0, 0), (0, 0), (p[4], p[5]), (p[6], p[7]))
        return _apply(lambda a: jnp.pad(a, width, mode="reflect"), x)


class SparseEmbedding(Block):
    """An embedding whose weight and weight gradient are row-sparse (MXNet's ``contrib.nn``).

    The weight is a ``stype='row_sparse'`` parameter read with
    ``row_sparse_data(x)`` (only the rows ``x`` uses), and ``nd.Embedding``
    with ``sparse_grad=True`` gives it a row-sparse gradient, so a Trainer
    updates only those rows (lazy update). A Trainer must hold the block's
    parameters before the first call, as in MXNet.

    Args:
        input_dim: vocabulary size.
        output_dim: embedding size.
        dtype: the weight's and the output's dtype.
        weight_initializer: initializer of the weight.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib.nn import SparseEmbedding
        >>> net = SparseEmbedding(4, 2, weight_initializer=mx.init.One())
        >>> net.initialize()
        >>> trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
        >>> with mx.autograd.record():
        ...     y = net(mx.nd.array([[0, 2], [2, 2]]))
        >>> y.backward()
        >>> trainer.step(1)
        >>> net
        SparseEmbedding(4 -> 2, float32)
        >>> net.weight.row_sparse_data(mx.nd.arange(4)).asnumpy().tolist()
        [[0.5, 0.5], [1.0, 1.0], [-0.5, -0.5], [1.0, 1.0]]
    """

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = dict(input_dim=input_dim, output_dim=output_dim, dtype=dtype)
        self._kwargs["sparse_grad"] = True
        self.weight = self.params.get(
            "weight",
            shape=(input_dim, output_dim),
            init=weight_initializer,
            dtype=dtype,
            grad_stype="row_sparse",
            stype="row_sparse",
        )

    def forward(self, x: Any) -> Any:
        weight = self.weight.row_sparse_data(x)
        return B.nd().Embedding(x, weight, **self._kwargs)

    def __repr__(self) -> str:
        k = self._kwargs
        return f"{type(self).__name__}({k['input_dim']} -> {k['output_dim']}, {k['dtype']})"
