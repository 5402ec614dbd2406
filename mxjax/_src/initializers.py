"""Initializers with MXNet's names, defaults and parameter-name suffix rules.

An initializer is called as ``init(key, shape, dtype)`` and returns a
``jax.Array``. :func:`init_param` applies Gluon's rules: a parameter-specific
initializer is used as given; otherwise the global initializer applies its
suffix rules (``*bias``, ``*beta``, ``*running_mean`` get 0; ``*gamma``,
``*running_var`` get 1; ``*weight`` gets the initializer's distribution).

Values are drawn on the host with NumPy's generator, seeded by the words of
the JAX ``key`` (MXNet draws initial values on the host too). No XLA program
is compiled per parameter shape, so ``initialize()`` of a large network takes
milliseconds per parameter. The same key gives the same values eagerly and
under ``jax.jit``/``jax.vmap`` (there through a host callback), and the facade
derives its generators from ``mx.random.seed``, so initial values are
reproducible.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.host_random import _filled, _normal, _uniform, host_call, host_rng

Shape = Sequence[int]

__all__ = [
    "Bilinear",
    "Constant",
    "InitDesc",
    "Initializer",
    "LSTMBias",
    "MSRAPrelu",
    "Normal",
    "One",
    "Orthogonal",
    "Uniform",
    "Xavier",
    "Zero",
    "create",
    "host_rng",
    "init_param",
]


@dataclasses.dataclass(frozen=True)
class Initializer:
    """Base class of initializers.

    Subclasses implement :meth:`sample`, the distribution used for weights, as
    NumPy code on a ``numpy.random.Generator`` (fast: no XLA compilation per
    shape), or override :meth:`generate` to draw with a JAX key, or MXNet's
    ``_init_weight(name, arr)``. Calling an initializer object is the same as
    :meth:`generate`.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.One()(jax.random.key(0), (2,), "float32").tolist()
        [1.0, 1.0]
    """

    def __init__(self, **kwargs: Any):
        # MXNet-style subclasses call ``super().__init__(**kwargs)``: kept for dumps().
        object.__setattr__(self, "_init_kwargs", dict(kwargs))

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """Returns a NumPy array of ``shape`` drawn from ``rng`` (float32 or ``dtype``)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement sample(), generate() or _init_weight()"
        )

    def generate(self, key: jax.Array, shape: Shape, dtype: Any) -> jax.Array:
        """Returns a new array of ``shape`` and ``dtype`` drawn with ``key``.

        The default draws :meth:`sample` on the host from a generator seeded by
        ``key`` (see :func:`host_rng`), or runs an MXNet-style
        ``_init_weight(name, arr)`` of a subclass on a zero NDArray (the key is
        then unused).
        """
        if type(self).sample is not Initializer.sample:
            return host_call(self.sample, key, shape, dtype)
        if type(self)._init_weight is Initializer._init_weight:
            raise NotImplementedError(
                f"{type(self).__name__} must implement sample(), generate() or _init_weight()"
            )
        from mxjax._src.nd.creation import zeros

        arr = zeros(tuple(shape), dtype=dtype)
        self._init_weight(InitDesc("weight"), arr)
        return arr.jax

    def __call__(self, key: Any, shape: Any, dtype: Any = jnp.float32) -> Any:
        if isinstance(key, str) and hasattr(shape, "shape") and not isinstance(shape, tuple):
            # MXNet's interface: init(desc, arr) fills the NDArray ``arr`` in place.
            value = self.init_named(str(key), _host_key(), shape.shape, shape.dtype)
            shape[:] = value
            return None
        return self.generate(self._key_for(key), tuple(int(s) for s in shape), jnp.dtype(dtype))

    def _key_for(self, key: Any) -> Any:
        # A NumPy generator serves initializers that draw on the host (sample); one
        # that only implements generate() gets a JAX key drawn from it.
        if isinstance(key, np.random.Generator) and type(self).sample is Initializer.sample:
            return jax.random.key(int(key.integers(2**31 - 1)))
        return key

    # ---------------------------------------------------------- MXNet's interface
    @property
    def _kwargs(self) -> dict:
        """The constructor arguments, JSON-ready (MXNet's ``Initializer._kwargs``)."""
        if dataclasses.is_dataclass(self) and dataclasses.fields(self):
            kw = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        else:
            kw = dict(getattr(self, "_init_kwargs", {}))
        return {k: _jsonable(v) for k, v in kw.items()}

    def dumps(self) -> str:
        """The initializer as MXNet's JSON string ``'["name", {kwargs}]'``.

        Examples:
            >>> from mxjax import init
            >>> init.Constant(1).dumps()
            '["constant", {"value": 1}]'
        """
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def _init_weight(self, name: Any, arr: Any) -> None:
        """MXNet's hook: fills NDArray ``arr`` in place with this initializer's values.

        Examples:
            >>> from mxjax import init, nd
            >>> w = nd.zeros((2,))
            >>> init.Constant(3.0)._init_weight("w", w)
            >>> w.asnumpy().tolist()
            [3.0, 3.0]
        """
        arr[:] = self.generate(self._key_for(_host_key()), tuple(arr.shape), jnp.dtype(arr.dtype))

    def init_named(self, name: str, key: jax.Array, shape: Shape, dtype: Any) -> jax.Array:
        """Initializes a parameter by Gluon's suffix rules for global initializers.

        Args:
            name: the parameter name (``weight``, ``dense0_bias`` ...).
            key: PRNG key, or a ``numpy.random.Generator``.
            shape: parameter shape.
            dtype: parameter dtype.

        Returns:
            The initialized array.

        Raises:
            ValueError: if the name matches none of MXNet's known suffixes.

        Examples:
            >>> import jax
            >>> from mxjax import init
            >>> init.Uniform(0.07).init_named("fc_bias", jax.random.key(0), (3,), "float32").tolist()
            [0.0, 0.0, 0.0]
        """
        shape = tuple(int(s) for s in shape)
        dtype = jnp.dtype(dtype)
        for suffix in ("weight",):
            if name.endswith(suffix):
                return self.generate(self._key_for(key), shape, dtype)
        for suffix in (
            "bias",
            "beta",
            "running_mean",
            "moving_mean",
            "moving_inv_var",
            "min",
            "max",
        ):
            if name.endswith(suffix):
                return _filled(shape, dtype, 0.0)
        for suffix in ("gamma", "running_var", "moving_var", "alpha"):
            if name.endswith(suffix):
                if suffix == "alpha":  # PReLU slope: MXNet's default init is Constant(0.25)
                    return _filled(shape, dtype, 0.25)
                return _filled(shape, dtype, 1.0)
        raise ValueError(
            f"Unknown initialization pattern for parameter {name!r}: expected a name ending in "
            "weight, bias, gamma, beta, running_mean or running_var; give the parameter its own "
            "initializer instead."
        )


