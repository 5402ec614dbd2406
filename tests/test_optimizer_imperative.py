"""MXNet's imperative optimizer API (create_state/update/Updater) and mx.kv, against NumPy."""

import numpy as np
import pytest

import mxjax as mx

W0 = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]], np.float32)
G0 = np.array([[1.0, 2.0, -3.0], [0.0, 0.0, 0.0]], np.float32)


def _nd(a, dtype=np.float32):
    return mx.nd.array(a, dtype=dtype)


def _run(opt, steps=2, w=W0, g=G0, dtype=np.float32):
    weight, grad = _nd(w, dtype), _nd(g, dtype)
    state = opt.create_state_multi_precision(0, weight)
    for _ in range(steps):
        opt.update_multi_precision(0, weight, grad, state)
    return weight.asnumpy(), state


def test_sgd_momentum_matches_numpy_and_mxnet_state_layout():
    kw = dict(learning_rate=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5, clip_gradient=0.6)
    w, mom = _run(mx.optimizer.SGD(**kw))
    rw, rm = W0.copy(), np.zeros_like(W0)
    for _ in range(2):
        g = np.clip(G0 * 0.5, -0.6, 0.6) + 0.01 * rw
        rm = 0.9 * rm - 0.1 * g
        rw = rw + rm
    np.testing.assert_allclose(w, rw, rtol=1e-6)
    assert isinstance(mom, mx.nd.NDArray)  # MXNet: one NDArray, not a tuple
    np.testing.assert_allclose(mom.asnumpy(), rm, rtol=1e-6)
    assert mx.optimizer.SGD().create_state(0, _nd(W0)) is None


def test_adam_bias_correction_and_counters():
    opt = mx.optimizer.Adam(learning_rate=0.01)
    w, (mean, var) = _run(opt, steps=3)
    rw, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t in range(1, 4):
        m = 0.9 * m + 0.1 * G0
        v = 0.999 * v + 0.001 * G0**2
        lr = 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        rw = rw - lr * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(w, rw, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(var.asnumpy(), v, rtol=1e-5)
    assert opt._index_update_count == {0: 3} and opt.num_update == 3


def test_rmsprop_centered_state_is_mxnet_triple():
    _, state = _run(mx.optimizer.RMSProp(centered=True), steps=1)
    assert isinstance(state, tuple) and len(state) == 3
    n, g, _ = (s.asnumpy() for s in state)
    np.testing.assert_allclose(n, 0.1 * G0**2, rtol=1e-6)
    np.testing.assert_allclose(g, 0.1 * G0, rtol=1e-6)


def test_dcasgd_state_order_is_momentum_then_previous_weight():
    mom, prev = mx.optimizer.DCASGD(momentum=0.9).create_state(0, _nd(W0))
    np.testing.assert_array_equal(mom.asnumpy(), 0)
    np.testing.assert_array_equal(prev.asnumpy(), W0)


def test_multi_precision_keeps_float32_master():
    opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.5, multi_precision=True)
    w, (mom, master) = _run(opt, dtype=np.float16)
    rw, rm = W0.astype(np.float32), np.zeros_like(W0)
    for _ in range(2):
        rm = 0.5 * rm - 0.1 * G0
        rw = rw + rm
    assert w.dtype == np.float16 and master.dtype == np.float32
    np.testing.assert_allclose(master.asnumpy(), rw, rtol=1e-6)
    np.testing.assert_allclose(w, rw.astype(np.float16))
    # other optimizers: MXNet's (weight32, state) order
    master, state = mx.optimizer.Adam(multi_precision=True).create_state_multi_precision(
        0, _nd(W0, np.float16)
    )
    assert master.dtype == np.float32 and len(state) == 2


def test_lazy_update_skips_rows_missing_from_row_sparse_grad():
    grad = _nd(G0).tostype("row_sparse")
    for lazy, expected_row1 in ((True, 1.0), (False, 1.0 * (1 - 0.1 * 0.5))):
        opt = mx.optimizer.SGD(learning_rate=0.1, wd=0.5, lazy_update=lazy)
        w = _nd(W0 + 1.0)  # row 1 is all ones; its gradient row is zero
        opt.update(0, w, grad, opt.create_state(0, w))
        np.testing.assert_allclose(w.asnumpy()[1], expected_row1, rtol=1e-6)
        np.testing.assert_allclose(w.asnumpy()[0], (W0[0] + 1) * 0.95 - 0.1 * G0[0], rtol=1e-6)


