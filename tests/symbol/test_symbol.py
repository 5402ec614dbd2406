"""mx.sym: graph structure, JSON, inference, executor; checked against MXNet 1.9.1 goldens."""

import json
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax._src.io.params import load_params
from mxjax._src.module.model import split_params

G = os.path.join(os.path.dirname(__file__), "..", "golden", "symbol")


def test_structure_matches_mxnet():
    # names and orders as printed by MXNet 1.9.1 for the same graph
    a, b = mx.sym.var("a"), mx.sym.var("b")
    c = a + b * 2 - 1
    d = mx.sym.FullyConnected(c, num_hidden=3, name="fullyconnected0")
    e = mx.sym.BatchNorm(d, name="batchnorm0")
    assert e.list_arguments() == [
        "a",
        "b",
        "fullyconnected0_weight",
        "fullyconnected0_bias",
        "batchnorm0_gamma",
        "batchnorm0_beta",
    ]
    assert e.list_auxiliary_states() == ["batchnorm0_moving_mean", "batchnorm0_moving_var"]
    assert e.list_outputs() == ["batchnorm0_output"]
    g = json.loads(e.tojson())
    ops = [n["op"] for n in g["nodes"]]
    assert ops == [
        "null",
        "null",
        "_mul_scalar",
        "elemwise_add",
        "_minus_scalar",
        "null",
        "null",
        "FullyConnected",
        "null",
        "null",
        "null",
        "null",
        "BatchNorm",
    ]
    assert g["nodes"][2]["attrs"] == {"scalar": "2"}
    assert g["nodes"][12]["inputs"][3] == [10, 0, 1]
    assert g["arg_nodes"] == [0, 1, 5, 6, 8, 9, 10, 11]
    assert g["attrs"] == {"mxnet_version": ["int", 10901]}
    s = mx.sym.SliceChannel(a, num_outputs=2, name="sc")
    assert s.list_outputs() == ["sc_output0", "sc_output1"]
    assert mx.sym.Group([a, d]).list_outputs() == ["a", "fullyconnected0_output"]
    assert d.get_internals().list_outputs()[-3:] == [
        "fullyconnected0_weight",
        "fullyconnected0_bias",
        "fullyconnected0_output",
    ]


def test_json_round_trip_and_attrs(tmp_path):
    x = mx.sym.var("x", shape=(2, 3), lr_mult=2.0, dtype="float16")
    y = mx.sym.Activation(
        mx.sym.FullyConnected(x, num_hidden=4, name="fc"),
        act_type="relu",
        name="act",
        attr={"__mirror__": "1"},
    )
    assert x.attr("__dtype__") == "2" and y.attr("__mirror__") == "1"
    f = str(tmp_path / "n-symbol.json")
    y.save(f)
    z = mx.sym.load(f)
    assert z.tojson() == y.tojson()
    assert z.list_arguments() == ["x", "fc_weight", "fc_bias"]
    assert z.infer_shape()[1] == [(2, 4)]
    assert z.infer_type()[1] == [np.dtype("float16")]
    with pytest.raises(ValueError, match="not supported"):
        mx.sym.load_json(y.tojson().replace('"Activation"', '"NoSuchOp"'))
    with pytest.raises(ValueError, match="unknown parameter 'bogus'"):
        mx.sym.FullyConnected(x, num_hidden=2, bogus=1)
    with pytest.raises(ValueError, match="required parameter 'num_hidden'"):
        mx.sym.FullyConnected(x)


def test_infer_shape_backward_and_partial():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(a + b * 2, num_hidden=3, name="fc"), name="sm")
    args, outs, aux = net.infer_shape(a=(4, 5))
    assert args == [(4, 5), (4, 5), (3, 5), (3,), (4,)] and outs == [(4, 3)] and aux == []
    assert mx.sym.var("q").infer_shape() == (None, None, None)
    assert net.infer_shape_partial()[1] == [()]