@dataclasses.dataclass(frozen=True)
class Zero(Initializer):
    """Initializes to zero.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.Zero()(jax.random.key(0), (2,)).tolist()
        [0.0, 0.0]
    """

    def sample(self, rng, shape, dtype):
        return np.zeros(shape, dtype)


@dataclasses.dataclass(frozen=True)
class One(Initializer):
    """Initializes to one.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.One()(jax.random.key(0), (2,)).tolist()
        [1.0, 1.0]
    """

    def sample(self, rng, shape, dtype):
        return np.ones(shape, dtype)


@dataclasses.dataclass(frozen=True)
class Constant(Initializer):
    """Initializes to a constant ``value``.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.Constant(0.5)(jax.random.key(0), (2,)).tolist()
        [0.5, 0.5]
    """

    value: Any = 0.0

    def __post_init__(self):
        v = self.value
        if not np.isscalar(v) and not isinstance(v, (int, float)):
            v = np.asarray(v.asnumpy() if hasattr(v, "asnumpy") else v)
            object.__setattr__(self, "value", _Frozen(v))

    def sample(self, rng, shape, dtype):
        v = self.value.array if isinstance(self.value, _Frozen) else self.value
        return np.broadcast_to(np.asarray(v, dtype), shape).copy()


@dataclasses.dataclass(frozen=True)
class Uniform(Initializer):
    """Uniform on ``[-scale, scale]``; ``Uniform(0.07)`` is Gluon's global default.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> w = init.Uniform(0.1)(jax.random.key(0), (100,))
        >>> bool(abs(w).max() <= 0.1)
        True
    """

    scale: float = 0.07

    def sample(self, rng, shape, dtype):
        return _uniform(rng, shape, self.scale)


@dataclasses.dataclass(frozen=True)
class Normal(Initializer):
    """Normal with mean 0 and standard deviation ``sigma``.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.Normal(0.01)(jax.random.key(0), (3, 4)).shape
        (3, 4)
    """

    sigma: float = 0.01

    def sample(self, rng, shape, dtype):
        return _normal(rng, shape, self.sigma)


def _fans(shape: tuple[int, ...], name: str) -> tuple[float, float]:
    if len(shape) < 2:
        raise ValueError(
            f"{name} needs a parameter with at least 2 dimensions (out, in, ...); "
            f"received shape {shape}. Use Zero/Constant/Uniform for 1-D parameters."
        )
    hw = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
    return shape[1] * hw, shape[0] * hw


