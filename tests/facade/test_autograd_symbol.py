"""autograd.get_symbol: the recorded computation as an mx.sym graph (MXNet's test_get_symbol)."""

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, nd


def test_get_symbol_arguments_and_values():
    x, z = nd.ones((1,)), nd.ones((2,))
    x.attach_grad()
    z.attach_grad()
    with autograd.record():
        y = x * x + 2 * z - 1
    sym = autograd.get_symbol(y)
    # as MXNet 1.9.1 names them: variables in order of use, one output
    assert sym.list_arguments() == ["var0", "var1"]
    assert len(sym.list_outputs()) == 1
    assert sym.infer_shape(var0=(1,), var1=(2,))[1] == [(2,)]
    got = sym.eval(var0=nd.array([3.0]), var1=nd.array([1.0, 2.0]))[0]
    np.testing.assert_allclose(got.asnumpy(), [3.0 * 3 + 2 - 1, 9 + 4 - 1])
    with autograd.record():
        w = x * x + 2 * x - 1
    assert autograd.get_symbol(w).list_arguments() == ["var0"]


def test_get_symbol_through_a_block_and_errors():
    net = mx.gluon.nn.Dense(3, in_units=2)
    net.initialize(mx.init.One())
    a = nd.ones((4, 2))
    a.attach_grad()
    with autograd.record():
        out = net(a).sum()
    sym = autograd.get_symbol(out)
    assert len(sym.list_arguments()) == 3  # data, weight and bias
    with pytest.raises(autograd.AutogradError, match="not computed while recording"):
        autograd.get_symbol(nd.ones((1,)))
