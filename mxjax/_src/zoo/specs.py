"""The one LeNet and the one MLP, as layer lists both APIs build from.

Each network is written once here, as ``(layer name, args, kwargs)``
entries. :func:`build` turns the list into layers of the functional core
(:mod:`mxjax.layers`: ``mxjax train``, the benchmarks) or into Gluon blocks
(:mod:`mxjax.gluon.nn`: ``model_zoo.vision.LeNet``/``MLP``); both APIs spell
these layers and their arguments the same way, so the two builds are the
same network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["MLP_HIDDEN", "build", "lenet_spec", "mlp_spec"]

#: Hidden layer sizes of the default MLP.
MLP_HIDDEN = (256, 256)

Spec = list[tuple[str, tuple, dict]]


def lenet_spec(classes: int = 10, dropout: float = 0.0) -> Spec:
    """The LeNet-style CNN: two 3x3 convolutions with max pooling, then two Dense layers.

    ``Conv2D(32, 3, relu)``, ``MaxPool2D(2, 2)``, ``Conv2D(64, 3, relu)``,
    ``MaxPool2D(2, 2)``, ``Flatten``, ``Dense(128, relu)``, ``Dropout(dropout)``
    (only when ``dropout > 0``), ``Dense(classes)``.

    Examples:
        >>> from mxjax._src.zoo.specs import lenet_spec
        >>> [name for name, _, _ in lenet_spec(10)]
        ['Conv2D', 'MaxPool2D', 'Conv2D', 'MaxPool2D', 'Flatten', 'Dense', 'Dense']
    """
    relu = {"activation": "relu"}
    spec: Spec = [
        ("Conv2D", (32, 3), relu),
        ("MaxPool2D", (2, 2), {}),
        ("Conv2D", (64, 3), relu),
        ("MaxPool2D", (2, 2), {}),
        ("Flatten", (), {}),
        ("Dense", (128,), relu),
    ]
    if dropout:
        spec.append(("Dropout", (float(dropout),), {}))
    spec.append(("Dense", (classes,), {}))
    return spec


def mlp_spec(classes: int = 10, hidden=MLP_HIDDEN) -> Spec:
    """The MLP: one ``Dense(h, relu)`` per entry of ``hidden``, then ``Dense(classes)``.

    Examples:
        >>> from mxjax._src.zoo.specs import mlp_spec
        >>> mlp_spec(3, hidden=(8,))
        [('Dense', (8,), {'activation': 'relu'}), ('Dense', (3,), {})]
    """
    return [("Dense", (h,), {"activation": "relu"}) for h in hidden] + [("Dense", (classes,), {})]


def build(spec: Spec, lookup: Callable[[str], Any]) -> list:
    """The layers of ``spec``, each made by the class ``lookup(name)``.

    Examples:
        >>> from mxjax import layers as L
        >>> from mxjax._src.zoo.specs import build, mlp_spec
        >>> [type(layer).__name__ for layer in build(mlp_spec(2, (4,)), lambda n: getattr(L, n))]
        ['Dense', 'Dense']
    """
    return [lookup(name)(*args, **kwargs) for name, args, kwargs in spec]
