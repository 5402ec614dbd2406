"""NDArray and the nd namespace against MXNet 1.9.1 golden outputs and NumPy."""

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import mxjax as mx
from mxjax import autograd, nd

GOLD = os.path.join(os.path.dirname(__file__), "..", "golden", "nd")
with open(os.path.join(GOLD, "cases.json")) as _f:
    _J = json.load(_f)
CASES, GRAD_CASES = _J["cases"], _J["grad_cases"]
_DATA = np.load(os.path.join(GOLD, "ops.npz"))


def _env():
    env = {k[3:]: nd.array(_DATA[k], dtype=_DATA[k].dtype) for k in _DATA if k.startswith("in_")}
    env["nd"] = nd
    return env


@pytest.mark.parametrize("n", range(len(CASES)), ids=[c["expr"] for c in CASES])
def test_matches_mxnet_golden(n):
    case = CASES[n]
    res = eval(case["expr"], _env())
    res = res if isinstance(res, (list, tuple)) else [res]
    assert len(res) == case["n_out"]
    for j, r in enumerate(res):
        want = _DATA[f"case{n}_{j}"]
        assert isinstance(r, nd.NDArray)
        got = r.asnumpy()
        assert got.shape == want.shape, case["expr"]
        assert got.dtype == want.dtype, case["expr"]
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6, err_msg=case["expr"])


@pytest.mark.parametrize("n", range(len(GRAD_CASES)), ids=GRAD_CASES)
def test_tape_gradients_match_mxnet_golden(n):
    env = _env()
    names = [k for k in env if k != "nd" and np.issubdtype(env[k].dtype, np.floating)]
    for k in names:
        env[k].attach_grad()
    w = nd.array(_DATA[f"gradw{n}"])
    with autograd.record():
        loss = (eval(GRAD_CASES[n], env) * w).sum()
    loss.backward()
    for k in names:
        want = _DATA[f"grad{n}_{k}"]
        np.testing.assert_allclose(
            env[k].grad.asnumpy(), want, rtol=1e-4, atol=1e-5, err_msg=f"{GRAD_CASES[n]} d/d{k}"
        )


def test_wraps_jax_without_copy_and_pytree():
    a = jnp.arange(4.0)
    x = nd.NDArray(a)
    assert x.jax is a
    assert nd.from_jax(a).jax is a
    assert jax.tree_util.tree_leaves(x)[0] is a
    y = jax.tree_util.tree_map(lambda t: t * 2, {"w": x})["w"]
    assert isinstance(y, nd.NDArray)
    np.testing.assert_allclose(np.asarray(jnp.sin(x)), np.sin(np.arange(4.0)), rtol=1e-6)
    np.testing.assert_allclose(jax.jit(lambda t: t + 1)(x).asnumpy(), np.arange(4.0) + 1)


def test_array_dtypes_like_mxnet():
    assert nd.array(np.arange(3, dtype=np.int64)).dtype == np.float32
    assert nd.array(np.ones(2, np.float64)).dtype == np.float32
    assert nd.array([1, 2]).dtype == np.float32
    assert nd.array(np.ones(2, np.int32)).dtype == np.float32
    assert nd.array([1, 2], dtype="int32").dtype == np.int32
    assert nd.array(nd.array([1], dtype="int32")).dtype == np.int32
    assert nd.array(np.ones(2, np.float16), dtype=np.float16).dtype == np.float16


def test_repr_like_mxnet():
    assert repr(nd.array([[1, 2]])) == "\n[[1. 2.]]\n<NDArray 1x2 @cpu(0)>"
    assert repr(nd.array([1, 2], dtype="int32")) == "\n[1 2]\n<NDArray 2 @cpu(0)>"


def test_scalar_conversions_and_truth():
    x = nd.array([2.5])
    assert x.asscalar() == np.float32(2.5) and float(x) == 2.5 and int(x) == 2
    assert bool(nd.array([2.0])) and not bool(nd.array([0.0])) and not bool(nd.zeros((0,)))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(nd.array([1, 2]))
    with pytest.raises(ValueError, match="exactly one element"):
        nd.array([1, 2]).asscalar()
    assert len(nd.zeros((4, 2))) == 4
    parts = list(nd.array([1, 2]))
    assert [p.shape for p in parts] == [(1,), (1,)]
    np.testing.assert_array_equal(np.asarray(nd.array([1, 2])), [1.0, 2.0])


def test_setitem_and_inplace_outside_record():
    x = nd.zeros((2, 3))
    x[0] = 1
    x[1, 1:] = nd.array([5, 6])
    x[:] += 0  # slice assignment through a view is a copy in MXNet semantics too
    x += 1
    x *= 2
    want = np.array([[1, 1, 1], [0, 5, 6]], np.float32)
    np.testing.assert_allclose(x.asnumpy(), (want + 1) * 2)
    i = nd.array([1, 2], dtype="int32")
    i /= 2
    assert i.dtype == np.int32
    np.testing.assert_array_equal(i.asnumpy(), [0, 1])
    v = nd.ones((3,))
    v += nd.ones((1, 3))[0]
    with pytest.raises(ValueError, match="in-place operation cannot change the shape"):
        v += nd.ones((2, 3))


