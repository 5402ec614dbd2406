"""The environment of a subprocess that simulates several CPU devices."""

import os


def simulated_devices_env(count: int, env=None, **extra) -> dict:
    """A copy of ``env`` (``os.environ`` if None) with ``count`` simulated CPU devices.

    The device flag joins the ``XLA_FLAGS`` already there (the suite's compile flags,
    see the root ``conftest.py``), replacing an earlier device count; ``JAX_PLATFORMS``
    is ``cpu``; ``extra`` adds more variables.
    """
    out = dict(os.environ if env is None else env, **extra)
    flags = [
        f
        for f in out.get("XLA_FLAGS", "").split()
        if not f.startswith("--xla_force_host_platform_device_count=")
    ]
    flags.append(f"--xla_force_host_platform_device_count={count}")
    out["XLA_FLAGS"] = " ".join(flags)
    out["JAX_PLATFORMS"] = "cpu"
    return out
