"""Golden values of MXNet 1.9.1's optimizer update operators (run with real MXNet 1.9.1)."""

import json
import os

import mxnet as mx
import numpy as np

nd = mx.nd
w0 = np.array([[0.5, -1.0, 2.0], [0.3, 0.2, -0.1]], np.float32)
g0 = np.array([[1.0, 2.0, -3.0], [0.5, -0.5, 0.25]], np.float32)
out = {}
w, mom = nd.array(w0), nd.zeros((2, 3))
for _ in range(2):
    nd.sgd_mom_update(
        w,
        nd.array(g0),
        mom,
        lr=0.1,
        momentum=0.9,
        wd=0.01,
        rescale_grad=0.5,
        clip_gradient=0.6,
        out=w,
    )
out["sgd_mom"] = w.asnumpy()
w, m, v = nd.array(w0), nd.zeros((2, 3)), nd.zeros((2, 3))
nd.adam_update(w, nd.array(g0), m, v, lr=0.01, wd=0.1, clip_gradient=1.5, out=w)
out["adam"] = w.asnumpy()
w, n, g, d = nd.array(w0), nd.zeros((2, 3)), nd.zeros((2, 3)), nd.zeros((2, 3))
nd.rmspropalex_update(w, nd.array(g0), n, g, d, lr=0.01, out=w)
out["rmsalex"] = w.asnumpy()
w, n = nd.array(w0), nd.zeros((2, 3))
nd.rmsprop_update(w, nd.array(g0), n, lr=0.01, wd=0.05, out=w)
out["rms"] = w.asnumpy()
w, mom = nd.array(w0), nd.zeros((2, 3))
nd.signum_update(w, nd.array(g0), mom, lr=0.1, momentum=0.9, wd=0.1, wd_lh=0.01, out=w)
out["signum"] = w.asnumpy()
w = nd.array(w0)
out["signsgd"] = nd.signsgd_update(w, nd.array(g0), lr=0.1, wd=0.1).asnumpy()
w, z, n = nd.array(w0), nd.zeros((2, 3)), nd.zeros((2, 3))
nd.ftrl_update(w, nd.array(g0), z, n, lr=0.1, lamda1=0.01, wd=0.01, out=w)
out["ftrl"] = w.asnumpy()
w, d, v, z = nd.array(w0), nd.zeros((2, 3)), nd.zeros((2, 3)), nd.zeros((2, 3))
for t in (1, 2):
    nd.ftml_update(w, nd.array(g0), d, v, z, lr=0.1, t=t, wd=0.01, out=w)
out["ftml"] = w.asnumpy()
w, mom = nd.array(w0), nd.zeros((2, 3))
for _ in range(2):
    nd.nag_mom_update(w, nd.array(g0), mom, lr=0.1, momentum=0.9, wd=0.01, out=w)
out["nag"] = w.asnumpy()
w16 = nd.array(w0, dtype=np.float16)
w32 = nd.array(w0)
mom = nd.zeros((2, 3))
nd.mp_sgd_mom_update(w16, nd.array(g0, dtype=np.float16), mom, w32, lr=0.1, momentum=0.9, out=w16)
out["mp_sgd_mom32"] = w32.asnumpy()
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
with open(path, "w") as f:
    json.dump({k: np.asarray(a, np.float64).tolist() for k, a in out.items()}, f, indent=1)
for k, a in out.items():
    print(k, np.round(a, 6).tolist())
