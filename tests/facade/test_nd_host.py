"""Eager elementwise operators on small CPU arrays run on the host (``mxjax._src.nd.host``):
the same values as the XLA program, and no compilation per shape."""

import jax.numpy as jnp
import numpy as np
import pytest

from mxjax import autograd, nd
from mxjax._src.autograd import apply_on_tape
from mxjax._src.nd import _fns as F
from mxjax._src.nd.host import host_apply

_DTYPES = ["float16", "float32", "int8", "int32", "uint8"]
_BIN = [(F.add, ()), (F.sub, ()), (F.mul, ()), (F.div, ())] + [
    (F.cmp, (op,)) for op in ("eq", "ne", "lt", "le", "gt", "ge")
]


def _arr(rs, shape, dtype, positive=False):
    lo = 1 if positive else (-9 if np.dtype(dtype).kind != "u" else 0)
    return nd.array(rs.uniform(lo, 9, shape).astype(dtype), dtype=dtype)


def _same(host, ref):
    assert host is not None
    assert host.dtype == ref.dtype and host.shape == ref.shape
    np.testing.assert_array_equal(host.asnumpy(), ref.asnumpy())


@pytest.mark.parametrize("dtype", _DTYPES)
def test_binary_ops_match_the_xla_program_bit_for_bit(dtype):
    rs = np.random.RandomState(0)
    for fn, extra in _BIN:
        a = _arr(rs, (2, 1, 3), dtype)
        b = _arr(rs, (4, 1), dtype, positive=fn is F.div)
        for lhs, rhs in ((a, b), (a, 3), (2, b)):
            host = host_apply(fn, (lhs, rhs, *extra))
            ref = apply_on_tape(fn, lhs, rhs, *extra)
            if fn is F.div and dtype[0] == "f":
                # XLA turns ``a / broadcast(b)`` into ``a * (1 / b)`` (1 ulp off); the host
                # division is correctly rounded, as MXNet's
                l64, r64 = (
                    v.asnumpy().astype(np.float64) if isinstance(v, nd.NDArray) else v
                    for v in (lhs, rhs)
                )
                np.testing.assert_array_equal(host.asnumpy(), (l64 / r64).astype(dtype))
                np.testing.assert_allclose(
                    host.asnumpy(), ref.asnumpy(), rtol=1e-3 if dtype == "float16" else 1e-6
                )
            else:
                _same(host, ref)


@pytest.mark.parametrize("dtype", _DTYPES)
def test_unary_ops_match_the_xla_program_bit_for_bit(dtype):
    x = _arr(np.random.RandomState(1), (3, 5), dtype, positive=True)
    floats = (jnp.sqrt,) if dtype[0] == "f" else ()
    for fn in (jnp.square, jnp.abs, jnp.negative) + floats:
        _same(host_apply(fn, (x,)), apply_on_tape(fn, x))


def test_astype_matches_the_xla_program_and_leaves_nan_to_it():
    x, pos = nd.array([-2.7, 0.5, 3.9, 100.0]), nd.array([0.5, 3.9, 200.0])
    for a, dtype in ((x, "float16"), (x, "int32"), (x, "int8"), (pos, "uint8")):
        dt = np.dtype(dtype)
        _same(host_apply(F.astype, (a, dt)), apply_on_tape(F.astype, a, dt))
    assert host_apply(F.astype, (nd.array([np.nan]), np.dtype("int32"))) is None


def test_integer_division_truncates_toward_zero_as_mxnet():
    a = nd.array([7, -7, 7, -7], dtype="int32")
    b = nd.array([2, 2, -2, -2], dtype="int32")
    np.testing.assert_array_equal((a / b).asnumpy(), [3, -3, -3, 3])


def test_promotions_numpy_and_jax_disagree_on_stay_on_jax():
    i = nd.array([1, 2], dtype="int32")
    assert host_apply(F.add, (i, 2.5)) is None  # JAX: float32, NumPy: float64
    assert host_apply(jnp.sqrt, (i,)) is None
    assert host_apply(F.add, (i, nd.array([1.0, 2.0]))) is None  # mixed dtypes
    assert host_apply(F.add, (nd.array([1, 2], dtype="uint8"), -1)) is None  # out of range
    assert (i * 2.5).dtype == np.float32


def test_eager_ops_over_many_shapes_compile_nothing(compile_counter):
    rs = np.random.RandomState(2)
    shapes = [tuple(rs.randint(1, 6, size=rs.randint(1, 4))) for _ in range(12)]
    xs = [nd.array(rs.uniform(1, 2, s)) for s in shapes]
    _ = xs[0] + xs[0]  # warm the module-level state
    with compile_counter as c:
        outs = [(x + x * 2 - 1) / x > 1.5 for x in xs] + [nd.sqrt(nd.square(x)) for x in xs]
    assert c.count == 0, c.names
    np.testing.assert_array_equal(
        outs[0].asnumpy(), ((3 * xs[0].asnumpy() - 1) > 1.5 * xs[0].asnumpy()).astype(np.float32)
    )


def test_recording_still_differentiates():
    x = nd.array([1.0, 4.0])
    x.attach_grad()
    with autograd.record():
        y = nd.sqrt(x) * x + 1
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), 1.5 * np.sqrt([1.0, 4.0]), rtol=1e-6)


def test_copy_compiles_nothing_and_stays_differentiable(compile_counter):
    import mxjax as mx

    xs = [nd.array(np.arange(n * 3, dtype="float32").reshape(n, 3), ctx=mx.cpu(0)) for n in (2, 5)]
    with compile_counter as c:
        copies = [x.copy() for x in xs] + [xs[0].copy()]
    assert c.count == 0, c.names
    xs[0][:] = 7.0  # the copy is a new buffer
    np.testing.assert_array_equal(copies[0].asnumpy(), np.arange(6.0).reshape(2, 3))
    assert copies[1].context == xs[1].context and copies[1].dtype == np.float32
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = (x.copy() * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [2.0, 4.0])  # d(x*x)/dx through the copy