def test_reshape_codes_and_tensor_ops():
    x = mx.sym.var("x")
    cases = [
        (mx.sym.Reshape(x, shape=(0, -1)), lambda v: v.reshape(2, -1)),
        (mx.sym.reshape(x, shape=(-4, 1, 2, -2)), lambda v: v.reshape(1, 2, 3, 4)),
        (mx.sym.reshape(x, shape=(-3, -2)), lambda v: v.reshape(6, 4)),
        (mx.sym.transpose(x, axes=(2, 0, 1)), lambda v: v.transpose(2, 0, 1)),
        (mx.sym.slice(x, begin=(0, 1), end=(None, 3)), lambda v: v[:, 1:3]),
        (mx.sym.sum(x, axis=(1,), keepdims=True), lambda v: v.sum(1, keepdims=True)),
        (mx.sym.mean(x, axis=1, exclude=True), lambda v: v.mean((0, 2))),
        (x.softmax(axis=1), lambda v: np.exp(v) / np.exp(v).sum(1, keepdims=True)),
        (
            mx.sym.broadcast_add(x, mx.sym.sum(x, axis=2, keepdims=True)),
            lambda v: v + v.sum(2, keepdims=True),
        ),
        (x >= 0.5, lambda v: (v >= 0.5).astype(np.float32)),
        (2**x, lambda v: 2**v),
        (mx.sym.clip(x, 0.2, 0.6), lambda v: np.clip(v, 0.2, 0.6)),
        (mx.sym.Concat(x, x * 2, dim=2), lambda v: np.concatenate([v, v * 2], 2)),
        (mx.sym.split(x, num_outputs=3, axis=1, squeeze_axis=True)[1], lambda v: v[:, 1]),
    ]
    v = np.random.RandomState(0).rand(2, 3, 4).astype(np.float32)
    for sym, ref in cases:
        out = sym.eval(x=mx.nd.array(v))[0].asnumpy()
        np.testing.assert_allclose(out, ref(v), rtol=1e-5, atol=1e-6, err_msg=sym.tojson())


def _golden_exec(grad_req="write"):
    v = dict(np.load(os.path.join(G, "ops.npz")))
    s = mx.sym.load(os.path.join(G, "ops-symbol.json"))
    args = {k[4:]: mx.nd.array(x) for k, x in v.items() if k.startswith("arg:")}
    aux = {k[4:]: mx.nd.array(x) for k, x in v.items() if k.startswith("aux:")}
    grads = {k: mx.nd.ones(a.shape) for k, a in args.items()}
    return v, s.bind(mx.cpu(), args, args_grad=grads, grad_req=grad_req, aux_states=aux)


def test_forward_backward_matches_mxnet():
    v, exe = _golden_exec()
    y = exe.forward(is_train=True)[0].asnumpy()
    np.testing.assert_allclose(y, v["out"], rtol=1e-4, atol=1e-6)
    exe.backward()
    for k, g in exe.grad_dict.items():
        np.testing.assert_allclose(g.asnumpy(), v["grad:" + k], rtol=1e-4, atol=1e-6, err_msg=k)
    for k, a in exe.aux_dict.items():
        np.testing.assert_allclose(a.asnumpy(), v["newaux:" + k], rtol=1e-4, atol=1e-6)


def test_grad_req_add_and_null_and_inference(compile_counter):
    v, exe = _golden_exec()
    exe.forward(is_train=True)  # compiled once for all binds of this graph
    req = dict.fromkeys(exe.arg_dict, "write")
    req["c1_weight"] = "add"
    v, exe = _golden_exec(grad_req=req)
    exe.forward(is_train=True)
    exe.backward()
    np.testing.assert_allclose(
        exe.grad_dict["c1_weight"].asnumpy(), v["grad:c1_weight"] + 1, rtol=1e-4, atol=1e-6
    )
    for _ in range(2):
        exe.copy_params_from({}, {k[4:]: x for k, x in v.items() if k.startswith("aux:")})
        with compile_counter as c:  # a second bind of the same graph shares its programs
            exe.forward(is_train=True)
            exe.backward()
    assert c.count == 0
    np.testing.assert_allclose(
        exe.grad_dict["c1_weight"].asnumpy(), 3 * v["grad:c1_weight"] + 1, rtol=1e-4, atol=1e-5
    )
    out = exe.forward(is_train=False)[0].asnumpy()
    # aux states were updated by the training forward; inference uses them
    v2, exe2 = _golden_exec("null")
    np.testing.assert_allclose(exe2.forward()[0].asnumpy(), v2["out_infer"], rtol=1e-4, atol=1e-6)
    assert out.shape == v["out"].shape


def test_backward_needs_out_grads_for_plain_outputs():
    x = mx.sym.var("x")
    exe = (x * x).simple_bind(mx.cpu(), x=(3,))
    exe.forward(is_train=True, x=mx.nd.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="out_grads is required"):
        exe.backward()
    exe.backward(mx.nd.array([1.0, 1.0, 2.0]))
    assert exe.grad_dict["x"].asnumpy().tolist() == [2.0, 4.0, 12.0]


@pytest.mark.parametrize("name", ["lenet", "resnet"])
def test_mxnet_exported_models_run(name):
    sym = mx.sym.load(os.path.join(G, f"{name}-symbol.json"))
    args, auxs = split_params(load_params(os.path.join(G, f"{name}-0000.params")))
    io = np.load(os.path.join(G, f"{name}_io.npz"))
    args["data"] = mx.nd.array(io["x"])
    exe = sym.bind(mx.cpu(), args, aux_states=auxs, grad_req="null")
    np.testing.assert_allclose(exe.forward()[0].asnumpy(), io["y"], rtol=1e-4, atol=1e-6)


