"""Random initial values drawn on the host with NumPy, seeded by a JAX key.

A NumPy generator seeded by the words of a concrete key draws the values,
which are then placed on the device: nothing is compiled per shape. Under
``jax.jit``/``jax.vmap`` (a traced key) the same draw runs in a host
callback, so a key gives the same values in both cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["copy_array", "host_call", "host_rng", "key_from_seed", "to_device"]

Shape = Sequence[int]


def _host_dtype(dtype: Any) -> np.dtype:
    """The NumPy dtype a jax array of ``dtype`` has (ml_dtypes for bfloat16; x64 rules)."""
    return np.dtype(jax.dtypes.canonicalize_dtype(jnp.dtype(dtype)))


def _filled(shape: tuple[int, ...], dtype: Any, value: float) -> jax.Array:
    # Filled on the host and transferred: jnp.full compiles a program per shape.
    return jax.device_put(np.full(shape, value, _host_dtype(dtype)))


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], scale: float) -> np.ndarray:
    u = rng.random(shape, dtype=np.float32)
    u -= np.float32(0.5)
    u *= np.float32(2.0 * scale)
    return u


def _normal(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    z = rng.standard_normal(shape, dtype=np.float32)
    z *= np.float32(sigma)
    return z


def _key_words(key: Any) -> Any:
    """The raw uint32 words of a typed (``jax.random.key``) or legacy (``PRNGKey``) key."""
    if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        return jax.random.key_data(key)
    return key


def copy_array(a: jax.Array) -> jax.Array:
    """A copy of ``a`` in a new buffer on the same device, compiling nothing.

    ``jnp.array(a, copy=True)`` and ``a.copy()`` compile a program per shape.

    Examples:
        >>> import jax, numpy as np
        >>> from mxjax._src.host_random import copy_array
        >>> a = jax.device_put(np.arange(3.0))
        >>> b = copy_array(a)
        >>> b.tolist(), b.unsafe_buffer_pointer() != a.unsafe_buffer_pointer()
        ([0.0, 1.0, 2.0], True)
    """
    return jax.device_put(a, may_alias=False)


def to_device(a: Any) -> jax.Array:
    """``a`` as a ``jax.Array``: a NumPy array is transferred, compiling nothing.

    ``jnp.asarray`` of a host array compiles a program per shape on JAX >= 0.10.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.host_random import to_device
        >>> to_device(np.arange(3)).tolist()
        [0, 1, 2]
    """
    if isinstance(a, (np.ndarray, np.generic)):
        return jax.device_put(a)
    return jnp.asarray(a)


def host_cast(a: Any, dtype: Any, device: Any = None) -> jax.Array:
    """``a`` as a device array of ``dtype``, converted on the host when the dtype changes.

    ``astype`` on the device and ``jnp.asarray`` of a host array compile a program
    per shape. With ``device`` the result is committed to it.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.host_random import host_cast
        >>> b = host_cast(np.arange(3), "float16")
        >>> str(b.dtype), b.tolist()
        ('float16', [0.0, 1.0, 2.0])
    """
    dtype = np.dtype(dtype)
    if not (isinstance(a, jax.Array) and a.dtype == dtype):
        a = np.asarray(jax.device_get(a)).astype(dtype, copy=False)
    if device is not None:
        return jax.device_put(a, device)
    return a if isinstance(a, jax.Array) else jax.device_put(a)


def key_from_seed(seed: int) -> jax.Array:
    """``jax.random.key(seed)`` without compiling JAX's seeding program.

    For the default threefry generator the key's words are ``[0, seed]``
    (``seed`` as a 32-bit word): they are wrapped on the host. Other
    generators, 64-bit mode and seeds outside 32 bits use ``jax.random.key``.

    Examples:
        >>> import jax
        >>> from mxjax._src.host_random import key_from_seed
        >>> k = key_from_seed(42)
        >>> bool((jax.random.key_data(k) == jax.random.key_data(jax.random.key(42))).all())
        True
    """
    seed = int(seed)
    if (
        -(2**31) <= seed < 2**31
        and not jax.config.jax_enable_x64
        and str(jax.config.jax_default_prng_impl) == "threefry2x32"
    ):
        return jax.random.wrap_key_data(np.array([0, seed & 0xFFFFFFFF], np.uint32))
    return jax.random.key(seed)


def host_rng(key: Any) -> np.random.Generator:
    """A NumPy generator seeded by the words of a concrete JAX ``key``.

    Initializers draw on the host from this generator: the same key always
    gives the same values, different keys give independent streams, and no
    XLA program is compiled per parameter shape.

    Args:
        key: a ``jax.random.key`` (or legacy ``PRNGKey``) that is not traced.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> a = init.host_rng(jax.random.key(3)).random()
        >>> a == init.host_rng(jax.random.key(3)).random()
        True
    """
    words = np.asarray(_key_words(key), dtype=np.uint32).ravel()
    return np.random.default_rng([int(w) for w in words])


def host_call(sample: Any, key: Any, shape: Shape, dtype: Any) -> jax.Array:
    """Runs ``sample(rng, shape, dtype) -> np.ndarray`` seeded by ``key``; returns a jax array.

    ``key`` is a JAX key or a ``numpy.random.Generator`` (used as is).
    Concrete keys draw at once on the host; a traced key (``jax.jit``,
    ``jax.vmap``, ``jax.eval_shape`` of an ``init``) draws in a host callback,
    so a key gives the same values in both cases.
    """
    shape = tuple(int(s) for s in shape)
    out = _host_dtype(dtype)

    def draw(words):
        rng = np.random.default_rng([int(w) for w in np.asarray(words).ravel()])
        return np.asarray(sample(rng, shape, out), dtype=out)

    if isinstance(key, np.random.Generator):
        return jax.device_put(np.asarray(sample(key, shape, out), dtype=out))
    words = _key_words(key)
    traced = isinstance(words, jax.core.Tracer)  # checked first: converting one builds
    if not traced:  # an error message that walks the whole trace
        try:
            words = np.asarray(words, dtype=np.uint32)
        except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
            traced = True
    if traced:
        return jax.pure_callback(
            draw, jax.ShapeDtypeStruct(shape, out), words, vmap_method="sequential"
        )
    # device_put, not jnp.asarray: on JAX >= 0.10 the latter compiles a program per shape.
    return jax.device_put(draw(words))
