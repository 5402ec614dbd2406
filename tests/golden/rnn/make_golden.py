"""Generates the recurrent-layer golden files with real MXNet 1.9.1.

Run with the MXNet venv (never imported by the test suite)::

    /tmp/mxnet/bin/python tests/golden/rnn/make_golden.py

Each ``<case>.npz`` holds the parameters under ``param:<name>`` (the names
Gluon's ``save_parameters`` writes, read back with ``nd.load``), the input
``x``, optional begin states ``state<i>``, the outputs ``out``, the final
states ``out_state<i>``, a cotangent ``cot`` and the gradients of
``sum(out * cot)`` w.r.t. ``x`` (``grad_x``) and every parameter
(``grad:<name>``).
"""

import os
import tempfile

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, nd

HERE = os.path.dirname(os.path.abspath(__file__))
T, N, C, H = 5, 3, 4, 6


def _randomize(block, rng):
    for p in block.collect_params().values():
        p.set_data(nd.array(rng.uniform(-0.5, 0.5, size=p.shape).astype("float32")))


def _saved_params(block):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "p.params")
        block.save_parameters(path)
        return {k: v.asnumpy() for k, v in nd.load(path).items()}


def _save(name, arrays):
    path = os.path.join(HERE, name + ".npz")
    np.savez_compressed(path, **arrays)
    print(name, os.path.getsize(path), "bytes")


def layer_case(name, cls, kwargs, layout, with_states, seed, grads=True):
    rng = np.random.default_rng(seed)
    net = cls(H, input_size=C, layout=layout, **kwargs)
    net.initialize()
    _randomize(net, rng)
    shape = (T, N, C) if layout == "TNC" else (N, T, C)
    x = nd.array(rng.standard_normal(shape).astype("float32"))
    x.attach_grad()
    arrays = {"x": x.asnumpy()}
    states = None
    if with_states:
        states = []
        for i, s in enumerate(net.begin_state(N)):
            st = nd.array(rng.standard_normal(s.shape).astype("float32"))
            arrays[f"state{i}"] = st.asnumpy()
            states.append(st)
    scope = autograd.record() if grads else autograd.pause()  # CPU LSTMP has no backward
    with scope:
        res = net(x, states) if with_states else net(x)
        out = res[0] if with_states else res
        cot = nd.array(rng.standard_normal(out.shape).astype("float32"))
        loss = (out * cot).sum()
    if grads:
        loss.backward()
        arrays["cot"] = cot.asnumpy()
        arrays["grad_x"] = x.grad.asnumpy()
    arrays["out"] = out.asnumpy()
    if with_states:
        for i, s in enumerate(res[1]):
            arrays[f"out_state{i}"] = s.asnumpy()
    saved = _saved_params(net)
    by_id = {id(p): p for p in net.collect_params().values()}
    struct = net._collect_params_with_prefix()
    for k, v in saved.items():
        arrays["param:" + k] = v
        if grads:
            arrays["grad:" + k] = by_id[id(struct[k])].grad().asnumpy()
    _save(name, arrays)


def cell_case(name, cell, seed, valid_length=None):
    rng = np.random.default_rng(seed)
    cell.initialize()
    _randomize(cell, rng)
    x = nd.array(rng.standard_normal((N, T, C)).astype("float32"))
    arrays = {"x": x.asnumpy()}
    states = []
    for i, s in enumerate(cell.begin_state(N)):
        st = nd.array(rng.standard_normal(s.shape).astype("float32"))
        arrays[f"state{i}"] = st.asnumpy()
        states.append(st)
    step_out, step_states = cell(x[:, 0, :], states)
    arrays["step_out"] = step_out.asnumpy()
    for i, s in enumerate(step_states):
        arrays[f"step_state{i}"] = s.asnumpy()
    kw = {}
    if valid_length is not None:
        vl = nd.array(np.asarray(valid_length, "float32"))
        arrays["valid_length"] = vl.asnumpy()
        kw["valid_length"] = vl
    outs, fin = cell.unroll(T, x, begin_state=states, layout="NTC", merge_outputs=True, **kw)
    arrays["unroll_out"] = outs.asnumpy()
    for i, s in enumerate(fin):
        arrays[f"unroll_state{i}"] = s.asnumpy()
    for k, v in _saved_params(cell).items():
        arrays["param:" + k] = v
    _save(name, arrays)


def main():
    rnn = gluon.rnn
    seed = 0
    for mode, cls, extra in [
        ("lstm", rnn.LSTM, {}),
        ("gru", rnn.GRU, {}),
        ("rnn_relu", rnn.RNN, {"activation": "relu"}),
        ("rnn_tanh", rnn.RNN, {"activation": "tanh"}),
    ]:
        for layout, with_states in [("TNC", True), ("NTC", False)]:
            seed += 1
            kwargs = dict(extra, num_layers=2, bidirectional=True)
            tag = "states" if with_states else "nostates"
            layer_case(f"{mode}_bi2_{layout}_{tag}", cls, kwargs, layout, with_states, seed)
        seed += 1
        layer_case(f"{mode}_uni1_TNC_states", cls, dict(extra), "TNC", True, seed)
    layer_case(
        "lstm_proj_bi2_TNC_states",
        rnn.LSTM,
        {"num_layers": 2, "bidirectional": True, "projection_size": 3},
        "TNC",
        True,
        99,
        grads=False,
    )
    layer_case(
        "lstm_proj_uni1_NTC_states", rnn.LSTM, {"projection_size": 3}, "NTC", True, 98, grads=False
    )
    cell_case("cell_lstm", rnn.LSTMCell(H, input_size=C), 101)
    cell_case("cell_gru", rnn.GRUCell(H, input_size=C), 102)
    cell_case("cell_rnn_tanh", rnn.RNNCell(H, input_size=C), 103)
    cell_case("cell_rnn_relu", rnn.RNNCell(H, activation="relu", input_size=C), 104)
    cell_case("cell_lstm_valid", rnn.LSTMCell(H, input_size=C), 105, valid_length=[5, 2, 3])
    cell_case("cell_gru_valid", rnn.GRUCell(H, input_size=C), 106, valid_length=[1, 4, 5])
    print("mxnet", mx.__version__)


if __name__ == "__main__":
    main()
