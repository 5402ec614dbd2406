"""mx.mod.Module: the issue's script reaches MXNet 1.9.1's accuracy; checkpoints; API."""

import json
import logging
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax.data import embedded_mnist

G = os.path.join(os.path.dirname(__file__), "..", "golden", "symbol")


@pytest.fixture(scope="module")
def trained():
    X, y = embedded_mnist(train=True)
    X_train = X.reshape(len(X), -1).astype(np.float32) / 255.0
    y_train = y.astype(np.float32)
    np.random.seed(0)
    mx.random.seed(0)
    # --- the script from issue 13, unchanged except the import ---
    with mx.name.NameManager():  # (not in the script) automatic names from 0 in any test order
        data = mx.sym.var("data")
        fc = mx.sym.FullyConnected(data, num_hidden=10)
        loss = mx.sym.SoftmaxOutput(data=fc, name="softmax")
    optimizer = mx.optimizer.SGD(learning_rate=0.01)
    train_iter = mx.io.NDArrayIter(X_train, y_train, batch_size=32)
    model = mx.mod.Module(symbol=loss, context=mx.cpu())
    with pytest.warns(UserWarning, match="rescale_grad is not normalized"):  # MXNet warns too
        model.fit(train_iter, train_iter, optimizer=optimizer, num_epoch=2)
    pred = model.predict(train_iter)
    # ---
    return model, train_iter, X_train, y_train, pred


def test_script_matches_mxnet_accuracy(trained):
    model, it, X, y, pred = trained
    assert pred.shape == (4000, 10)
    acc = float((pred.asnumpy().argmax(1) == y).mean())
    with open(os.path.join(G, "module_mnist.json")) as f:
        golden = json.load(f)["accuracy"]  # real MXNet 1.9.1, same script and data
    assert abs(acc - golden) <= 0.02, (acc, golden)
    score = dict(model.score(it, "acc"))["accuracy"]
    assert abs(score - acc) < 1e-6


def test_checkpoint_round_trip(trained, tmp_path):
    model, it, X, y, pred = trained
    prefix = str(tmp_path / "mnist")
    model.save_checkpoint(prefix, 2, save_optimizer_states=True)
    assert sorted(os.listdir(tmp_path)) == [
        "mnist-0002.params",
        "mnist-0002.states",
        "mnist-symbol.json",
    ]
    sym, args, auxs = mx.model.load_checkpoint(prefix, 2)
    assert sorted(args) == ["fullyconnected0_bias", "fullyconnected0_weight"] and auxs == {}
    mod = mx.mod.Module.load(prefix, 2, load_optimizer_states=True, context=mx.cpu())
    mod.bind(it.provide_data, it.provide_label, for_training=False)
    np.testing.assert_allclose(mod.predict(it).asnumpy(), pred.asnumpy(), rtol=1e-5, atol=1e-6)
    arg, _ = mod.get_params()
    np.testing.assert_array_equal(
        arg["fullyconnected0_weight"].asnumpy(), args["fullyconnected0_weight"].asnumpy()
    )
    # optimizer states reload into a training module
    mod2 = mx.mod.Module.load(prefix, 2, load_optimizer_states=True)
    mod2.bind(it.provide_data, it.provide_label)
    mod2.init_optimizer(optimizer="sgd", optimizer_params={"momentum": 0.0})
    assert mod2._optimizer.num_update == model._optimizer.num_update


def test_callbacks_and_iter_predict(trained, tmp_path, caplog):
    model, it, X, y, pred = trained
    small = mx.io.NDArrayIter(X[:100], y[:100], batch_size=32)
    mod = mx.mod.Module(model.symbol)
    with caplog.at_level(logging.INFO):
        mod.fit(
            small,
            num_epoch=2,
            optimizer="sgd",
            optimizer_params=(("learning_rate", 0.1), ("momentum", 0.9)),
            batch_end_callback=mx.callback.Speedometer(32, frequent=2),
            epoch_end_callback=mx.callback.do_checkpoint(str(tmp_path / "cb"), period=2),
            arg_params=model.get_params()[0],
            eval_metric="acc",
            kvstore="device",
        )
    text = caplog.text
    assert "Epoch[1] Train-accuracy=" in text and "samples/sec" in text
    assert os.path.exists(tmp_path / "cb-0002.params")
    outs = list(mod.iter_predict(small))
    assert [o[0][0].shape[0] for o in outs] == [32, 32, 32, 4]  # padding removed