def test_sgld_noise_follows_the_global_seed():
    def run():
        mx.random.seed(7)
        w = _nd(W0)
        mx.optimizer.SGLD(learning_rate=0.01).update(0, w, _nd(G0), None)
        return w.asnumpy()

    mx.random.seed(7)
    noise = mx.nd.random.normal(0, 0.1, shape=W0.shape).asnumpy()
    np.testing.assert_allclose(run(), W0 - 0.005 * G0 + noise, rtol=1e-5, atol=1e-6)


def test_rates_by_index_name_and_param_dict():
    opt = mx.optimizer.SGD(learning_rate=0.1, wd=0.2, param_idx2name={0: "a_weight", 1: "a_bias"})
    opt.set_lr_mult({"a_weight": 0.5, 1: 3.0})
    assert opt._get_lr(0) == pytest.approx(0.05) and opt._get_lr(1) == pytest.approx(0.3)
    assert opt._get_wd(0) == pytest.approx(0.2) and opt._get_wd(1) == 0.0
    p = mx.gluon.Parameter("p", shape=(1,), lr_mult=4.0)
    opt.param_dict = {0: p}
    assert opt._get_lr(0) == pytest.approx(0.4)


def test_aggregated_update_with_index_list():
    opt = mx.optimizer.SGD(learning_rate=0.1)
    ws, gs = [_nd(W0), _nd(W0)], [_nd(G0), _nd(G0)]
    opt.update([0, 1], ws, gs, [None, None])
    for w in ws:
        np.testing.assert_allclose(w.asnumpy(), W0 - 0.1 * G0, rtol=1e-6)
    assert opt._index_update_count == {0: 1, 1: 1}


def test_updater_states_round_trip():
    u = mx.optimizer.get_updater(mx.optimizer.RMSProp(centered=True))
    w = _nd(W0)
    u(0, _nd(G0), w)
    v = mx.optimizer.get_updater(mx.optimizer.RMSProp(centered=True))
    v.set_states(u.get_states(dump_optimizer=True))
    for a, b in zip(u.states[0], v.states[0]):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    assert v.optimizer._index_update_count == {0: 1}


def test_kvstore_push_pull_and_update_on_store(tmp_path):
    kv = mx.kv.create("device")
    assert (kv.type, kv.rank, kv.num_workers) == ("device", 0, 1)
    kv.init([0, 1], [_nd(W0), _nd(W0)])
    kv.push(0, [_nd(G0), _nd(G0)])
    out = [_nd(np.zeros_like(W0)), _nd(np.zeros_like(W0))]
    kv.pull(0, out=out)
    for o in out:
        np.testing.assert_array_equal(o.asnumpy(), 2 * G0)
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    kv.pushpull(1, _nd(G0), out=out[0])
    np.testing.assert_allclose(out[0].asnumpy(), W0 - 0.1 * G0, rtol=1e-6)
    kv.save_optimizer_states(str(tmp_path / "s"))
    kv.load_optimizer_states(str(tmp_path / "s"))
    np.testing.assert_allclose(kv._updater.states[1].asnumpy(), -0.1 * G0, rtol=1e-6)
    with pytest.raises(ValueError, match="multi-process"):
        mx.kv.create("dist_sync")
    with pytest.raises(ValueError, match="unknown store type"):
        mx.kv.create("nope")
    with pytest.raises(KeyError, match="not initialized"):
        kv.push(9, _nd(G0))


def _two_ctx_param():
    x = mx.gluon.Parameter("x", shape=(3,))
    x.initialize(ctx=[mx.cpu(0), mx.cpu(1)], init="zeros")
    return x


def _backward(x):
    with mx.autograd.record():
        for w in x.list_data():
            (w + 1).backward()


