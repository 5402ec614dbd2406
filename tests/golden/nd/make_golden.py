"""Writes MXNet 1.9.1 golden outputs of `nd` operators for tests/facade/test_ndarray.py.

Run with real MXNet: /tmp/mxnet/bin/python tests/golden/nd/make_golden.py
Each case is a Python expression over the inputs below; the test evaluates the
same expression with `nd = mxjax.nd` and compares values, shapes and dtypes.
"""

import json
import os

import numpy as np
from mxnet import nd

HERE = os.path.dirname(os.path.abspath(__file__))

rng = np.random.RandomState(0)
INPUTS = {
    "a": rng.randn(2, 3).astype("float32"),
    "b": rng.randn(2, 3).astype("float32"),
    "c": rng.rand(4, 3, 5).astype("float32") + 0.1,
    "v": rng.randn(3).astype("float32"),
    "i": np.array([2, 0, 1], dtype="float32"),
    "m": rng.randn(3, 4).astype("float32"),
    "bt": rng.randn(2, 3, 4).astype("float32"),
    "ai": np.array([[1, -2, 3], [4, 5, -6]], dtype="int32"),
}

CASES = [
    "a + b", "a - 2", "3 - a", "a * b", "a / b", "2 / c", "a ** 2", "c ** 0.5", "a % 1.5",
    "-a", "abs(a)", "a == b", "a > 0", "a <= b", "ai / 4", "ai == 3", "a + v", "ai * 2",
    "a.sum()", "a.sum(axis=1)", "c.sum(axis=(0, 2), keepdims=True)", "c.sum(axis=1, exclude=True)",
    "c.mean(axis=0)", "a.max(axis=0)", "a.min()", "c.prod(axis=2)", "a.argmax(axis=1)",
    "a.argmin()", "c.argmax(axis=1, keepdims=True)", "a.norm()", "nd.norm(c, ord=1, axis=2)",
    "nd.norm(c, axis=(0, 1), keepdims=True)",
    "c.reshape((0, -1))", "c.reshape((-3, 0))", "c.reshape((-4, 2, -1, -2))",
    "c.reshape((-1, 5), reverse=True)", "c.reshape(-2)", "a.T", "a[1]", "a[1, 2]", "a[:, 1:]",
    "c[1:3, ::2]", "a[0][1]", "nd.exp(a)", "nd.log(c)", "nd.sqrt(c)", "nd.square(a)",
    "nd.relu(a)", "nd.sigmoid(a)", "nd.tanh(a)", "nd.abs(a)", "nd.sign(a)", "nd.floor(a)",
    "nd.round(a)", "nd.reciprocal(c)", "nd.rsqrt(c)", "nd.log1p(c)",
    "nd.softmax(a)", "nd.softmax(c, axis=1)", "nd.log_softmax(a)",
    "nd.softmax(a, temperature=2.0)", "nd.concat(a, b)", "nd.concat(a, b, dim=0)",
    "nd.stack(a, b)", "nd.stack(a, b, axis=2)", "nd.split(c, 3, axis=1)",
    "nd.split(c, 5, axis=2, squeeze_axis=True)", "nd.slice(c, begin=(1, None, 0), end=(3, 2, 4))",
    "nd.slice(c, begin=(None, 0), end=(None, 3), step=(2, 2))",
    "nd.slice_axis(c, axis=2, begin=1, end=3)", "nd.slice_axis(c, axis=0, begin=-2, end=None)",
    "nd.take(m, i)", "nd.take(c, nd.array([[0, 5], [3, 1]]), axis=0)",
    "nd.take(m, nd.array([4, -1]), mode='wrap')", "nd.pick(m, nd.array([0, 3, 1]))",
    "nd.pick(m, nd.array([0, 2, 1, 0]), axis=0, keepdims=True)", "nd.one_hot(i, 4)",
    "nd.one_hot(i, 3, on_value=5, off_value=-1)", "nd.where(a > 0, a, b)",
    "nd.where(nd.array([1, 0]), a, b)", "nd.clip(a, -0.5, 0.5)", "nd.dot(a, m)",
    "nd.dot(a, b, transpose_b=True)", "nd.dot(a, b, transpose_a=True)", "nd.dot(v, v)",
    "nd.dot(bt, m.T)", "nd.batch_dot(bt, bt, transpose_b=True)",
    "nd.batch_dot(bt, bt, transpose_a=True)", "nd.flatten(c)", "nd.expand_dims(a, 1)",
    "nd.transpose(c)", "nd.transpose(c, axes=(1, 0, 2))", "nd.swapaxes(c, 0, 2)",
    "nd.tile(a, (2, 1))", "nd.tile(v, (2, 2))", "nd.repeat(a, 2)", "nd.repeat(a, 2, axis=1)",
    "nd.broadcast_to(nd.array([[1], [2]]), (0, 3))", "nd.broadcast_add(a, v.reshape((1, 3)))",
    "nd.broadcast_mul(c, nd.array([1, 2, 3]).reshape((1, 3, 1)))", "nd.broadcast_maximum(a, b)",
    "nd.broadcast_greater(a, b)", "nd.topk(a, k=2)", "nd.topk(a, k=2, ret_typ='value')",
    "nd.topk(a, k=2, ret_typ='both')", "nd.topk(a, k=1, ret_typ='mask', is_ascend=True)",
    "nd.topk(c, axis=1, k=2)", "nd.topk(a, axis=None, k=3)", "nd.sort(a)",
    "nd.sort(a, axis=0, is_ascend=False)", "nd.argsort(a)", "nd.argsort(c, axis=1, is_ascend=False)",
    "nd.maximum(a, b)", "nd.minimum(a, 0.1)", "nd.reshape_like(c, nd.zeros((12, 5)))",
    "nd.zeros_like(a)", "nd.ones_like(ai)", "nd.arange(5)", "nd.arange(1, 4, 0.5)",
    "nd.arange(3, repeat=3)", "nd.full((2, 2), 3.5)", "nd.array([1, 2, 3])",
    "nd.array([[1, 2]], dtype='int32')", "nd.add_n(a, b, a)", "nd.squeeze(nd.zeros((1, 3, 1)))",
    "nd.Activation(a, act_type='softrelu')", "nd.LeakyReLU(a, slope=0.1)",
    "nd.FullyConnected(bt, m, nd.array([1, 2, 3]), num_hidden=3, flatten=False)",
    "nd.FullyConnected(a, m.T, None, num_hidden=4, no_bias=True)", "nd.cast(a * 3, 'int32')",
    "nd.Cast(ai, 'float16')", "nd.eye(3, 4, 1)", "nd.linspace(0, 1, 5)", "nd.Dropout(a, p=0.3)",
]  # fmt: skip


