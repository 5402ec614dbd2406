"""MXNet model files both ways: SymbolBlock.imports of MXNet exports, HybridBlock.export for MXNet."""

import json
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax.gluon import nn

G = os.path.join(os.path.dirname(__file__), "..", "golden", "symbol")


def _imports(name, epoch=0):
    return mx.gluon.SymbolBlock.imports(
        os.path.join(G, f"{name}-symbol.json"),
        ["data"],
        os.path.join(G, f"{name}-{epoch:04d}.params"),
    )


@pytest.mark.parametrize("name", ["lenet", "resnet"])
def test_imports_mxnet_exports_match_and_hybridize(name):
    io = np.load(os.path.join(G, f"{name}_io.npz"))
    blk = _imports(name)
    x = mx.nd.array(io["x"])
    np.testing.assert_allclose(blk(x).asnumpy(), io["y"], rtol=1e-4, atol=1e-6)
    blk.hybridize()
    np.testing.assert_allclose(blk(x).asnumpy(), io["y"], rtol=1e-4, atol=1e-6)
    aux = [n for n, p in blk.collect_params().items() if p.grad_req == "null"]
    assert aux and all("running" in n for n in aux)


def test_imports_fine_tune_with_trainer():
    io = np.load(os.path.join(G, "lenet_io.npz"))
    blk = _imports("lenet")
    blk.hybridize()
    x, y = mx.nd.array(io["x"]), mx.nd.array([1.0, 2.0])
    trainer = mx.gluon.Trainer(blk.collect_params(), "sgd", {"learning_rate": 0.1})
    loss_fn = mx.gluon.loss.SoftmaxCrossEntropyLoss()
    mx.random.seed(0)
    w0 = blk.collect_params()["conv0_weight"].data().asnumpy()
    before = float(loss_fn(blk(x), y).mean().asscalar())  # inference mode: no dropout
    for _ in range(3):
        with mx.autograd.record():
            loss = loss_fn(blk(x), y)
        loss.backward()
        trainer.step(2)
    assert float(loss_fn(blk(x), y).mean().asscalar()) < before
    assert not np.allclose(blk.collect_params()["conv0_weight"].data().asnumpy(), w0)


def test_mxjax_export_loaded_by_mxnet_golden(tmp_path):
    # mxjax_net-* were written by mxjax's export; MXNet 1.9.1 loaded them and recorded its output
    io = np.load(os.path.join(G, "mxjax_net_io.npz"))
    mxnet = np.load(os.path.join(G, "mxjax_net_mxnet.npz"))
    np.testing.assert_allclose(mxnet["y"], io["y"], rtol=1e-4, atol=1e-6)
    # today's export of the same network writes the same graph
    from tests.golden.symbol.make_mxjax_export import build

    net = build()
    blk = _imports("mxjax_net")
    net.initialize()
    net(mx.nd.array(io["x"]))
    params = {p.name: p for p in net.collect_params().values()}
    for n, p in blk.collect_params().items():
        params[n].set_data(p.data())
    np.testing.assert_allclose(net(mx.nd.array(io["x"])).asnumpy(), io["y"], rtol=1e-5, atol=1e-6)
    sym_file, params_file = net.export(str(tmp_path / "again"))
    with open(sym_file) as f, open(os.path.join(G, "mxjax_net-symbol.json")) as g:
        assert json.load(f)["nodes"] == json.load(g)["nodes"]
    assert list(mxnet["arguments"]) == blk.symbol.list_arguments()


def test_export_import_round_trip_and_checkpoint(tmp_path):
    net = nn.HybridSequential()
    net.add(
        nn.Conv2D(3, 3, in_channels=2, activation="relu"),
        nn.BatchNorm(in_channels=3),
        nn.GlobalAvgPool2D(),
        nn.Flatten(),
        nn.Dense(4, in_units=3),
        nn.PReLU(),
    )
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(1).rand(2, 2, 6, 6))
    y = net(x).asnumpy()
    sym_file, params_file = net.export(str(tmp_path / "m"), epoch=7)
    assert params_file.endswith("m-0007.params")
    blk = mx.gluon.SymbolBlock.imports(sym_file, "data", params_file)
    np.testing.assert_allclose(blk(x).asnumpy(), y, rtol=1e-5, atol=1e-6)
    sym, args, auxs = mx.model.load_checkpoint(str(tmp_path / "m"), 7)
    assert len(auxs) == 2 and all(k.endswith(("running_mean", "running_var")) for k in auxs)
    mod = mx.mod.Module(sym, label_names=[])
    mod.bind([("data", (2, 2, 6, 6))], for_training=False)
    mod.set_params(args, auxs)
    mod.forward(mx.io.DataBatch([x]), is_train=False)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), y, rtol=1e-5, atol=1e-6)