def test_trainer_kvstore_resolution_and_updaters():
    x = _two_ctx_param()
    tr = mx.gluon.Trainer([x], "sgd", {"learning_rate": 1.0, "momentum": 0.5})
    _backward(x)
    tr.step(1)
    assert tr._kvstore.type == "device" and tr._update_on_kvstore is True
    np.testing.assert_array_equal(x.data(mx.cpu(1)).asnumpy(), -2)
    np.testing.assert_array_equal(tr._kvstore._updater.states[0].asnumpy(), -2)
    assert tr._kvstore._updater.optimizer is tr._optimizer
    with pytest.raises(AssertionError, match="update_on_kvstore"):
        tr.update(1)
    # one context: no store
    y = mx.gluon.Parameter("y", shape=(3,))
    y.initialize(init="zeros")
    tr1 = mx.gluon.Trainer([y], "sgd")
    tr1._init_kvstore()
    assert tr1._kvstore is None and tr1._update_on_kvstore is None
    # a store without optimizer support sums the gradients with its pushpull
    x2 = _two_ctx_param()
    tr2 = mx.gluon.Trainer([x2], "sgd", {"learning_rate": 1.0}, kvstore=mx.kv.create("teststore"))
    _backward(x2)
    tr2.step(1)
    assert tr2._update_on_kvstore is False
    np.testing.assert_array_equal(x2.data(mx.cpu(1)).asnumpy(), -2)
    bad = mx.gluon.Trainer([x2], "sgd", kvstore=tr2._kvstore, update_on_kvstore=True)
    with pytest.raises(ValueError, match="update_on_kvstore=False"):
        bad._init_kvstore()


def test_new_parameter_values_reset_the_store():
    x = _two_ctx_param()
    tr = mx.gluon.Trainer([x], "sgd", {"learning_rate": 0.1}, kvstore="local")
    _backward(x)
    tr.step(1)
    assert tr._kv_initialized
    x.set_data(mx.nd.zeros((3,)))
    assert tr._kvstore is None and tr._kv_initialized is False
    _backward(x)
    tr.step(1)
    np.testing.assert_allclose(x.data(mx.cpu(0)).asnumpy(), -0.2, rtol=1e-6)


def test_store_choice_with_sparse_parameters():
    from mxjax._src.gluon.trainer_kv import choose_store

    dense = mx.gluon.Parameter("d", shape=(2,))
    sparse_grad = mx.gluon.Parameter("g", shape=(2,), grad_stype="row_sparse")
    sparse_w = mx.gluon.Parameter("w", shape=(2,), stype="row_sparse")

    def cfg(kv, on):
        return {"kvstore": kv, "update_on_kvstore": on}

    assert choose_store(cfg("device", None), 2, [dense])[1] is True
    assert choose_store(cfg("device", None), 2, [sparse_grad])[1] is False  # MXNet prefers
    assert choose_store(cfg("device", True), 2, [sparse_grad])[1] is True
    kv, on = choose_store(cfg("local", None), 1, [sparse_w])  # sparse weights: always a store
    assert kv.type == "local" and on is True
    with pytest.raises(ValueError, match="sparse weights"):
        choose_store(cfg("local", False), 1, [sparse_w])
    with pytest.raises(ValueError, match="sparse gradients"):
        choose_store(cfg(mx.kv.create("teststore"), None), 2, [sparse_grad])


def test_float16_uniform_covers_the_float16_grid_like_mxnet():
    # MXNet draws in float32 and rounds: no exact zeros (a 0/0 in Adamax tests otherwise)
    x = mx.nd.random.uniform(shape=(20000,), dtype=np.float16).asnumpy()
    assert x.dtype == np.float16 and (x == 0).sum() == 0 and np.unique(x).size > 2000


def test_trainer_lazy_update_for_row_sparse_gradients():
    x = mx.gluon.Parameter("x", shape=(4, 2), grad_stype="row_sparse", init=mx.init.One())
    x.initialize()
    tr = mx.gluon.Trainer([x], "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.1})
    rows = mx.nd.array([[1.0, 1.0], [0.0, 0.0], [2.0, 2.0], [0.0, 0.0]])
    for _ in range(2):
        with mx.autograd.record():
            (x.data() * rows).sum().backward()
        tr.step(1)
    w, mom = np.ones((4, 2), np.float32), np.zeros((4, 2), np.float32)
    g = rows.asnumpy()
    for _ in range(2):
        mom = 0.9 * mom - 0.1 * (g + 0.1 * w)
        w = w + mom
    w[[1, 3]] = 1.0  # rows the gradient does not store are left alone (MXNet's lazy_update)
    np.testing.assert_allclose(x.data().asnumpy(), w, rtol=1e-6)
