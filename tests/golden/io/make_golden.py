"""Writes MXNet 1.9.1 golden `.params` files for tests/test_io_params.py.

Run with real MXNet: /tmp/mxnet/bin/python tests/golden/io/make_golden.py
"""

import os

import mxnet as mx
import numpy as np
from mxnet import gluon, nd

HERE = os.path.dirname(os.path.abspath(__file__))


def values(dtype, shape, seed):
    rng = np.random.RandomState(seed)
    if dtype == "bool":
        return rng.rand(*shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.randint(0, 100, size=shape).astype(dtype)
    return rng.randn(*shape).astype(dtype)


DTYPES = ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"]


def main():
    # nd.save of a dict with several dtypes and shapes (incl. a scalar-like (1,) array)
    arrays = {}
    for i, dt in enumerate(DTYPES):
        arrays[f"arr_{dt}"] = nd.array(values(dt, (2, 3), i), dtype=dt)
    arrays["vec"] = nd.array([1.5])
    arrays["big"] = nd.array(values("float32", (4, 5, 6), 99))
    nd.save(os.path.join(HERE, "nd_dict.params"), arrays)
    np.savez(
        os.path.join(HERE, "nd_dict_values.npz"), **{k: v.asnumpy() for k, v in arrays.items()}
    )
    # nd.save of a list (no names)
    lst = [
        nd.array(values("float32", (3,), 7)),
        nd.array(values("int32", (2, 2), 8), dtype="int32"),
    ]
    nd.save(os.path.join(HERE, "nd_list.params"), lst)
    np.savez(os.path.join(HERE, "nd_list_values.npz"), *[v.asnumpy() for v in lst])
    # gluon save_parameters of a small net
    mx.random.seed(0)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(4, activation="relu", in_units=3), gluon.nn.BatchNorm(in_channels=4))
    net.add(gluon.nn.Dense(2, in_units=4))
    net.initialize(mx.init.Xavier())
    net.save_parameters(os.path.join(HERE, "gluon_net.params"))
    params = net._collect_params_with_prefix()
    np.savez(
        os.path.join(HERE, "gluon_net_values.npz"),
        **{k: v.data().asnumpy() for k, v in params.items()},
    )


if __name__ == "__main__":
    main()
