"""mx.sym.sparse: MXNet's sparse graph operators over dense values (MXNet's test_rsp_const_init)."""

import numpy as np
import pytest

import mxjax as mx


@pytest.mark.parametrize("init, val", [(mx.init.Constant(2.0), 2.0), (mx.init.One(), 1.0)])
def test_sparse_dot_module_initializes_row_sparse_weight(init, val):
    x = mx.sym.var("data", stype="csr")
    w = mx.sym.var("weight", shape=(4, 2), init=init, stype="row_sparse")
    mod = mx.mod.Module(mx.sym.sparse.dot(x, w), label_names=None)
    mod.bind(data_shapes=[("data", (3, 4))])
    mod.init_params()
    (weight,) = mod.get_params()[0].values()
    np.testing.assert_array_equal(weight.asnumpy(), np.full((4, 2), val, np.float32))


def test_sparse_ops_equal_dense_ones():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x, y = mx.sym.var("x"), mx.sym.var("y")
    out = mx.sym.sparse.elemwise_add(mx.sym.sparse.cast_storage(x, stype="csr"), y)
    got = out.eval(x=mx.nd.array(a), y=mx.nd.ones((2, 3)))[0].asnumpy()
    np.testing.assert_array_equal(got, a + 1)
    dot = mx.sym.sparse.dot(x, y, transpose_b=True).eval(x=mx.nd.array(a), y=mx.nd.array(a))[0]
    np.testing.assert_allclose(dot.asnumpy(), a @ a.T)
    with pytest.raises(ValueError, match="stype"):
        mx.sym.sparse.cast_storage(x, stype="dense")
