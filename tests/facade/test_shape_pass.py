"""A hybridized block's first call with deferred parameter shapes learns them without compiling
its children's kernels (an abstract pass): one program for forward and backward."""

import numpy as np

import mxjax as mx
from mxjax import autograd, gluon


class _Net(gluon.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.conv = gluon.nn.Conv2D(4, (3, 3))
            self.bn = gluon.nn.BatchNorm()
            self.dense = gluon.nn.Dense(3)

    def hybrid_forward(self, F, x):
        return self.dense(self.bn(self.conv(x)) * 2 + 1)


def _x(n=2):
    return mx.nd.array(np.random.RandomState(0).rand(n, 2, 6, 6))


def test_first_hybridized_call_with_deferred_shapes_compiles_one_program(compile_counter):
    warm = _Net()  # the key programs every process compiles once
    warm.initialize()
    warm.hybridize()
    with autograd.record():
        warm(_x(3)).backward()
    net = _Net()
    net.initialize()
    net.hybridize()
    x = _x()
    x.attach_grad()
    with compile_counter as c:
        with autograd.record():
            out = net(x)
        out.backward()
        x.grad.asnumpy()
    # only the block's own program (none if a persistent compilation cache already holds it)
    assert c.count <= 1 and set(c.names) <= {"jit(fwd_bwd)"}, str(c.names)
    assert net.conv.weight.shape == (4, 2, 3, 3) and net.dense.weight.shape == (3, 64)
    # the same numbers as the imperative network with the same parameters
    ref = _Net(params=net.collect_params())
    y = x.copy()
    y.attach_grad()
    with autograd.record():
        out2 = ref(y)
    out2.backward()
    np.testing.assert_allclose(out.asnumpy(), out2.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.asnumpy(), y.grad.asnumpy(), rtol=1e-5, atol=1e-6)
