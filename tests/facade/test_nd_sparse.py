"""Sparse storage containers (csr, row_sparse) over dense values: MXNet's API, NumPy references."""

import numpy as np
import pytest

from mxjax import autograd, nd


def test_tostype_roundtrip_and_attributes():
    d = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [2.0, 0.0, 3.0]], dtype="float32")
    csr = nd.array(d).tostype("csr")
    assert isinstance(csr, nd.sparse.CSRNDArray) and csr.stype == "csr"
    np.testing.assert_array_equal(csr.data.asnumpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(csr.indices.asnumpy(), [1, 0, 2])
    np.testing.assert_array_equal(csr.indptr.asnumpy(), [0, 1, 1, 3])
    rsp = csr.tostype("row_sparse")
    assert rsp.stype == "row_sparse"
    np.testing.assert_array_equal(rsp.indices.asnumpy(), [0, 2])
    np.testing.assert_array_equal(rsp.data.asnumpy(), d[[0, 2]])
    dense = rsp.tostype("default")
    assert type(dense) is nd.NDArray and dense.stype == "default"
    np.testing.assert_array_equal(dense.asnumpy(), d)
    with pytest.raises(ValueError, match="stype"):
        nd.ones((2,)).tostype("coo")


def test_constructors():
    a = nd.sparse.csr_matrix(([1.0, 2.0, 3.0], [1, 0, 2], [0, 1, 1, 3]), shape=(3, 3))
    ref = np.array([[0, 1, 0], [0, 0, 0], [2, 0, 3]], dtype="float32")
    np.testing.assert_array_equal(a.asnumpy(), ref)
    b = nd.sparse.row_sparse_array((ref[[0, 2]], [0, 2]), shape=(3, 3))
    np.testing.assert_array_equal(b.asnumpy(), ref)
    assert nd.sparse.zeros("csr", (2, 2)).stype == "csr"
    assert nd.zeros((2, 2), stype="row_sparse").stype == "row_sparse"
    with pytest.raises(ValueError, match="2-D"):
        nd.sparse.csr_matrix(np.zeros((2, 2, 2)))


@pytest.mark.parametrize("stype", ["default", "row_sparse", "csr"])
def test_grad_stype_and_autograd_through_sparse(stype):
    x = nd.zeros((1, 1), stype=stype)
    for gst in (None, "default", "row_sparse", "csr"):
        x.attach_grad(stype=gst)
        assert x.grad.stype == (gst or stype)
    assert x.detach().stype == stype
    v = np.random.RandomState(0).rand(3, 4).astype("float32")
    s = nd.array(v).tostype(stype)
    s.attach_grad()
    with autograd.record():
        y = (s * s).sum()
    y.backward()
    np.testing.assert_allclose(s.grad.asnumpy(), 2 * v, rtol=1e-6)
    assert s.grad.stype == stype