@dataclasses.dataclass(frozen=True)
class Xavier(Initializer):
    """Xavier/Glorot initialization with MXNet's options.

    ``scale = sqrt(magnitude / factor)`` where factor is the fan-in, fan-out or
    their average; uniform on ``[-scale, scale]`` or normal with std ``scale``.

    Args:
        rnd_type: ``'uniform'`` or ``'gaussian'``.
        factor_type: ``'avg'``, ``'in'`` or ``'out'``.
        magnitude: scale factor.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> w = init.Xavier()(jax.random.key(0), (64, 32))
        >>> bool(abs(w).max() <= (3 / 48) ** 0.5)
        True
    """

    rnd_type: str = "uniform"
    factor_type: str = "avg"
    magnitude: float = 3.0

    def __post_init__(self):
        if self.rnd_type not in ("uniform", "gaussian"):
            raise ValueError(
                f"Xavier rnd_type must be 'uniform' or 'gaussian'; received {self.rnd_type!r}"
            )
        if self.factor_type not in ("avg", "in", "out"):
            raise ValueError(
                f"Xavier factor_type must be 'avg', 'in' or 'out'; received {self.factor_type!r}"
            )

    def generate(self, key, shape, dtype):
        _fans(tuple(int(s) for s in shape), type(self).__name__)  # validate before any draw
        return super().generate(key, shape, dtype)

    def sample(self, rng, shape, dtype):
        fan_in, fan_out = _fans(shape, type(self).__name__)
        factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}[self.factor_type]
        scale = math.sqrt(self.magnitude / factor)
        if self.rnd_type == "uniform":
            return _uniform(rng, shape, scale)
        return _normal(rng, shape, scale)


@dataclasses.dataclass(frozen=True)
class MSRAPrelu(Xavier):
    """He/MSRA initialization for PReLU networks: Xavier gaussian, magnitude ``2/(1+slope^2)``.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.MSRAPrelu()(jax.random.key(0), (8, 4, 3, 3)).shape
        (8, 4, 3, 3)
    """

    rnd_type: str = dataclasses.field(default="gaussian", init=False)
    factor_type: str = "avg"
    slope: float = 0.25
    magnitude: float = dataclasses.field(default=0.0, init=False)

    def __post_init__(self):
        object.__setattr__(self, "magnitude", 2.0 / (1 + self.slope**2))
        super().__post_init__()


@dataclasses.dataclass(frozen=True)
class Orthogonal(Initializer):
    """Orthogonal matrix scaled by ``scale`` (Saxe et al.), as in MXNet.

    Args:
        scale: multiplier of the orthogonal matrix.
        rand_type: ``'uniform'`` or ``'normal'`` draw before the SVD.

    Examples:
        >>> import jax, numpy as np
        >>> from mxjax import init
        >>> w = np.asarray(init.Orthogonal(scale=1.0)(jax.random.key(0), (4, 4)))
        >>> bool(np.allclose(w @ w.T, np.eye(4), atol=1e-5))
        True
    """

    scale: float = 1.414
    rand_type: str = "uniform"

    def __post_init__(self):
        if self.rand_type not in ("uniform", "normal"):
            raise ValueError(
                f"Orthogonal rand_type must be 'uniform' or 'normal'; received {self.rand_type!r}"
            )

    def generate(self, key, shape, dtype):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal needs at least 2 dimensions; received shape {shape}")
        return super().generate(key, shape, dtype)

    def sample(self, rng, shape, dtype):
        nout, nin = shape[0], int(np.prod(shape[1:]))
        if self.rand_type == "uniform":
            tmp = rng.uniform(-1.0, 1.0, (nout, nin))
        else:
            tmp = rng.standard_normal((nout, nin))
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        return (self.scale * res.reshape(shape)).astype(np.float32)


@dataclasses.dataclass(frozen=True)
class LSTMBias(Initializer):
    """LSTM bias: zero except the forget gate, set to ``forget_bias`` (gate order i, f, c, o).

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.LSTMBias(1.0)(jax.random.key(0), (8,)).tolist()
        [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    """

    forget_bias: float = 1.0

    def generate(self, key, shape, dtype):
        if not shape or shape[0] % 4:
            raise ValueError(
                f"LSTMBias expects a bias of 4*num_hidden entries; received shape {shape}"
            )
        return super().generate(key, shape, dtype)

    def sample(self, rng, shape, dtype):
        h = shape[0] // 4
        value = np.zeros(shape, dtype)
        value[h : 2 * h] = self.forget_bias
        return value


