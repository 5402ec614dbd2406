"""Registry descriptors for the norm, activation, basic and attention layers."""

from mxjax import layers as L
from tests.layers.registry import Descriptor

_GB = {"gamma", "beta"}

DESCRIPTORS = [
    Descriptor(
        "batchnorm",
        lambda: L.BatchNorm(),
        [(4, 3, 5)],
        _GB | {"running_mean", "running_var"},
        (4, 3, 5),
        make_dtype=lambda dt: L.BatchNorm(dtype=dt),
    ),
    Descriptor(
        "batchnorm-train",
        lambda: L.BatchNorm(axis=-1, momentum=0.8),
        [(6, 4)],
        _GB | {"running_mean", "running_var"},
        (6, 4),
        vmap=False,  # batch statistics couple the samples
        make_dtype=lambda dt: L.BatchNorm(axis=-1, momentum=0.8, dtype=dt),
        apply_kwargs={"train": True},
    ),
    Descriptor(
        "layernorm",
        lambda: L.LayerNorm(),
        [(3, 4, 6)],
        _GB,
        (3, 4, 6),
        make_dtype=lambda dt: L.LayerNorm(dtype=dt),
    ),
    Descriptor(
        "groupnorm",
        lambda: L.GroupNorm(num_groups=2),
        [(2, 4, 5)],
        _GB,
        (2, 4, 5),
        make_dtype=lambda dt: L.GroupNorm(num_groups=2, dtype=dt),
    ),
    Descriptor(
        "instancenorm",
        lambda: L.InstanceNorm(scale=True),
        [(2, 3, 6)],
        _GB,
        (2, 3, 6),
        make_dtype=lambda dt: L.InstanceNorm(scale=True, dtype=dt),
    ),
    Descriptor("dropout-eval", lambda: L.Dropout(0.3), [(3, 4)], set(), (3, 4)),
    Descriptor(
        "embedding",
        lambda: L.Embedding(10, 4),
        [(3, 5)],
        {"weight"},
        (3, 5, 4),
        int_inputs=(0, 10),
        make_dtype=lambda dt: L.Embedding(10, 4, dtype=dt),
    ),
    Descriptor("flatten", lambda: L.Flatten(), [(3, 2, 4)], set(), (3, 8)),
    Descriptor("lambda", lambda: L.Lambda("tanh"), [(3, 4)], set(), (3, 4)),
    Descriptor("activation-softrelu", lambda: L.Activation("softrelu"), [(3, 4)], set(), (3, 4)),
    Descriptor("leakyrelu", lambda: L.LeakyReLU(0.1), [(3, 4)], set(), (3, 4)),
    Descriptor("prelu", lambda: L.PReLU(in_channels=4), [(3, 4, 2)], {"alpha"}, (3, 4, 2)),
    Descriptor("elu", lambda: L.ELU(0.5), [(3, 4)], set(), (3, 4)),
    Descriptor("selu", lambda: L.SELU(), [(3, 4)], set(), (3, 4)),
    Descriptor("gelu", lambda: L.GELU(), [(3, 4)], set(), (3, 4)),
    Descriptor("swish", lambda: L.Swish(2.0), [(3, 4)], set(), (3, 4)),
    Descriptor(
        "mha",
        lambda: L.MultiHeadAttention(8, 2),
        [(2, 5, 6), (2, 7, 4), (2, 7, 3)],
        {f"{p}_{s}" for p in ("query", "key", "value", "out") for s in ("weight", "bias")},
        (2, 5, 8),
        make_dtype=lambda dt: L.MultiHeadAttention(8, 2, dtype=dt),
    ),
]
