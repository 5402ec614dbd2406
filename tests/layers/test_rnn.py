"""Recurrent layers and cells against MXNet 1.9.1 golden files and NumPy."""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from mxjax import layers as L

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden" / "rnn"
H = 6
LAYER_FILES = sorted(p.stem for p in GOLDEN.glob("*.npz") if not p.stem.startswith("cell_"))
CELL_FILES = sorted(p.stem for p in GOLDEN.glob("cell_*.npz"))


def _load(stem):
    with np.load(GOLDEN / f"{stem}.npz") as z:
        return {k: z[k] for k in z.files}


def _tree(g, prefix="param:"):
    flat = {k[len(prefix) :]: jnp.asarray(v) for k, v in g.items() if k.startswith(prefix)}
    return L.unflatten_names(flat)


def _make_layer(stem):
    parts = stem.split("_")
    mode = parts[0] if parts[0] != "rnn" else "_".join(parts[:2])
    rest = parts[1:] if parts[0] != "rnn" else parts[2:]
    proj = rest[0] == "proj"
    if proj:
        rest = rest[1:]
    num_layers = int(rest[0][-1])
    bidir = rest[0].startswith("bi")
    kw = dict(num_layers=num_layers, bidirectional=bidir, layout=rest[1])
    if mode == "lstm":
        return L.LSTM(H, projection_size=3 if proj else None, **kw)
    if mode == "gru":
        return L.GRU(H, **kw)
    return L.RNN(H, activation=mode[4:], **kw)


def _states(g, prefix):
    return [jnp.asarray(g[f"{prefix}{i}"]) for i in range(2) if f"{prefix}{i}" in g]


@pytest.mark.parametrize("stem", LAYER_FILES)
def test_layer_matches_mxnet(stem):
    g = _load(stem)
    net = _make_layer(stem)
    params = _tree(g)
    # The names and shapes Gluon's save_parameters writes are exactly our tree's.
    ref = jax.eval_shape(lambda k, x: net.init(k, x)[0], jax.random.key(0), jnp.asarray(g["x"]))
    ref_shapes = {k: v.shape for k, v in L.flatten_names(ref).items()}
    assert ref_shapes == {k: v.shape for k, v in L.flatten_names(params).items()}
    states = _states(g, "state") or None
    x = jnp.asarray(g["x"])

    cot = jnp.asarray(g["cot"]) if "cot" in g else None

    @jax.jit
    def run(p, x):  # outputs and, where MXNet gave them, gradients of sum(out * cot)
        def f(p, x):
            res = net.apply(p, {}, x, states)[0]
            return (res[0] if states is not None else res), res

        if cot is None:
            return f(p, x)[1], None
        _, vjp, res = jax.vjp(f, p, x, has_aux=True)
        return res, vjp(cot)

    res, grads = run(params, x)
    out = res[0] if states is not None else res
    np.testing.assert_allclose(np.asarray(out), g["out"], rtol=1e-5, atol=1e-5)
    if states is not None:
        for got, want in zip(res[1], _states(g, "out_state")):
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
    if grads is not None:
        gp, gx = grads
        np.testing.assert_allclose(np.asarray(gx), g["grad_x"], rtol=1e-4, atol=1e-5)
        for name, v in L.flatten_names(gp).items():
            np.testing.assert_allclose(np.asarray(v), g["grad:" + name], rtol=1e-4, atol=1e-5)


def _make_cell(stem):
    kind = stem.split("_")[1]
    if kind == "lstm":
        return L.LSTMCell(H)
    if kind == "gru":
        return L.GRUCell(H)
    return L.RNNCell(H, activation=stem.split("_")[2])