def test_attributes_and_copies():
    x = nd.array([[1, 2, 3]])
    assert (x.shape, x.size, x.ndim, x.dtype, x.stype) == ((1, 3), 3, 2, np.float32, "default")
    assert x.context == mx.cpu(0) and x.ctx == mx.cpu()
    y = x.copy()
    y[0, 0] = 9
    assert x.asnumpy()[0, 0] == 1
    z = nd.zeros((1, 3))
    assert x.copyto(z) is z and z.asnumpy()[0, 2] == 3
    assert x.as_in_context(mx.cpu(0)) is x
    assert x.astype("int32").dtype == np.int32 and x.astype("float32", copy=False) is x
    assert x.tostype("default").shape == (1, 3)
    with pytest.raises(ValueError, match="stype"):
        x.tostype("coo")  # csr and row_sparse are supported (nd.sparse)
    x.wait_to_read()
    nd.waitall()
    assert x.detach()._entry is None


def test_method_forms():
    x = nd.array([[-1.0, 2.0]])
    np.testing.assert_allclose(x.relu().asnumpy(), [[0.0, 2.0]])
    np.testing.assert_allclose(x.exp().asnumpy(), np.exp([[-1.0, 2.0]]), rtol=1e-6)
    assert x.flatten().shape == (1, 2) and x.expand_dims(0).shape == (1, 1, 2)
    with pytest.raises(AttributeError, match="no attribute"):
        x.not_an_op()  # noqa: B018


def test_reshape_errors():
    with pytest.raises(ValueError, match="reshape"):
        nd.zeros((2, 3)).reshape((4, -1))
    with pytest.raises(ValueError, match="more than one -1"):
        nd.zeros((2, 3)).reshape((-1, -1))


def test_random_reproducible_and_ranges():
    mx.random.seed(7)
    a = nd.random.uniform(2, 3, shape=(1000,))
    n = nd.random.normal(1.0, 2.0, shape=(4000,))
    mx.random.seed(7)
    b = nd.random.uniform(2, 3, shape=(1000,))
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    assert 2 <= a.asnumpy().min() and a.asnumpy().max() < 3
    assert abs(n.asnumpy().mean() - 1.0) < 0.15 and abs(n.asnumpy().std() - 2.0) < 0.15
    r = nd.random.randint(-3, 3, shape=(500,))
    assert r.dtype == np.int32 and set(np.unique(r.asnumpy())) == set(range(-3, 3))
    assert nd.random.uniform().shape == (1,)
    s = nd.random.shuffle(nd.arange(10))
    np.testing.assert_array_equal(np.sort(s.asnumpy()), np.arange(10))
    p = nd.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(nd.random.multinomial(p).asnumpy(), [2, 0])
    assert nd.random.multinomial(p, shape=(5,)).shape == (2, 5)
    u = nd.random.uniform(nd.array([0.0, 10.0]), nd.array([1.0, 11.0]), shape=(3,))
    assert u.shape == (2, 3) and u.asnumpy()[1].min() >= 10
    from mxjax._src.nd.random import next_key

    assert not np.array_equal(jax.random.key_data(next_key()), jax.random.key_data(next_key()))


def test_dlpack_zero_copy_roundtrip():
    x = nd.array([1.0, 2.0, 3.0])
    y = nd.from_dlpack(nd.to_dlpack_for_read(x))
    np.testing.assert_array_equal(y.asnumpy(), x.asnumpy())
    h = np.from_dlpack(x)
    np.testing.assert_array_equal(h, [1.0, 2.0, 3.0])
    assert nd.from_dlpack(np.arange(3.0)).shape == (3,)


def test_save_load_roundtrip(tmp_path):
    p = str(tmp_path / "x.params")
    d = {"w": nd.array([[1, 2]]), "i": nd.array([3], dtype="int32")}
    nd.save(p, d)
    back = nd.load(p)
    assert set(back) == {"w", "i"} and back["i"].dtype == np.int32
    np.testing.assert_array_equal(back["w"].asnumpy(), [[1, 2]])
    nd.save(p, nd.ones((2,)))
    assert [a.shape for a in nd.load(p)] == [(2,)]
    with pytest.raises(TypeError, match="nd.save"):
        nd.save(p, {"w": np.ones(2)})


def test_check_grads_of_ops():
    x = jnp.asarray(np.random.RandomState(0).randn(2, 3).astype(np.float32))

    def f(a):
        t = nd.NDArray(a)
        return (nd.softmax(t) * nd.tanh(t) + nd.dot(t, t.T).sum()).jax

    check_grads(f, (x,), order=1, modes=["rev"], atol=1e-2, rtol=1e-2)


def test_tape_gradient_matches_jax_grad():
    rs = np.random.RandomState(1)
    wv, xv = rs.randn(4, 3).astype(np.float32), rs.randn(2, 3).astype(np.float32)

    def ref(w):
        h = jnp.tanh(xv @ w.T)
        return jnp.sum(jax.nn.log_softmax(h, axis=-1) * h)

    w = nd.array(wv)
    w.attach_grad()
    with autograd.record():
        h = nd.tanh(nd.dot(nd.array(xv), w, transpose_b=True))
        loss = (nd.log_softmax(h) * h).sum()
    loss.backward()
    np.testing.assert_allclose(w.grad.asnumpy(), jax.grad(ref)(wv), rtol=1e-5, atol=1e-6)