@dataclasses.dataclass(frozen=True)
class Bilinear(Initializer):
    """Bilinear upsampling kernel for deconvolution weights ``(out, in, h, w)`` (MXNet's ``Bilinear``).

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.Bilinear()(jax.random.key(0), (1, 1, 1, 4)).tolist()
        [[[[0.0625, 0.1875, 0.1875, 0.0625]]]]
    """

    def generate(self, key, shape, dtype):
        if len(shape) != 4:
            raise ValueError(f"Bilinear needs a 4-D (out, in, h, w) weight; received shape {shape}")
        return super().generate(key, shape, dtype)

    def sample(self, rng, shape, dtype):
        f = np.ceil(shape[3] / 2.0)
        c = (2 * f - 1 - f % 2) / (2.0 * f)
        i = np.arange(int(np.prod(shape)))
        x = i % shape[3]
        y = (i // shape[3]) % shape[2]
        w = (1 - np.abs(x / f - c)) * (1 - np.abs(y / f - c))
        return w.reshape(shape).astype(np.float32)


class InitDesc(str):
    """A parameter name with attributes, as MXNet passes it to initializers.

    Examples:
        >>> from mxjax import init
        >>> d = init.InitDesc("fc_weight", {"__init__": "zeros"})
        >>> d, d.attrs
        ('fc_weight', {'__init__': 'zeros'})
    """

    def __new__(cls, name: str, attrs: dict | None = None, global_init: Any = None):
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


class _Frozen:
    """A hashable read-only wrapper of an array-valued initializer argument."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray):
        self.array = np.array(array)
        self.array.setflags(write=False)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, _Frozen) and np.array_equal(self.array, other.array)

    def __hash__(self) -> int:
        return hash((self.array.shape, self.array.tobytes()))

    def __repr__(self) -> str:
        return repr(self.array.tolist())


def _host_key() -> np.random.Generator:
    """A generator seeded from NumPy's global one (MXNet's in-place interface has no key)."""
    return np.random.default_rng(int(np.random.randint(0, 2**31 - 1)))


def _jsonable(v: Any) -> Any:
    if isinstance(v, _Frozen):
        return v.array.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if hasattr(v, "asnumpy"):
        return v.asnumpy().tolist()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, Initializer):
        return v.dumps()
    return v


_REGISTRY: dict[str, type[Initializer]] = {
    "zero": Zero,
    "zeros": Zero,
    "one": One,
    "ones": One,
    "constant": Constant,
    "uniform": Uniform,
    "normal": Normal,
    "xavier": Xavier,
    "msraprelu": MSRAPrelu,
    "orthogonal": Orthogonal,
    "lstmbias": LSTMBias,
    "bilinear": Bilinear,
}


def create(spec: Any) -> Initializer:
    """Returns an :class:`Initializer` from an object, a name or a callable.

    Args:
        spec: an Initializer, a registered name (``'zeros'``, ``'xavier'`` ...),
            or a callable ``(key, shape, dtype) -> array``.

    Raises:
        ValueError: for an unknown name.
        TypeError: for anything else.

    Examples:
        >>> from mxjax import init
        >>> init.create("zeros")
        Zero()
    """
    if isinstance(spec, Initializer):
        return spec
    if isinstance(spec, str) and spec.lstrip().startswith("["):  # Initializer.dumps() output
        name, kwargs = json.loads(spec)
        cls = _REGISTRY.get(str(name).lower())
        if cls is None:
            raise ValueError(f"Unknown initializer {name!r}; expected one of {sorted(_REGISTRY)}")
        return cls(**kwargs)
    if isinstance(spec, str):
        cls = _REGISTRY.get(spec.lower())
        if cls is None:
            raise ValueError(f"Unknown initializer {spec!r}; expected one of {sorted(_REGISTRY)}")
        return cls()
    if callable(spec):
        return _Callable(spec)
    raise TypeError(
        f"Expected an Initializer, a name or a callable; received {type(spec).__name__}"
    )


@dataclasses.dataclass(frozen=True)
class _Callable(Initializer):
    fn: Any = None

    def generate(self, key, shape, dtype):
        return jnp.asarray(self.fn(key, shape, dtype), dtype)


@dataclasses.dataclass(frozen=True, eq=False)
class _Value(Initializer):
    """A fixed array (Gluon's ``Constant`` parameter)."""

    value: Any = None

    def sample(self, rng, shape, dtype):
        return np.broadcast_to(np.asarray(self.value, dtype), shape).copy()


def init_param(
    name: str,
    key: jax.Array,
    shape: Shape,
    dtype: Any,
    specific: Any = None,
    default: Any = None,
) -> jax.Array:
    """Initializes one parameter with Gluon's precedence rules.

    ``key`` is a JAX key or a ``numpy.random.Generator``.

    A parameter-specific initializer (``weight_initializer=...`` on a layer)
    wins and is applied as is; otherwise the global initializer ``default``
    (``Uniform(0.07)`` when None) applies its suffix rules to ``name``.

    Examples:
        >>> import jax
        >>> from mxjax import init
        >>> init.init_param("gamma", jax.random.key(0), (2,), "float32").tolist()
        [1.0, 1.0]
    """
    if specific is not None:
        return create(specific)(key, shape, dtype)
    glob = create(default) if default is not None else Uniform(0.07)
    return glob.init_named(name, key, shape, dtype)