# Gradients: d(sum(w * expr))/d(inputs) with a fixed random weighting w, via autograd.
GRAD_CASES = [
    "a * b + a / (b * b + 1)", "nd.exp(a) * nd.tanh(b)", "nd.softmax(c, axis=1)",
    "nd.log_softmax(a) * b", "nd.sigmoid(a) + nd.relu(b)", "nd.sqrt(c) + nd.log(c)",
    "nd.dot(a, m)", "nd.dot(a, b, transpose_b=True)", "nd.batch_dot(bt, bt, transpose_b=True)",
    "nd.FullyConnected(a, m.T, v[0:1].reshape((1,)) * 0 + nd.ones((4,)), num_hidden=4)",
    "nd.pick(m, i[0:3] * 0 + nd.array([0, 3, 1]))", "nd.take(m, i)", "a.sum(axis=1)",
    "c.mean(axis=(0, 2))", "a.max(axis=0)", "nd.norm(a, axis=1)", "a.reshape((3, 2))",
    "a.T", "a[1]", "c[1:3, ::2]", "nd.concat(a, b)", "nd.stack(a, b, axis=2)",
    "nd.split(c, 3, axis=1)[1]", "nd.slice_axis(c, axis=2, begin=1, end=3)",
    "nd.where(a > 0, a * 2, b * 3)", "nd.clip(a, -0.5, 0.5)", "nd.tile(a, (2, 1))",
    "nd.broadcast_to(v.reshape((1, 3)), (4, 3))", "nd.maximum(a, b)",
    "nd.topk(a, k=2, ret_typ='value')", "nd.sort(a, axis=0)", "a ** 3", "2 ** a",
    "nd.square(a) - abs(b)", "nd.expand_dims(a, 0) * 2", "nd.flatten(c)",
    "nd.LeakyReLU(a, slope=0.1)", "nd.Activation(a, act_type='softrelu')",
]  # fmt: skip


def grad_cases(out):
    from mxnet import autograd

    cases = []
    for n, expr in enumerate(GRAD_CASES):
        env = {k: nd.array(v, dtype=v.dtype) for k, v in INPUTS.items() if v.dtype.kind == "f"}
        env["nd"] = nd
        for k, v in env.items():
            if k != "nd":
                v.attach_grad()
        with autograd.record():
            y = eval(expr, env)
            w = nd.array(np.random.RandomState(n).randn(*y.shape).astype("float32"))
            loss = (y * w).sum()
        loss.backward()
        for k in INPUTS:
            if k in env:
                out[f"grad{n}_{k}"] = env[k].grad.asnumpy()
        out[f"gradw{n}"] = w.asnumpy()
        cases.append(expr)
    return cases


def main():
    env = {k: nd.array(v, dtype=v.dtype) for k, v in INPUTS.items()}
    env["nd"] = nd
    out = {f"in_{k}": v for k, v in INPUTS.items()}
    cases = []
    for n, expr in enumerate(CASES):
        res = eval(expr, env)
        res = res if isinstance(res, list) else [res]
        for j, r in enumerate(res):
            out[f"case{n}_{j}"] = r.asnumpy()
        cases.append({"expr": expr, "n_out": len(res)})
    grads = grad_cases(out)
    np.savez_compressed(os.path.join(HERE, "ops.npz"), **out)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"cases": cases, "grad_cases": grads}, f, indent=0)


if __name__ == "__main__":
    main()
