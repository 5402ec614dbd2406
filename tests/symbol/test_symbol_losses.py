"""CTCLoss and PoissonNLLLoss on Symbols, against MXNet 1.9.1 values and the NDArray losses."""

import numpy as np
import pytest

import mxjax as mx

PRED = np.random.RandomState(0).randn(3, 6, 4).astype(np.float32)  # (N, T, C)


def test_ctc_operator_blank_first_as_mxnet():
    # MXNet 1.9.1: mx.nd.CTCLoss(data (T, N, C), label) with its default blank_label='first'
    data, label = mx.sym.var("data"), mx.sym.var("label")
    lab = np.array([[3, 1, 0], [1, 3, 3], [2, 0, 0]], np.float32)  # 0 pads
    tnc = mx.nd.array(PRED.swapaxes(0, 1))
    out = mx.sym.CTCLoss(data, label).eval(data=tnc, label=mx.nd.array(lab))[0]
    np.testing.assert_allclose(out.asnumpy(), [3.4018455, 3.0615606, 7.3479753], rtol=1e-5)
    lens = mx.sym.var("lens")
    sym = mx.sym.ctc_loss(data, label, lens, use_data_lengths=True)
    out = sym.eval(data=tnc, label=mx.nd.array(lab), lens=mx.nd.array([5, 6, 4]))[0]
    np.testing.assert_allclose(out.asnumpy(), [2.7698171, 3.0615606, 4.3242164], rtol=1e-5)


@pytest.mark.parametrize("with_lengths", [False, True])
def test_gluon_ctc_loss_on_symbols(with_lengths):
    # MXNet 1.9.1: gluon.loss.CTCLoss() on these inputs (blank last)
    loss = mx.gluon.loss.CTCLoss()
    lab = mx.nd.array([[3, 1, -1], [0, 3, 3], [3, -1, -1]])
    args = {"pred": mx.nd.array(PRED), "label": lab}
    syms = [mx.sym.var("pred"), mx.sym.var("label")]
    want = [5.0407872, 3.9061983, 4.6592479]
    if with_lengths:
        args.update(pl=mx.nd.array([5, 6, 4]), ll=mx.nd.array([2, 3, 1]))
        syms += [mx.sym.var("pl"), mx.sym.var("ll")]
        want = [4.4846606, 3.9061983, 3.1581812]
    out = loss(*syms).eval(**args)[0].asnumpy()
    np.testing.assert_allclose(out, want, rtol=1e-5)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("compute_full", [False, True])
def test_poisson_nll_on_symbols_equals_ndarray(from_logits, compute_full):
    x = np.random.RandomState(1).rand(3, 2).astype(np.float32) + 0.5
    t = np.array([[0, 1], [2, 3], [5, 0]], np.float32)
    loss = mx.gluon.loss.PoissonNLLLoss(from_logits=from_logits, compute_full=compute_full)
    out = loss(mx.sym.var("x"), mx.sym.var("t")).eval(x=mx.nd.array(x), t=mx.nd.array(t))[0]
    p = np.exp(x) - t * x if from_logits else x - t * np.log(x + 1e-08)
    if compute_full:
        safe = np.maximum(t, 1)
        p = p + (t > 1) * (safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe))
    np.testing.assert_allclose(out.asnumpy().reshape(()), p.mean(), rtol=1e-5)