def test_symbol_block_errors():
    data = mx.sym.var("data")
    with pytest.raises(ValueError, match="not inputs of the graph"):
        mx.gluon.SymbolBlock(mx.sym.relu(data), mx.sym.var("other"))

    class Imperative(mx.gluon.HybridBlock):
        def forward(self, x):
            return mx.nd.relu(x) * 2  # an NDArray function: cannot take a Symbol

    with pytest.raises(ValueError, match="cannot be traced"):
        Imperative().export("/nonexistent/x")


def test_model_zoo_network_exports(tmp_path):
    # zoo blocks define forward() over child blocks and Symbol-aware ops; real MXNet 1.9.1
    # loads these exports with the same outputs (checked for resnet18_v1, resnet50_v2,
    # mobilenetv2_0.25 when this was written)
    from mxjax.gluon.model_zoo import vision

    net = vision.get_model("mobilenet0.25", classes=4)
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(0).rand(1, 3, 32, 32))
    y = net(x).asnumpy()
    sym_file, params_file = net.export(str(tmp_path / "mobilenet"))
    with open(sym_file) as f:
        ops = {n["op"] for n in json.load(f)["nodes"]}
    assert {"Convolution", "BatchNorm", "Activation", "Pooling", "FullyConnected"} <= ops
    blk = mx.gluon.SymbolBlock.imports(sym_file, ["data"], params_file)
    np.testing.assert_allclose(blk(x).asnumpy(), y, rtol=1e-5, atol=1e-6)


def test_recurrent_layers_export_as_fused_rnn(tmp_path):
    # Gluon LSTM/GRU/RNN export as MXNet's RNN operator with a flat parameter vector
    # (real MXNet 1.9.1 loads these with the same outputs, checked when this was written)
    from mxjax.gluon import rnn

    net = nn.HybridSequential()
    net.add(rnn.LSTM(3, num_layers=2, bidirectional=True, layout="NTC"), nn.Dense(2, flatten=False))
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(0).rand(2, 5, 3))
    y = net(x).asnumpy()
    sym_file, params_file = net.export(str(tmp_path / "lstm"))
    blk = mx.gluon.SymbolBlock.imports(sym_file, ["data"], params_file)
    assert "RNN" in {n["op"] for n in json.loads(blk.symbol.tojson())["nodes"]}
    np.testing.assert_allclose(blk(x).asnumpy(), y, rtol=1e-5, atol=1e-6)


def test_imports_mxnet_unrolled_rnn_cells():
    """MXNet's begin states are ``_zeros((0, H))``: the batch dim comes from the consumers."""
    io = np.load(os.path.join(G, "rnncells_io.npz"))
    x = mx.nd.array(io["x"])
    blk = _imports("rnncells")
    np.testing.assert_allclose(blk(x).asnumpy(), io["y"], rtol=1e-4, atol=1e-6)
    # another batch size: the zero states follow it (one row of x repeated 5 times)
    x5 = mx.nd.array(np.repeat(io["x"][:1], 5, axis=0))
    np.testing.assert_allclose(
        blk(x5).asnumpy(), np.repeat(io["y"][:1], 5, axis=0), rtol=1e-4, atol=1e-6
    )
    sym = mx.sym.load(os.path.join(G, "rnncells-symbol.json"))
    arg_shapes, out_shapes, _ = sym.infer_shape(data=(7, 3, 4))
    assert out_shapes == [(7, 3, 3)]
    assert dict(zip(sym.list_arguments(), arg_shapes))["rnncells_lstm0_h2h_weight"] == (32, 8)
    # Module runs it too
    mod = mx.mod.Module(sym, data_names=["data"], label_names=None)
    mod.bind(data_shapes=[("data", tuple(io["x"].shape))], for_training=False)
    mod.set_params(*_split_params(os.path.join(G, "rnncells-0000.params")))
    mod.forward(mx.io.DataBatch([x]), is_train=False)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), io["y"], rtol=1e-4, atol=1e-6)


def _split_params(path):
    loaded = mx.nd.load(path)
    arg = {k.split(":", 1)[1]: v for k, v in loaded.items() if k.startswith("arg:")}
    aux = {k.split(":", 1)[1]: v for k, v in loaded.items() if k.startswith("aux:")}
    return arg, aux


def test_unknown_dims_that_cannot_be_inferred_raise():
    z = mx.sym.zeros((0, 4))
    y = mx.sym.sum(z) + mx.sym.var("data")  # nothing fixes the zeros' first dimension
    ex = y.bind(mx.cpu(), {"data": mx.nd.ones((1,))})
    with pytest.raises(ValueError, match=r"cannot infer the unknown dimensions \(0\) of shape"):
        ex.forward()
