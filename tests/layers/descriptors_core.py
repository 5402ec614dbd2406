from mxjax import layers as L
from tests.layers.registry import Descriptor

DESCRIPTORS = [
    Descriptor(
        "dense-flatten",
        lambda: L.Dense(5, activation="tanh"),
        [(3, 2, 4)],
        {"weight", "bias"},
        (3, 5),
        make_dtype=lambda dt: L.Dense(5, activation="tanh", dtype=dt),
    ),
    Descriptor(
        "dense-noflatten",
        lambda: L.Dense(5, flatten=False, use_bias=False),
        [(3, 2, 4)],
        {"weight"},
        (3, 2, 5),
        make_dtype=lambda dt: L.Dense(5, flatten=False, use_bias=False, dtype=dt),
    ),
    Descriptor(
        "sequential",
        lambda: L.Sequential([L.Dense(6, activation="relu"), L.Dense(2)]),
        [(4, 3)],
        {"0.weight", "0.bias", "1.weight", "1.bias"},
        (4, 2),
        make_dtype=lambda dt: L.Sequential(
            [L.Dense(6, activation="relu", dtype=dt), L.Dense(2, dtype=dt)]
        ),
    ),
]