@pytest.mark.parametrize("stem", CELL_FILES)
def test_cell_matches_mxnet(stem):
    g = _load(stem)
    cell = _make_cell(stem)
    params = _tree(g)
    assert set(params) == {"i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"}
    x = jnp.asarray(g["x"])
    states = _states(g, "state")
    (out, new), st = cell.apply(params, {}, x[:, 0, :], states)
    assert st == {}
    np.testing.assert_allclose(np.asarray(out), g["step_out"], rtol=1e-5, atol=1e-6)
    for got, want in zip(new, _states(g, "step_state")):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)
    outs, fin = cell.unroll(
        params, x.shape[1], x, begin_state=states, valid_length=g.get("valid_length")
    )
    np.testing.assert_allclose(np.asarray(outs), g["unroll_out"], rtol=1e-5, atol=1e-6)
    for got, want in zip(fin, _states(g, "unroll_state")):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- NumPy reference
def _np_sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _np_gru(x, p, h):
    """Single-layer unidirectional GRU over (T, N, C), MXNet's formula, in NumPy."""
    wi, wh, bi, bh = (
        np.asarray(p[k], np.float64) for k in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")
    )
    outs = []
    for xt in np.asarray(x, np.float64):
        xr, xz, xn = np.split(xt @ wi.T + bi, 3, axis=-1)
        hr, hz, hn = np.split(h @ wh.T + bh, 3, axis=-1)
        r, z = _np_sigmoid(xr + hr), _np_sigmoid(xz + hz)
        n = np.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        outs.append(h)
    return np.stack(outs), h


def _np_lstm(x, p, h, c):
    wi, wh, bi, bh = (
        np.asarray(p[k], np.float64) for k in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")
    )
    outs = []
    for xt in np.asarray(x, np.float64):
        i, f, gg, o = np.split(xt @ wi.T + bi + h @ wh.T + bh, 4, axis=-1)
        c = _np_sigmoid(f) * c + _np_sigmoid(i) * np.tanh(gg)
        h = _np_sigmoid(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs), h, c


def test_gru_and_lstm_match_numpy():
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((4, 2, 3)), jnp.float32)
    init = "uniform"
    gru = L.GRU(5, i2h_bias_initializer=init, h2h_bias_initializer=init)
    p, _ = gru.init(jax.random.key(1), x)
    h0 = rng.standard_normal((1, 2, 5)).astype(np.float32)
    (out, [h]), _ = gru.apply(p, {}, x, [jnp.asarray(h0)])
    ref_out, ref_h = _np_gru(x, p["_unfused"]["0"], h0[0].astype(np.float64))
    np.testing.assert_allclose(np.asarray(out), ref_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(h[0]), ref_h, rtol=1e-5, atol=1e-6)

    lstm = L.LSTM(5, layout="NTC", i2h_bias_initializer=init)
    xn = jnp.swapaxes(x, 0, 1)
    p, _ = lstm.init(jax.random.key(2), xn)
    out, _ = lstm.apply(p, {}, xn)
    ref_out, _, _ = _np_lstm(x, p["_unfused"]["0"], np.zeros((2, 5)), np.zeros((2, 5)))
    np.testing.assert_allclose(np.asarray(out), np.swapaxes(ref_out, 0, 1), rtol=1e-5, atol=1e-6)


def test_cell_unroll_list_inputs_and_layouts():
    cell = L.GRUCell(4)
    rng = np.random.default_rng(1)
    x = jnp.asarray(rng.standard_normal((2, 3, 5)), jnp.float32)  # NTC
    p, _ = cell.init(jax.random.key(0), x[:, 0])
    merged, fin = cell.unroll(p, 3, x)
    as_list, fin2 = cell.unroll(p, 3, [x[:, t] for t in range(3)])
    assert isinstance(as_list, list) and len(as_list) == 3
    tnc, _ = cell.unroll(p, 3, jnp.swapaxes(x, 0, 1), layout="TNC", merge_outputs=False)
    ref, _ = _np_gru(np.swapaxes(np.asarray(x), 0, 1), p, np.zeros((2, 4)))
    for t in range(3):
        np.testing.assert_allclose(np.asarray(as_list[t]), ref[t], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.asarray(tnc[t]), ref[t], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.asarray(merged[:, t]), ref[t], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(fin[0]), np.asarray(fin2[0]), rtol=1e-6)


