"""Tape autograd: gradients against hand-written NumPy derivatives and MXNet's rules."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mxjax import autograd, nd


def test_backward_matches_numpy_derivative():
    xv = np.array([0.5, -1.0, 2.0], np.float32)
    x = nd.array(xv)
    x.attach_grad()
    with autograd.record():
        y = (x * x * 3 + autograd.apply(jnp.exp, x)).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), 6 * xv + np.exp(xv), rtol=1e-6)


def test_grad_req_write_add_null():
    x = nd.array([1.0, 2.0])
    x.attach_grad(grad_req="add")
    for _ in range(3):
        with autograd.record():
            y = x * 2
        y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [6.0, 6.0])
    x.attach_grad(grad_req="write")
    for _ in range(3):
        with autograd.record():
            y = x * 2
        y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [2.0, 2.0])
    x.attach_grad(grad_req="null")
    with autograd.record():
        y = x * 2
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [0.0, 0.0])


def test_backward_outside_record_raises():
    x = nd.array([1.0])
    x.attach_grad()
    y = x * 2
    with pytest.raises(autograd.AutogradError, match="not in a computational graph"):
        y.backward()


def test_second_backward_needs_retain_graph():
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [2.0, 4.0])
    with pytest.raises(autograd.AutogradError, match="retain_graph=True"):
        y.backward()


def test_apply_hook_with_constants_and_tuple_outputs():
    x = nd.array([1.0, 2.0])
    w = nd.array([3.0, 4.0])
    x.attach_grad()
    w.attach_grad()
    with autograd.record():
        a, b = autograd.apply(lambda p, q, s: (p * q * s, p + q), x, w, 2.0)
        z = a.sum() + (b * b).sum()
    z.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), 2 * np.array([3.0, 4.0]) + 2 * np.array([4, 6]))
    np.testing.assert_allclose(w.grad.asnumpy(), 2 * np.array([1.0, 2.0]) + 2 * np.array([4, 6]))


def test_record_node_hook():
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    fn = jax.jit(lambda a: jax.vjp(lambda t: (jnp.sin(t), t * 2), a))
    with autograd.record():
        out, vjp = fn(x.jax)
        s, d = autograd.record_node(out, [x], vjp)
        loss = s.sum() + d.sum()
    loss.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), np.cos([1.0, 2.0]) + 2, rtol=1e-6)


def test_shared_subgraph_and_unused_output():
    x = nd.array([2.0])
    x.attach_grad()
    with autograd.record():
        h = x * x
        y = h * h + h  # x^4 + x^2
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [4 * 8 + 2 * 2])


def test_head_grads_and_multiple_heads():
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y1 = x * 3
        y2 = x * x
    autograd.backward([y1, y2], [nd.array([1.0, 0.0]), nd.array([0.0, 1.0])])
    np.testing.assert_allclose(x.grad.asnumpy(), [3.0, 4.0])


def test_scopes_and_flags():
    assert not autograd.is_recording() and not autograd.is_training()
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        with autograd.pause():
            assert not autograd.is_recording() and not autograd.is_training()
        with autograd.predict_mode():
            assert autograd.is_recording() and not autograd.is_training()
    with autograd.record(train_mode=False):
        assert not autograd.is_training()
    with autograd.train_mode():
        assert autograd.is_training() and not autograd.is_recording()
    assert autograd.set_recording(True) is False
    assert autograd.set_recording(False) is True
    assert autograd.set_training(True) is False
    assert autograd.set_training(False) is True


def test_inplace_on_graph_arrays_raises_while_recording():
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        with pytest.raises(autograd.AutogradError, match="computational graph"):
            x += 1
        y = x * 2
        with pytest.raises(autograd.AutogradError, match="computational graph"):
            y[0] = 5
    x += 1  # fine outside record
    np.testing.assert_allclose(x.asnumpy(), [2.0, 3.0])


def test_grad_function_and_create_graph():
    x = nd.array([2.0, 3.0])
    x.attach_grad()
    with autograd.record():
        y = x * x * x
        dx = autograd.grad(y, [x], create_graph=True)[0]
        z = dx.sum()
    np.testing.assert_allclose(dx.asnumpy(), 3 * np.array([4.0, 9.0]))
    z.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), 6 * np.array([2.0, 3.0]))


def test_mark_variables():
    x, g = nd.array([1.0, 2.0]), nd.zeros((2,))
    autograd.mark_variables([x], [g], "write")
    with autograd.record():
        y = (x * 4).sum()
    y.backward()
    np.testing.assert_allclose(g.asnumpy(), [4.0, 4.0])
    with pytest.raises(ValueError, match="grad_req"):
        autograd.mark_variables([x], [g], "bogus")


def test_repeated_tape_steps_do_not_recompile():
    from mxjax._src import compile_cache

    rs = np.random.RandomState(0)
    x = nd.array(rs.randn(4, 3))
    w = nd.array(rs.randn(3, 2))
    w.attach_grad()

    def step():
        with autograd.record():
            loss = (nd.relu(nd.dot(x, w)) * 0.5).sum()
        loss.backward()
        return w.grad.asnumpy()

    def n_compiled():
        total = 0
        for key, c in list(compile_cache._CACHE.items()):
            if key[0] == "op":
                total += 1 + c.fwd._cache_size() + c.fwd_vjp._cache_size() + c.bwd._cache_size()
        return total

    first = [step() for _ in range(4)]
    before = n_compiled()
    later = [step() for _ in range(5)]
    assert n_compiled() == before
    want = 0.5 * x.asnumpy().T @ (x.asnumpy() @ w.asnumpy() > 0)
    for g in first + later:
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


def test_dropout_follows_training_mode():
    x = nd.ones((200, 50))
    x.attach_grad()
    np.testing.assert_array_equal(nd.Dropout(x, p=0.5).asnumpy(), x.asnumpy())
    with autograd.record():
        y = nd.Dropout(x, p=0.5)
        with autograd.predict_mode():
            np.testing.assert_array_equal(nd.Dropout(x, p=0.5).asnumpy(), x.asnumpy())
    yv = y.asnumpy()
    assert set(np.unique(yv)) <= {0.0, 2.0} and 0.45 < (yv == 0).mean() < 0.55
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), yv)  # d(mask * x / (1 - p)) / dx
    with pytest.raises(ValueError, match="p must be in"):
        nd.Dropout(x, p=1.0)


def test_ops_inside_jit_under_record_do_not_touch_the_tape():
    w = nd.array([1.0, 2.0])
    w.attach_grad()

    @jax.jit
    def f(a):
        t = nd.NDArray(a)
        t._entry, t._grad_req = w._entry, "write"  # looks like a variable, but is a tracer
        return (t * t).sum().jax

    with autograd.record():
        out = f(w.jax)
        y = (w * 3).sum()
    y.backward()
    np.testing.assert_allclose(np.asarray(out), [5.0])
    np.testing.assert_allclose(w.grad.asnumpy(), [3.0, 3.0])


def test_custom_function_two_inputs_two_outputs():
    class MulAdd(autograd.Function):
        def forward(self, a, b):
            self.save_for_backward(a, b)
            return a * b, a + b

        def backward(self, d_prod, d_sum):
            a, b = self.saved_tensors
            return d_prod * b + d_sum, d_prod * a + d_sum

    a, b = nd.array([1.0, 2.0]), nd.array([3.0, 5.0])
    a.attach_grad()
    b.attach_grad()
    with autograd.record():
        p, s = MulAdd()(a, b)
        loss = (p * 2).sum() + s.sum()
    loss.backward()
    np.testing.assert_allclose(a.grad.asnumpy(), 2 * np.array([3.0, 5.0]) + 1)
    np.testing.assert_allclose(b.grad.asnumpy(), 2 * np.array([1.0, 2.0]) + 1)
