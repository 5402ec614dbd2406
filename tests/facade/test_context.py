"""Contexts map to JAX devices; placement with simulated CPU devices runs in a subprocess."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mxjax as mx
from mxjax import nd
from tests.simulated_devices import simulated_devices_env


def test_cpu_gpu_contexts_and_equality():
    assert mx.cpu() == mx.Context("cpu", 0) and mx.cpu(1) != mx.cpu(0)
    assert repr(mx.gpu(2)) == "gpu(2)" and mx.gpu(2).device_typeid == 2
    assert mx.Context(mx.cpu(3)) == mx.cpu(3)
    assert hash(mx.cpu(1)) == hash(mx.Context("cpu", 1))
    assert mx.current_context() == mx.cpu(0)
    assert mx.context.num_gpus() >= 0
    with pytest.raises(ValueError, match="device_type"):
        mx.Context("tpu")
    with pytest.raises(ValueError, match="device_id"):
        mx.cpu(-1)


def test_missing_gpu_raises_clear_error():
    if mx.context.num_gpus() > 0:
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match=r"gpu\(0\) is not available.*available devices"):
        nd.array([1.0], ctx=mx.gpu(0))
    with pytest.raises(ValueError, match="not available"):
        nd.ones((2,)).as_in_context(mx.gpu(0))


def test_with_block_sets_default_context():
    with mx.cpu(0):
        assert mx.current_context() == mx.cpu(0)
        assert nd.zeros((1,)).context == mx.cpu(0)
    with mx.cpu(99):  # any CPU id is valid, as in MXNet
        assert mx.current_context() == mx.cpu(99)


_MULTI = textwrap.dedent(
    """
    import numpy as np
    import mxjax as mx
    from mxjax import autograd, nd
    import jax
    assert len(jax.devices("cpu")) == 4
    x = nd.array([1.0, 2.0], ctx=mx.cpu(2))
    assert x.context == mx.cpu(2), x.context
    assert x.jax.devices() == {jax.devices("cpu")[2]}
    y = x.as_in_context(mx.cpu(1))
    assert y.context == mx.cpu(1) and x.context == mx.cpu(2)
    assert x.copyto(mx.cpu(3)).context == mx.cpu(3)
    with mx.cpu(3):
        assert nd.zeros((2,)).context == mx.cpu(3)
        assert nd.random.uniform(shape=(2,)).context == mx.cpu(3)
        assert mx.current_context() == mx.cpu(3)
    assert mx.current_context() == mx.cpu(0)
    x.attach_grad()
    with autograd.record():
        z = (x.as_in_context(mx.cpu(1)) * 3).sum()
    z.backward()
    assert np.allclose(x.grad.asnumpy(), 3.0)
    print("OK")
    """
)


def test_simulated_cpu_devices_in_subprocess():
    env = simulated_devices_env(4)
    r = subprocess.run(
        [sys.executable, "-c", _MULTI], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and "OK" in r.stdout, r.stderr[-3000:]


def test_array_data_lands_on_cpu0():
    x = nd.array(np.ones(3), ctx=mx.cpu(0))
    assert x.context == mx.cpu(0)