def test_regression_and_make_loss_gradients():
    x, lab = mx.sym.var("x"), mx.sym.var("y")
    xv = np.array([[0.5, -1.0], [2.0, 0.0]], np.float32)
    yv = np.array([[1.0, 0.0], [1.0, 1.0]], np.float32)
    for op, fwd, grad in [
        (mx.sym.LinearRegressionOutput, lambda v: v, lambda o: (o - yv) / 2),
        (mx.sym.LogisticRegressionOutput, lambda v: 1 / (1 + np.exp(-v)), lambda o: (o - yv) / 2),
        (mx.sym.MAERegressionOutput, lambda v: v, lambda o: np.sign(o - yv) / 2),
    ]:
        exe = op(x, lab).simple_bind(mx.cpu(), x=(2, 2), grad_req={"x": "write"})
        out = exe.forward(is_train=True, x=mx.nd.array(xv), y=mx.nd.array(yv))[0].asnumpy()
        exe.backward()
        np.testing.assert_allclose(out, fwd(xv), rtol=1e-6)
        np.testing.assert_allclose(exe.grad_dict["x"].asnumpy(), grad(out), rtol=1e-6)
    exe = mx.sym.MakeLoss(mx.sym.square(x), grad_scale=3.0).simple_bind(mx.cpu(), x=(2, 2))
    exe.forward(is_train=True, x=mx.nd.array(xv))
    exe.backward()
    np.testing.assert_allclose(exe.grad_dict["x"].asnumpy(), 6 * xv, rtol=1e-6)


@pytest.mark.parametrize("mode, bidir", [("lstm", True), ("gru", False), ("rnn_tanh", False)])
def test_fused_rnn_matches_mxnet(mode, bidir):
    g = np.load(os.path.join(G, "rnn.npz"))
    s = mx.sym.RNN(
        mx.sym.var("data"),
        state_size=3,
        num_layers=2,
        mode=mode,
        bidirectional=bidir,
        state_outputs=True,
        name="rnn",
    )
    args = {
        k.split("/", 1)[1]: mx.nd.array(v)
        for k, v in g.items()
        if k.startswith(mode + "/") and "/out" not in k
    }
    assert sorted(args) == sorted(s.list_arguments())
    arg_shapes = dict(zip(s.list_arguments(), s.infer_shape(data=(4, 2, 5))[0]))
    assert all(arg_shapes[k] == tuple(v.shape) for k, v in args.items())
    outs = s.bind(mx.cpu(), args, grad_req="null").forward()
    assert len(outs) == (3 if mode == "lstm" else 2)
    for i, o in enumerate(outs):
        np.testing.assert_allclose(o.asnumpy(), g[f"{mode}/out{i}"], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SoftmaxCrossEntropyLoss", {}),
        ("L2Loss", {"weight": 3.0}),
        ("L1Loss", {}),
        ("SigmoidBinaryCrossEntropyLoss", {}),
        ("KLDivLoss", {"from_logits": False}),
        ("HuberLoss", {"rho": 0.5}),
        ("HingeLoss", {}),
        ("SquaredHingeLoss", {}),
        ("LogisticLoss", {}),
    ],
)
def test_gluon_losses_on_symbols_equal_ndarray_losses(name, kwargs):
    rng = np.random.RandomState(0)
    pred = rng.randn(4, 5).astype(np.float32)
    if name == "SoftmaxCrossEntropyLoss":
        label = rng.randint(0, 5, (4,)).astype(np.float32)
    elif name == "KLDivLoss":
        label = rng.dirichlet(np.ones(5), 4).astype(np.float32)
    else:
        label = rng.randint(0, 2, (4, 5)).astype(np.float32)
    loss = getattr(mx.gluon.loss, name)(**kwargs)
    sym = loss(mx.sym.var("pred"), mx.sym.var("label"))
    out = sym.eval(pred=mx.nd.array(pred), label=mx.nd.array(label))[0].asnumpy()
    ref = loss(mx.nd.array(pred), mx.nd.array(label)).asnumpy()
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_name_prefix_and_attr_scope():
    # names and attributes as printed by MXNet 1.9.1 for the same code
    with mx.name.Prefix("net_"):
        x = mx.sym.var("x")
        fc = mx.sym.FullyConnected(x, num_hidden=2, name="fc")
        fc2 = mx.sym.FullyConnected(fc, num_hidden=2)
    assert fc2.list_arguments() == [
        "x",
        "net_fc_weight",
        "net_fc_bias",
        "net_fullyconnected0_weight",
        "net_fullyconnected0_bias",
    ]
    with mx.AttrScope(ctx_group="dev1"):
        y = mx.sym.var("y")
        z = y * 2
    assert y.list_attr() == {"ctx_group": "dev1", "__ctx_group__": "dev1"}
    assert z.list_attr() == {"scalar": "2", "ctx_group": "dev1", "__ctx_group__": "dev1"}
    assert mx.sym.var("w").list_attr() == {}
