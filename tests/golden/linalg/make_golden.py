"""Goldens from real MXNet 1.9.1 for ``nd.linalg`` (values and gradients of a scalar of each output).

Run with the MXNet venv from this folder: /work/mxnet-venv/bin/python make_golden.py
"""

import mxnet as mx
import numpy as np

rs = np.random.RandomState(0)
A = rs.uniform(-1, 1, (2, 3, 3)).astype("float32")
B = rs.uniform(-1, 1, (2, 3, 4)).astype("float32")
C = rs.uniform(-1, 1, (2, 3, 4)).astype("float32")
W = rs.uniform(-1, 1, (2, 3, 5)).astype("float32")  # for gelqf (rows <= columns)
spd = (A @ A.transpose(0, 2, 1) + 3 * np.eye(3, dtype="float32")).astype("float32")
low = np.tril(A) + 2 * np.eye(3, dtype="float32")
L = mx.nd.linalg
cases = {
    "gemm": (lambda a, b, c: L.gemm(a, b, c, alpha=1.5, beta=0.5), [A, B, C]),
    "gemm_t": (lambda a, b, c: L.gemm(a, b, c, transpose_a=True, alpha=2.0), [A, B, C]),
    "gemm2": (lambda a, b: L.gemm2(a, b, transpose_b=True, alpha=0.5), [B, C]),
    "potrf": (lambda a: L.potrf(a), [spd]),
    "potri": (lambda a: L.potri(a), [low]),
    "trmm": (lambda a, b: L.trmm(a, b, alpha=2.0), [low, B]),
    "trmm_rt": (
        lambda a, b: L.trmm(a, b.transpose((0, 2, 1)), rightside=True, transpose=True, lower=False),
        [low, B],
    ),
    "trsm": (lambda a, b: L.trsm(a, b, alpha=0.5), [low, B]),
    "trsm_rt": (
        lambda a, b: L.trsm(a, b.transpose((0, 2, 1)), rightside=True, transpose=True),
        [low, B],
    ),
    "sumlogdiag": (lambda a: L.sumlogdiag(a), [spd]),
    "syrk": (lambda a: L.syrk(a, alpha=0.5), [B]),
    "syrk_t": (lambda a: L.syrk(a, transpose=True), [B]),
    "inverse": (lambda a: L.inverse(a), [spd]),
    "det": (lambda a: L.det(a), [A]),
    "extractdiag": (lambda a: L.extractdiag(a, offset=1), [A]),
    "makediag": (lambda a: L.makediag(a, offset=-1), [B]),
    "extracttrian": (lambda a: L.extracttrian(a, offset=1, lower=False), [A]),
    "extracttrian_low": (lambda a: L.extracttrian(a), [A]),
    "maketrian": (lambda a: L.maketrian(a, offset=-1), [C[:, :, :3]]),
    "maketrian_up": (lambda a: L.maketrian(a, lower=False), [C[0, :, :2].reshape(2, 3)]),
}
out = {}
for name, (f, inputs) in cases.items():
    xs = [mx.nd.array(x) for x in inputs]
    for x in xs:
        x.attach_grad()
    with mx.autograd.record():
        y = f(*xs)
        loss = (y * y).sum()
    loss.backward()
    out[name + "/y"] = y.asnumpy()
    for i, (x, v) in enumerate(zip(xs, inputs)):
        out[f"{name}/x{i}"] = v
        out[f"{name}/g{i}"] = x.grad.asnumpy()
q, lq = L.gelqf(mx.nd.array(W))
out["gelqf/x0"], out["gelqf/q"], out["gelqf/l"] = W, q.asnumpy(), lq.asnumpy()
u, lam = L.syevd(mx.nd.array(spd))
out["syevd/x0"], out["syevd/u"], out["syevd/lam"] = spd, u.asnumpy(), lam.asnumpy()
s, ld = L.slogdet(mx.nd.array(A))
out["slogdet/x0"], out["slogdet/s"], out["slogdet/ld"] = A, s.asnumpy(), ld.asnumpy()
np.savez_compressed("golden.npz", **out)
