"""Deferred recording: a recorded Gluon step runs as one program and gives eager's numbers.

Every test compares against the same code run with deferral turned off
(``deferred.set_enabled(False)``: each call runs at once on the tape), which
the MXNet golden tests pin to MXNet 1.9.1.
"""

import contextlib

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon, nd
from mxjax._src import deferred


@contextlib.contextmanager
def deferral(on):
    old = deferred.set_enabled(on)
    try:
        yield
    finally:
        deferred.set_enabled(old)


def _net(hybridize, dropout=0.0):
    net = gluon.nn.HybridSequential()
    net.add(
        gluon.nn.Dense(16, activation="relu"),
        gluon.nn.BatchNorm(),
        gluon.nn.Dropout(dropout),
        gluon.nn.Dense(5),
    )
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    return net


def _data(n=8, seed=0):
    rng = np.random.RandomState(seed)
    return nd.array(rng.randn(n, 7)), nd.array(rng.randint(0, 5, n))


def _train(on, hybridize, steps=4, dropout=0.0, opt="adam"):
    with deferral(on):
        mx.random.seed(3)
        net = _net(hybridize, dropout)
        x, y = _data()
        net(x)  # finish deferred initialization outside the loop
        loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
        trainer = gluon.Trainer(net.collect_params(), opt, {"learning_rate": 0.05})
        losses, outs = [], []
        for _ in range(steps):
            with autograd.record():
                out = net(x)
                loss = loss_fn(out, y)
            loss.backward()
            trainer.step(x.shape[0])
            losses.append(loss.asnumpy())
            outs.append(out.asnumpy())
        params = {k: p.data().asnumpy() for k, p in net.collect_params().items()}
        grads = {
            k: p.grad().asnumpy() for k, p in net.collect_params().items() if p.grad_req != "null"
        }
    return losses, outs, params, grads


def _close(a, b, rtol=1e-5, atol=1e-6):
    if isinstance(a, dict):  # the same network built twice: names differ by a counter
        assert len(a) == len(b)
        for (k, u), v in zip(a.items(), b.values()):
            np.testing.assert_allclose(u, v, rtol=rtol, atol=atol, err_msg=k)
    else:
        for u, v in zip(a, b):
            np.testing.assert_allclose(u, v, rtol=rtol, atol=atol)


@pytest.mark.parametrize("hybridize", [True, False])
@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_deferred_step_equals_eager(hybridize, dropout):
    before = deferred.stats()
    lazy = _train(True, hybridize, dropout=dropout)
    after = deferred.stats()
    eager = _train(False, hybridize, dropout=dropout)
    assert after["steps"] - before["steps"] == 4  # every step ran fused with the update
    for got, want in zip(lazy, eager):  # losses, outputs, params + BN stats, gradients
        # Adam divides by sqrt(v): a ReLU unit with near-zero gradients (1e-4) turns the
        # fused and eager programs' float rounding into ~2e-5 differences in its weights.
        _close(got, want, atol=5e-5)


def test_one_program_per_step_and_no_recompile(compile_counter):
    net = _net(True, dropout=0.3)
    x, y = _data()
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})

    def step(batch):
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(batch)
        return loss

    for _ in range(3):
        step(8)
    before = deferred.stats()
    with compile_counter as c:
        for i in range(5):
            step(8 + i)  # a new batch size changes a traced scale, not the program
            trainer.set_learning_rate(0.1 / (i + 1))
    after = deferred.stats()
    assert c.count == 0
    assert after["programs"] - before["programs"] == 5
    assert after["steps"] - before["steps"] == 5
    assert after["taped"] == before["taped"]


def test_non_hybridized_loop_with_nd_ops_compiles_once(compile_counter):
    net = _net(False)
    x, y = _data()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})

    def step():
        with autograd.record():
            out = net(x)
            loss = (nd.log_softmax(out) * nd.one_hot(y, 5)).sum(axis=1).mean() * -1.0
        loss.backward()
        trainer.step(1)

    for _ in range(4):  # nd operators join the graph once they are hot
        step()
    with compile_counter as c:
        for _ in range(3):
            step()
    assert c.count == 0


def test_lazy_array_knows_shape_dtype_context_without_running():
    net = _net(True)
    x, _ = _data()
    net(x)
    before = deferred.stats()
    with autograd.record():
        out = net(x)
    assert type(out).__name__ == "LazyNDArray"
    assert out.shape == (8, 5) and out.ndim == 2 and out.size == 40
    assert out.dtype == np.float32
    assert out.context == x.context
    assert deferred.stats()["taped"] == before["taped"]
    value = out.asnumpy()  # reading runs the graph (replayed on the tape: no backward yet)
    assert type(out) is nd.NDArray and value.shape == (8, 5)
    assert deferred.stats()["taped"] == before["taped"] + 1


def _grads(net):
    return {k: p.grad().asnumpy() for k, p in net.collect_params().items() if p.grad_req != "null"}


def _one_backward(on, body):
    with deferral(on):
        mx.random.seed(0)
        net = _net(True)
        x, y = _data()
        net(x)
        body(net, x, y)
        return _grads(net)


def test_reading_inside_record_replays_on_the_tape():
    seen = []

    def body(net, x, y):
        with autograd.record():
            out = net(x)
            seen.append(out.asnumpy().sum())  # needs the value before backward
            loss = gluon.loss.SoftmaxCrossEntropyLoss()(out * 2.0, y)
        loss.backward()

    _close(_one_backward(True, body), _one_backward(False, body))
    assert seen[0] == pytest.approx(seen[1], rel=1e-6)


