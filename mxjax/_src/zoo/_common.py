"""Containers and checks shared by the model zoo networks."""

from __future__ import annotations

from typing import Any

from mxjax._src.gluon.block import HybridBlock, HybridSequential

__all__ = ["HybridConcurrent", "Identity", "ops_for"]


def ops_for(x: Any) -> Any:
    """``mx.sym`` for a Symbol input (a network traced for ``export``), else ``mx.nd``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax._src.zoo._common import ops_for
        >>> ops_for(mx.nd.ones(1)) is mx.nd, ops_for(mx.sym.var("x")).__name__
        (True, 'mxjax.symbol')
    """
    if type(x).__name__ == "Symbol":
        import mxjax.symbol as F
    else:
        from mxjax import nd as F
    return F


class HybridConcurrent(HybridSequential):
    """Runs its children on the same input and concatenates their outputs.

    Gluon's ``gluon.contrib.nn.HybridConcurrent``: input ``x`` of any shape,
    output the children's outputs joined along ``axis``.

    Args:
        axis: the concatenation axis (1 is the channel axis of NCHW).
        prefix: name prefix (see :class:`mxjax.gluon.Block`).
        params: a ParameterDict to share parameters with.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo.vision import HybridConcurrent, Identity
        >>> net = HybridConcurrent(axis=1)
        >>> net.add(Identity(), Identity())
        >>> net(mx.nd.ones((2, 3))).shape
        (2, 6)
    """

    def __init__(self, axis: int = -1, prefix: str | None = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"HybridConcurrent: axis must be an int; received {axis!r}")
        self.axis = axis

    def forward(self, x: Any, *args: Any) -> Any:
        outs = [block(x) for block in self._children.values()]
        return ops_for(x).concat(*outs, dim=self.axis)


class Identity(HybridBlock):
    """Returns its input unchanged (Gluon's ``gluon.contrib.nn.Identity``).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.model_zoo.vision import Identity
        >>> Identity()(mx.nd.ones((2,))).asnumpy().tolist()
        [1.0, 1.0]
    """

    def forward(self, x: Any, *args: Any) -> Any:
        return x


def check_classes(owner: str, classes: Any) -> int:
    """Validates the ``classes`` argument of a network constructor."""
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 1:
        raise ValueError(f"{owner}: classes must be a positive int; received {classes!r}")
    return classes


def check_choice(owner: str, arg: str, value: Any, options: Any) -> Any:
    """Raises ``ValueError`` unless ``value`` is one of ``options``."""
    if value not in options:
        raise ValueError(f"{owner}: {arg} must be one of {sorted(options)}; received {value!r}")
    return value


def factory(name: str, build: Any, summary: str, example_shape: tuple) -> Any:
    """Makes a public constructor ``name(**kwargs)`` calling ``build(**kwargs)``.

    ``example_shape`` is the smallest ImageNet-style input the network accepts;
    it is stated in the docstring.
    """

    def make(**kwargs: Any):
        return build(**kwargs)

    make.__name__ = make.__qualname__ = name
    make.__module__ = "mxjax.gluon.model_zoo.vision"
    make.__doc__ = (
        f"{summary}\n\n"
        f"    Input ``{example_shape}`` or larger; output ``(N, classes)``.\n\n"
        "    Args:\n"
        "        **kwargs: ``classes``, ``pretrained`` (MXNet's weights, see ``model_store``),\n"
        "            ``ctx``, ``root`` (default ``$MXJAX_HOME/models``), ``prefix``, ``params``.\n\n"
        "    Examples:\n"
        "        >>> from mxjax.gluon.model_zoo import vision\n"
        f"        >>> net = vision.{name}(classes=10)\n"
        "        >>> net.output is not None\n"
        "        True\n"
    )
    return make
