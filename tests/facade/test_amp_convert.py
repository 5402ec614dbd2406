"""amp.convert_symbol / convert_hybrid_block: MXNet AMP's casts, values against the float32 net."""

import numpy as np
import pytest

import mxjax as mx
from mxjax.gluon import nn


def _casts(sym):
    return [
        (n.inputs[0][0].name, n.attrs["dtype"])
        for n in sym._nodes()
        if n.op is not None and n.op.name == "Cast"
    ]


def test_convert_symbol_inserts_mxnet_casts():
    x = mx.sym.var("data")
    fc = mx.sym.FullyConnected(x, num_hidden=4, name="fc")
    act = mx.sym.Activation(fc, act_type="softrelu", name="act")
    out = mx.sym.broadcast_add(act, mx.sym.exp(fc, name="e"), name="add")
    casts = _casts(mx.amp.convert_symbol(out, "float16"))
    assert ("data", "float16") in casts and ("fc_weight", "float16") in casts
    assert ("fc", "float32") in casts  # softrelu and exp run in float32
    opt = mx.amp.convert_symbol(out, "float16", cast_optional_params=True)
    assert ("fc_weight", "float16") not in _casts(opt)  # the weight is stored in float16
    assert mx.amp.convert_symbol(out, "float16", excluded_sym_names=["fc"]) is not None
    with pytest.raises(ValueError, match="target_dtype"):
        mx.amp.convert_symbol(out, "int8")


def test_convert_hybrid_block_matches_float32():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(4, 3, in_channels=2), nn.BatchNorm(in_channels=4))
    net.add(nn.Activation("relu"), nn.Dense(3))
    net.initialize()
    with pytest.raises(RuntimeError, match="hybridize"):
        mx.amp.convert_hybrid_block(net)
    net.hybridize()
    x = mx.nd.array(np.random.RandomState(0).rand(2, 2, 6, 6))
    ref = net(x).asnumpy()
    for cast_params in (False, True):
        lp = mx.amp.convert_hybrid_block(net, "float16", cast_optional_params=cast_params)
        out = lp(x)
        assert out.dtype == np.float16
        np.testing.assert_allclose(out.asnumpy().astype(np.float32), ref, rtol=1e-2, atol=1e-2)
        lp_params = lp.collect_params()
        assert lp_params[net[3].weight.name].dtype == (np.float16 if cast_params else np.float32)
        assert lp_params[net[1].gamma.name].dtype == np.float32
    assert mx.contrib.amp.convert_hybrid_block is mx.amp.convert_hybrid_block