def test_head_grads_and_retain_graph():
    def body(net, x, y):
        with autograd.record():
            loss = gluon.loss.SoftmaxCrossEntropyLoss()(net(x), y)
        hg = nd.array(np.linspace(0.5, 2.0, 8))
        loss.backward(hg, retain_graph=True)
        loss.backward(hg * 2.0)  # a retained graph can run backward again

    _close(_one_backward(True, body), _one_backward(False, body))


def test_grad_req_add_accumulates_over_deferred_backwards():
    def body(net, x, y):
        for p in net.collect_params().values():
            if p.grad_req != "null":
                p.grad_req = "add"
        for k in range(3):
            with autograd.record():
                loss = gluon.loss.L2Loss()(net(x + k), nd.zeros((8, 5)))
            loss.backward()

    _close(_one_backward(True, body), _one_backward(False, body))


def test_two_heads_sharing_parameters():
    def body(net, x, y):
        loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
        with autograd.record():
            a = loss_fn(net(x), y)
            b = loss_fn(net(x * 0.5), y)
        autograd.backward([a, b])

    _close(_one_backward(True, body), _one_backward(False, body))


def test_gradients_read_before_step_then_clipped():
    def run(on):
        with deferral(on):
            mx.random.seed(0)
            net = _net(True)
            x, y = _data()
            net(x)
            trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
            for _ in range(2):
                with autograd.record():
                    loss = gluon.loss.SoftmaxCrossEntropyLoss()(net(x), y)
                loss.backward()
                grads = [p.grad() for p in net.collect_params().values() if p.grad_req != "null"]
                gluon.utils.clip_global_norm(grads, 0.1)
                trainer.step(8)
            return {k: p.data().asnumpy() for k, p in net.collect_params().items()}

    _close(run(True), run(False))


def test_parameter_changed_between_backward_and_step():
    def run(on):
        with deferral(on):
            net = gluon.nn.Dense(3, in_units=4)
            net.initialize(mx.init.One())
            trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
            with autograd.record():
                loss = net(nd.ones((2, 4))).sum()
            loss.backward()
            net.weight.data()[:] = 2.0  # the update applies to the new value
            trainer.step(2)
            return net.weight.data().asnumpy(), net.weight.grad().asnumpy()

    _close(run(True), run(False))


def test_second_backward_raises_like_mxnet():
    net = _net(True)
    x, y = _data()
    net(x)
    with autograd.record():
        loss = gluon.loss.SoftmaxCrossEntropyLoss()(net(x), y)
    loss.backward()
    with pytest.raises(autograd.AutogradError, match="retain_graph"):
        loss.backward()  # still pending
    _ = net[0].weight.grad().asnumpy()  # reading a gradient runs the pending program
    with pytest.raises(autograd.AutogradError, match="retain_graph"):
        loss.backward()  # already computed


def test_in_place_write_to_a_recorded_output_raises():
    net = _net(True)
    x, _ = _data()
    net(x)
    with autograd.record():
        out = net(x)
        with pytest.raises(autograd.AutogradError, match="computational graph"):
            out[:] = 0


def test_batchnorm_running_statistics_follow_eager():
    def run(on):
        with deferral(on):
            mx.random.seed(0)
            net = _net(False)
            x, _ = _data()
            for _ in range(3):
                with autograd.record():
                    net(x)  # forward only: the running statistics still update
            bn = net[1]
            return bn.running_mean.data().asnumpy(), bn.running_var.data().asnumpy()

    _close(run(True), run(False))


def test_disabled_by_environment():
    import os
    import subprocess
    import sys

    code = "from mxjax._src import deferred; print(deferred.enabled())"
    env = dict(os.environ, MXJAX_DEFER="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_copies_and_pickles_of_lazy_arrays_see_the_value():
    import copy
    import pickle

    net = _net(True)
    x, y = _data()
    net(x)
    with autograd.record():
        out = net(x)
        a = copy.copy(out)
    b = copy.deepcopy(out)
    c = pickle.loads(pickle.dumps(out))
    for v in (a, b, c):
        assert type(v) is nd.NDArray
        np.testing.assert_array_equal(v.asnumpy(), out.asnumpy())


def test_two_trainers_on_one_graph_like_a_gan():
    def run(on):
        with deferral(on):
            mx.random.seed(0)
            gen = gluon.nn.Dense(7, in_units=3)
            disc = gluon.nn.Dense(1, in_units=7)
            gen.initialize(mx.init.Xavier())
            disc.initialize(mx.init.Xavier())
            t_g = gluon.Trainer(gen.collect_params(), "adam", {"learning_rate": 0.05})
            t_d = gluon.Trainer(disc.collect_params(), "sgd", {"learning_rate": 0.1})
            z = nd.array(np.random.RandomState(1).randn(4, 3))
            for _ in range(3):
                with autograd.record():
                    score = disc(gen(z))
                    loss = gluon.loss.SigmoidBinaryCrossEntropyLoss()(score, nd.ones((4, 1)))
                loss.backward()
                t_d.step(4)  # fused with the graph's backward; the generator's grads stay lazy
                t_g.step(4)  # reads them: recomputed from the captured inputs
            return [
                p.data().asnumpy()
                for p in (*gen.collect_params().values(), *disc.collect_params().values())
            ]

    _close(run(True), run(False))
