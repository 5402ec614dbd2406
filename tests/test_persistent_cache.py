"""The persistent compilation cache: on by default, a second process reuses it, the
``MXJAX_CACHE_DIR`` switch, a user's own JAX setting wins, ``clear``."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

import mxjax as mx

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import jax
    events = {}
    def count(name, *args, **kwargs):
        events[name] = events.get(name, 0) + 1
    jax.monitoring.register_event_listener(count)
    import mxjax as mx
    from mxjax import layers as L
    import jax.numpy as jnp
    net = L.Dense(3)
    x = jnp.ones((2, 4))
    params, state = net.init(jax.random.key(0), x)
    y = jax.jit(lambda p, x: net.apply(p, {}, x)[0])(params, x)
    y.block_until_ready()
    print(json.dumps({"dir": mx.persistent_cache.directory(),
                      "hits": events.get("/jax/compilation_cache/cache_hits", 0),
                      "misses": events.get("/jax/compilation_cache/cache_misses", 0)}))
    """
)


def _run(env_updates, pre=""):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_COMP", "MXJAX_CH"))}
    env.update(env_updates)
    env["PYTHONPATH"] = _ROOT + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", pre + _SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_second_process_reuses_the_cache(tmp_path):
    d = str(tmp_path / "cache")
    first = _run({"MXJAX_CACHE_DIR": d})
    assert first["dir"] == d
    assert first["misses"] > 0
    assert any(name.endswith("-cache") for name in os.listdir(d))
    second = _run({"MXJAX_CACHE_DIR": d})
    assert second["misses"] == 0
    assert second["hits"] >= first["misses"]
    assert mx.persistent_cache.clear(d) > 0
    assert not any(name.endswith("-cache") for name in os.listdir(d))


def test_default_folder_off_switch_and_user_setting(tmp_path):
    xdg = str(tmp_path / "xdg")
    default = _run({"XDG_CACHE_HOME": xdg, "MXJAX_CACHE_DIR": ""})
    assert default["dir"] == os.path.join(xdg, "mxjax", "jax")
    assert _run({"MXJAX_CACHE_DIR": "off"})["dir"] is None
    mine = str(tmp_path / "mine")
    # a user's JAX setting (environment, or jax.config before importing mxjax) wins
    assert _run({"MXJAX_CACHE_DIR": "", "JAX_COMPILATION_CACHE_DIR": mine})["dir"] == mine
    pre = f"import jax; jax.config.update('jax_compilation_cache_dir', {mine!r})\n"
    assert _run({"MXJAX_CACHE_DIR": str(tmp_path / "other")}, pre=pre)["dir"] == mine


def test_enable_disable_in_process(tmp_path):
    before = mx.persistent_cache.directory()
    try:
        assert mx.persistent_cache.enable(str(tmp_path)) == str(tmp_path)
        assert mx.persistent_cache.directory() == str(tmp_path)
        mx.persistent_cache.disable()
        assert mx.persistent_cache.directory() is None
    finally:
        if before:
            mx.persistent_cache.enable(before)


@pytest.mark.parametrize("value", ["off", "OFF", "0", "none"])
def test_off_values(value, monkeypatch):
    from mxjax._src import persistent_cache

    monkeypatch.setenv("MXJAX_CACHE_DIR", value)
    assert persistent_cache._requested() is None