# --------------------------------------------------------------------- gradients
@pytest.mark.parametrize(
    "net",
    [
        L.LSTM(3, bidirectional=True, projection_size=2),
        L.GRU(3, bidirectional=True, layout="NTC"),
    ],
    ids=["lstmp", "gru"],
)
def test_check_grads_with_states(net):
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((3, 2, 2)), jnp.float32)
    params, _ = net.init(jax.random.key(0), x)
    batch = x.shape[net.layout.find("N")]
    states = [
        jnp.asarray(rng.standard_normal(s.shape), jnp.float32) for s in net.begin_state(batch)
    ]

    def f(p, x, s):
        out, new = net.apply(p, {}, x, s)[0]
        return jnp.sum(out) + sum(jnp.sum(v * v) for v in new)

    check_grads(
        jax.jit(f), (params, x, states), order=1, modes=("rev",), atol=2e-2, rtol=2e-2, eps=1e-3
    )


def test_cell_unroll_grads():
    cell = L.LSTMCell(3)
    x = jnp.asarray(np.random.default_rng(0).standard_normal((2, 4, 2)), jnp.float32)
    p, _ = cell.init(jax.random.key(0), x[:, 0])

    def f(p, x):
        outs, (h, c) = cell.unroll(p, 4, x, valid_length=jnp.array([4, 2]))
        return jnp.sum(outs) + jnp.sum(c)

    check_grads(f, (p, x), order=1, modes=("rev",), atol=2e-2, rtol=2e-2, eps=1e-3)


# ----------------------------------------------------------------------- dropout
def test_dropout_between_layers():
    net = L.LSTM(8, num_layers=2, dropout=0.5)
    x = jnp.ones((4, 3, 2))
    p, _ = net.init(jax.random.key(0), x)
    ref, _ = L.LSTM(8, num_layers=2).apply(p, {}, x)
    y_eval, _ = net.apply(p, {}, x)
    np.testing.assert_array_equal(np.asarray(y_eval), np.asarray(ref))
    y1, _ = net.apply(p, {}, x, key=jax.random.key(1), train=True)
    y1b, _ = net.apply(p, {}, x, key=jax.random.key(1), train=True)
    y2, _ = net.apply(p, {}, x, key=jax.random.key(2), train=True)
    np.testing.assert_array_equal(np.asarray(y1), np.asarray(y1b))
    assert not np.allclose(np.asarray(y1), np.asarray(ref))
    assert not np.allclose(np.asarray(y1), np.asarray(y2))
    with pytest.raises(ValueError, match="PRNG key"):
        net.apply(p, {}, x, train=True)
    # A single layer has no dropout (nothing between layers).
    one = L.LSTM(8, dropout=0.5)
    p1, _ = one.init(jax.random.key(0), x)
    np.testing.assert_array_equal(
        np.asarray(one.apply(p1, {}, x, train=True)[0]), np.asarray(one.apply(p1, {}, x)[0])
    )


# -------------------------------------------------------------------- validation
def test_defaults_and_initializers():
    assert L.RNN(3).activation == "relu" and L.RNNCell(3).activation == "tanh"
    net = L.LSTM(2, i2h_bias_initializer="lstmbias")
    p, _ = net.init(jax.random.key(0), jnp.ones((1, 1, 3)))
    np.testing.assert_array_equal(
        np.asarray(p["_unfused"]["0"]["i2h_bias"]), [0, 0, 1, 1, 0, 0, 0, 0]
    )
    np.testing.assert_array_equal(np.asarray(p["_unfused"]["0"]["h2h_bias"]), np.zeros(8))
    assert float(jnp.max(jnp.abs(p["_unfused"]["0"]["i2h_weight"]))) <= 0.07