def test_input_grads_forward_backward_update():
    x = mx.sym.var("data")
    net = mx.sym.LinearRegressionOutput(
        mx.sym.FullyConnected(x, num_hidden=1, name="fc"), name="lro"
    )
    mod = mx.mod.Module(net, label_names=["lro_label"])
    mod.bind([("data", (2, 3))], [("lro_label", (2, 1))], inputs_need_grad=True)
    w = np.array([[1.0, -2.0, 0.5]], np.float32)
    mod.init_params(arg_params={"fc_weight": mx.nd.array(w), "fc_bias": mx.nd.zeros(1)})
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5})
    xv = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]], np.float32)
    yv = np.array([[1.0], [0.0]], np.float32)
    batch = mx.io.DataBatch([mx.nd.array(xv)], [mx.nd.array(yv)])
    mod.forward(batch, is_train=True)
    mod.backward()
    out = xv @ w.T
    g = out - yv  # LinearRegressionOutput gradient (num_output 1)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), out, rtol=1e-6)
    np.testing.assert_allclose(mod.get_input_grads()[0].asnumpy(), g @ w, rtol=1e-6)
    mod.update()  # rescale_grad = 1/batch_size
    new_w = mod.get_params()[0]["fc_weight"].asnumpy()
    np.testing.assert_allclose(new_w, w - 0.5 * (g.T @ xv) / 2, rtol=1e-6)
    with pytest.raises(ValueError, match="not in arg_params"):
        mod.init_params(arg_params={"fc_weight": mx.nd.array(w)}, force_init=True)
    mod.init_params(arg_params={"fc_weight": mx.nd.array(w)}, allow_missing=True, force_init=True)
    # a batch of another size re-binds
    mod.forward(mx.io.DataBatch([mx.nd.ones((5, 3))], [mx.nd.ones((5, 1))]), is_train=False)
    assert mod.get_outputs()[0].shape == (5, 1)


def test_lr_wd_mult_attributes_reach_the_optimizer():
    # as MXNet: op keyword lr_mult/wd_mult become attributes of the op's variables, and a
    # Module optimizer created by name reads the variables' attributes
    data = mx.sym.var("data")
    bias = mx.sym.var("fc1_bias", lr_mult=1.0)
    fc1 = mx.sym.FullyConnected(data, bias=bias, name="fc1", num_hidden=4, lr_mult=0)
    fc2 = mx.sym.FullyConnected(fc1, name="fc2", num_hidden=3, wd_mult=0.5)
    assert fc2.attr_dict()["fc1_weight"]["__lr_mult__"] == "0"
    mod = mx.mod.Module(fc2, label_names=None)
    mod.bind(data_shapes=[("data", (5, 6))])
    mod.init_params(initializer=mx.init.Uniform(1.0))
    mod.init_optimizer(optimizer_params={"learning_rate": 1.0})
    before = {k: v.asnumpy() for k, v in mod.get_params()[0].items()}
    mod.forward(mx.io.DataBatch([mx.nd.ones((5, 6))], None), is_train=True)
    mod.backward(mod.get_outputs())
    mod.update()
    after = {k: v.asnumpy() for k, v in mod.get_params()[0].items()}
    assert mod._optimizer.lr_mult == {"fc1_bias": 1.0, "fc1_weight": 0.0}
    assert mod._optimizer.wd_mult == {"fc2_bias": 0.5, "fc2_weight": 0.5, "fc1_bias": 0.0}
    np.testing.assert_array_equal(before["fc1_weight"], after["fc1_weight"])
    assert not np.allclose(before["fc2_weight"], after["fc2_weight"])


def _mlp_module():
    data = mx.sym.var("data")
    act = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"), act_type="relu")
    out = mx.sym.FullyConnected(act, num_hidden=3, name="fc2")
    return mx.mod.Module(mx.sym.SoftmaxOutput(out, name="softmax"))


def test_fit_programs_and_seeded_init(compile_counter):
    """Module.fit: the forward+backward and update programs (the optimizer state is made on the
    host), nothing per shape."""
    rng = np.random.RandomState(0)
    x, y = rng.rand(40, 5).astype("float32"), rng.randint(0, 3, 40).astype("float32")
    it = mx.io.NDArrayIter(x, y, batch_size=8)
    mod = _mlp_module()
    mx.random.seed(11)
    with compile_counter as c:
        mod.fit(it, num_epoch=1, optimizer="adam", optimizer_params={"learning_rate": 0.01})
    assert c.count <= 2, c.names  # was 23 (initializers, state zeros and copies per shape)
    it.reset()
    with compile_counter as c:  # later epochs and get_params compile nothing
        with pytest.warns(UserWarning, match="already initialized"):  # as MXNet
            mod.fit(it, num_epoch=1, optimizer="adam", force_init=False)
        mod.get_params()
    assert c.count == 0, c.names
    # initial values come from mx.random's stream: the same seed gives the same parameters
    first = {}
    for _ in range(2):
        m = _mlp_module()
        m.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
        mx.random.seed(11)
        m.init_params(mx.init.Xavier())
        arg, _ = m.get_params()
        for k, v in arg.items():
            if k in first:
                np.testing.assert_array_equal(v.asnumpy(), first[k])
            first[k] = v.asnumpy()
    assert np.abs(first["fc1_weight"]).max() > 0 and np.all(first["fc1_bias"] == 0)
    bound = np.sqrt(6.0 / (5 + 8))  # Xavier uniform, magnitude 3, avg fan
    assert np.abs(first["fc1_weight"]).max() <= bound