def test_errors():
    x = jnp.ones((5, 2, 3))
    net = L.LSTM(4, num_layers=2)
    p, _ = net.init(jax.random.key(0), x)
    with pytest.raises(ValueError, match=r"LSTM: expected an input with 3 features.*received 7"):
        net.apply(p, {}, jnp.ones((5, 2, 7)))
    with pytest.raises(ValueError, match=r"LSTM: expected a 3-D input.*\(5, 3\)"):
        net.apply(p, {}, jnp.ones((5, 3)))
    with pytest.raises(
        ValueError, match=r"invalid recurrent state 1: expected shape \(2, 2, 4\).*\(1, 2, 4\)"
    ):
        net.apply(p, {}, x, [jnp.zeros((2, 2, 4)), jnp.zeros((1, 2, 4))])
    with pytest.raises(ValueError, match="LSTM: expected 2 state"):
        net.apply(p, {}, x, [jnp.zeros((2, 2, 4))])
    with pytest.raises(TypeError, match="LSTM: states must be a list"):
        net.apply(p, {}, x, "h")
    with pytest.raises(ValueError, match="layout must be 'TNC' or 'NTC'; received 'NCT'"):
        L.GRU(4, layout="NCT")
    with pytest.raises(ValueError, match="activation must be 'relu' or 'tanh'; received 'sigmoid'"):
        L.RNN(4, activation="sigmoid")
    with pytest.raises(ValueError, match="hidden_size must be a positive int; received 0"):
        L.GRU(0)
    with pytest.raises(ValueError, match=r"dropout must be a float in \[0, 1\)"):
        L.GRU(3, dropout=1.5)
    with pytest.raises(ValueError, match="input_size=5 but the example input has 3"):
        L.GRU(3, input_size=5).init(jax.random.key(0), x)
    with pytest.raises(TypeError, match="floating-point"):
        net.apply(p, {}, jnp.ones((5, 2, 3), jnp.int32))
    cell = L.GRUCell(4)
    cp, _ = cell.init(jax.random.key(0), jnp.ones((2, 3)))
    with pytest.raises(
        ValueError, match=r"GRUCell: invalid recurrent state 0: expected shape \(2, 4\)"
    ):
        cell.apply(cp, {}, jnp.ones((2, 3)), [jnp.zeros((2, 5))])
    with pytest.raises(ValueError, match="GRUCell: expected an input with 3 features"):
        cell.apply(cp, {}, jnp.ones((2, 6)))
    with pytest.raises(ValueError, match=r"GRUCell.unroll: length=4 but the inputs have 3 steps"):
        cell.unroll(cp, 4, jnp.ones((2, 3, 3)))
    with pytest.raises(ValueError, match="GRUCell.unroll: layout must be 'NTC' or 'TNC'"):
        cell.unroll(cp, 3, jnp.ones((2, 3, 3)), layout="CNT")
    with pytest.raises(ValueError, match="LSTMCell: unknown activation"):
        L.LSTMCell(3, activation="bogus")


def test_single_state_array_and_no_recompile():
    net = L.GRU(4)
    x = jnp.ones((3, 2, 5))
    p, _ = net.init(jax.random.key(0), x)
    (out, [h]), _ = net.apply(p, {}, x, jnp.zeros((1, 2, 4)))  # a bare array, as Gluon
    assert out.shape == (3, 2, 4) and h.shape == (1, 2, 4)
    f = jax.jit(lambda p, x: net.apply(p, {}, x)[0])
    f(p, x)
    n = f._cache_size()
    f(p, x + 1)
    assert f._cache_size() == n


def test_program_size_does_not_grow_with_length():
    net = L.LSTM(4, num_layers=2, bidirectional=True)
    p = jax.eval_shape(lambda k: net.init(k, jnp.ones((3, 2, 5)))[0], jax.random.key(0))

    def size(t):
        x = jax.ShapeDtypeStruct((t, 2, 5), jnp.float32)
        return len(str(jax.make_jaxpr(lambda p, x: net.apply(p, {}, x)[0])(p, x)))

    assert size(100) == size(300)  # one scan, not an unrolled loop
