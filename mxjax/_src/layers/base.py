"""The functional layer contract: frozen dataclasses with pure ``init``/``apply``.

::

    params, state = layer.init(key, *example_inputs)
    outputs, state = layer.apply(params, state, *inputs, key=None, train=False)

``params`` and ``state`` are nested dicts of ``jax.Array``; joining their keys
with ``.`` gives the names MXNet Gluon's ``save_parameters`` writes.
"""

from __future__ import annotations

import dataclasses
import functools
import zlib
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import initializers
from mxjax._src.errors import describe
from mxjax._src.host_eval import host_eval

Params = dict[str, Any]
State = dict[str, Any]

__all__ = [
    "Composite",
    "Layer",
    "Params",
    "Scope",
    "State",
    "flatten_names",
    "layer",
    "unflatten_names",
]


_TRACE_ERRORS = (
    jax.errors.ConcretizationTypeError,
    jax.errors.TracerArrayConversionError,
    jax.errors.TracerIntegerConversionError,
)


def _on_the_host(init):
    """``init`` run through ``host_eval`` when called eagerly on a concrete key and arrays."""

    @functools.wraps(init)
    def run(self, key, *inputs, **kwargs):
        concrete = (jax.Array, np.ndarray)
        eager = all(
            isinstance(a, concrete) and not isinstance(a, jax.core.Tracer) for a in (key, *inputs)
        )
        if eager:
            try:
                return host_eval(lambda k, *xs: init(self, k, *xs, **kwargs), key, *inputs)
            except _TRACE_ERRORS:
                pass  # an init that reads its example's values runs eagerly below
        return init(self, key, *inputs, **kwargs)

    return run


def layer(cls):
    """Class decorator: a frozen, hashable dataclass (use on every Layer subclass).

    Examples:
        >>> from mxjax import layers as L
        >>> @L.layer
        ... class Scale(L.Layer):
        ...     factor: float = 2.0
        ...     def apply(self, params, state, x, key=None, train=False):
        ...         return x * self.factor, state
        >>> hash(Scale(3.0)) == hash(Scale(3.0))
        True
    """
    return dataclasses.dataclass(frozen=True, eq=True, repr=True)(cls)


@layer
class Layer:
    """Base class of functional layers.

    Subclasses are frozen dataclasses (decorate them with :func:`layer`) that
    hold hyperparameters only and implement :meth:`init` and :meth:`apply`.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> net = L.Dense(3)
        >>> params, state = net.init(jax.random.key(0), jnp.ones((2, 5)))
        >>> y, state = net.apply(params, state, jnp.ones((2, 5)))
        >>> y.shape
        (2, 3)
    """

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if "init" in cls.__dict__:
            cls.init = _on_the_host(cls.__dict__["init"])

    def init(self, key: jax.Array, *inputs: Any, initializer: Any = None) -> tuple[Params, State]:
        """Creates ``(params, state)`` for the given example inputs.

        Called eagerly (a concrete key and example arrays), the whole
        initialization runs on the host (``host_eval``): keys are split and
        initial values drawn with NumPy, the shape-inferring forward pass is
        skipped, and no XLA program is compiled. The values are those of
        ``jax.jit(layer.init)``. Under a trace it runs as written.

        Args:
            key: a PRNG key (``jax.random.key``).
            *inputs: example inputs; input sizes are inferred from them.
            initializer: the global initializer for parameters without their
                own (Gluon's ``initialize(init=...)``); ``Uniform(0.07)`` if None.
        """
        del key, inputs, initializer
        return {}, {}

    def apply(
        self,
        params: Params,
        state: State,
        *inputs: Any,
        key: jax.Array | None = None,
        train: bool = False,
    ) -> tuple[Any, State]:
        """Runs the layer. Pure: returns ``(outputs, new_state)``."""
        raise NotImplementedError(f"{type(self).__name__} must implement apply()")

    # ----------------------------------------------------------------- helpers
    @property
    def name(self) -> str:
        """The layer's class name, used in error messages."""
        return type(self).__name__

    def make_param(
        self,
        key: jax.Array,
        name: str,
        shape: tuple[int, ...],
        specific: Any = None,
        initializer: Any = None,
        dtype: Any = None,
    ) -> jax.Array:
        """Initializes parameter ``name`` with Gluon's initializer precedence."""
        dtype = dtype if dtype is not None else getattr(self, "dtype", "float32")
        return initializers.init_param(name, key, shape, dtype, specific, initializer)

    def check_input(
        self,
        x: Any,
        *,
        ndim: int | tuple[int, ...] | None = None,
        min_ndim: int | None = None,
        floating: bool = True,
        what: str = "input",
    ) -> jax.Array:
        """Validates an input array; raises TypeError/ValueError naming this layer."""
        if not hasattr(x, "shape") or not hasattr(x, "dtype"):
            if isinstance(x, (int, float, list, tuple, np.number)):
                x = jnp.asarray(x)
            else:
                raise TypeError(f"{self.name}: expected an array {what}; received {describe(x)}")
        if floating and not jnp.issubdtype(x.dtype, jnp.floating):
            raise TypeError(
                f"{self.name}: expected a floating-point {what}; received dtype {x.dtype}. "
                f"Cast it first, e.g. x.astype('float32')."
            )
        if ndim is not None:
            allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
            if x.ndim not in allowed:
                exp = " or ".join(f"{d}-D" for d in allowed)
                raise ValueError(
                    f"{self.name}: expected a {exp} {what}; received shape {tuple(x.shape)}"
                )
        if min_ndim is not None and x.ndim < min_ndim:
            raise ValueError(
                f"{self.name}: expected an {what} with at least {min_ndim} dimensions; received shape {tuple(x.shape)}"
            )
        return x

    def require_key(self, key: jax.Array | None, train: bool) -> None:
        """Raises a clear error when ``train=True`` and no PRNG key was given."""
        if train and key is None:
            raise ValueError(
                f"{self.name} needs a PRNG key when train=True: call "
                f"apply(params, state, x, key=jax.random.key(seed), train=True), or train=False for inference."
            )


class Scope:
    """Calls named child layers inside :meth:`Composite.forward`.

    ``scope(name, child, *inputs, **kwargs)`` initializes the child under
    ``params[name]`` (during ``init``) or applies it (during ``apply``) and
    returns its outputs.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> scope = L.Scope("init", jax.random.key(0), train=False)
        >>> scope("fc", L.Dense(2), jnp.ones((1, 3))).shape
        (1, 2)
        >>> sorted(scope.params["fc"])
        ['bias', 'weight']
    """

    def __init__(self, mode: str, key, train: bool, params=None, state=None, initializer=None):
        self.mode = mode
        self.key = key
        self.train = train
        self.params: Params = {} if params is None else params
        self.state: State = {} if state is None else dict(state)
        self.initializer = initializer
        self._layers: dict[str, Layer] = {}
        self._calls: dict[str, int] = {}

    def _child_key(self, name: str):
        if self.key is None:
            return None
        count = self._calls.get(name, 0)
        return jax.random.fold_in(self.key, (zlib.crc32(name.encode()) + count) & 0x7FFFFFFF)

    def __call__(self, name: str, child: Layer, *inputs: Any, **kwargs: Any) -> Any:
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"scope(name, layer, ...): name must be a non-empty string; received {name!r}"
            )
        if not isinstance(child, Layer):
            raise TypeError(f"scope({name!r}, ...): expected a Layer; received {describe(child)}")
        prev = self._layers.get(name)
        if prev is not None and prev != child:
            raise ValueError(
                f"child name {name!r} is used for two different layers: {prev} and {child}"
            )
        self._layers[name] = child
        key = self._child_key(name)
        self._calls[name] = self._calls.get(name, 0) + 1
        if self.mode == "init":
            if prev is None:
                ikey = key if key is not None else jax.random.key(0)
                p, s = child.init(ikey, *inputs, initializer=self.initializer)
                if p:
                    self.params[name] = p
                if s:
                    self.state[name] = s
            out, s = child.apply(
                self.params.get(name, {}), self.state.get(name, {}), *inputs, **kwargs
            )
        else:
            out, s = child.apply(
                self.params.get(name, {}),
                self.state.get(name, {}),
                *inputs,
                key=key,
                train=self.train,
                **kwargs,
            )
            if s:
                self.state[name] = s
        return out


@layer
class Composite(Layer):
    """Base class for layers built from named children (non-sequential models).

    Subclasses hold their children as fields and implement
    ``forward(scope, *inputs)``, calling ``scope(name, child, *inputs)``. The
    parameter tree nests each child's tree under its name, exactly as Gluon
    names a child block assigned to an attribute (``fc.weight``).

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> @L.layer
        ... class Residual(L.Composite):
        ...     body: L.Layer
        ...     def forward(self, scope, x):
        ...         return x + scope("body", self.body, x)
        >>> net = Residual(L.Dense(4, flatten=False))
        >>> params, state = net.init(jax.random.key(0), jnp.ones((2, 4)))
        >>> sorted(L.flatten_names(params))
        ['body.bias', 'body.weight']
    """

    def forward(self, scope: Scope, *inputs: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(scope, *inputs)")

    def init(self, key, *inputs, initializer=None):
        scope = Scope("init", key, False, initializer=initializer)
        self.forward(scope, *inputs)
        return scope.params, scope.state

    def apply(self, params, state, *inputs, key=None, train=False, **kwargs):
        scope = Scope("apply", key, train, params=params, state=state)
        out = self.forward(scope, *inputs, **kwargs)
        return out, scope.state


def flatten_names(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flattens a nested dict to ``{'0.weight': array, ...}`` (Gluon's names).

    Examples:
        >>> from mxjax import layers as L
        >>> L.flatten_names({"0": {"weight": 1, "bias": 2}})
        {'0.weight': 1, '0.bias': 2}
    """
    out: dict[str, Any] = {}
    for k, v in tree.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten_names(v, name + "."))
        else:
            out[name] = v
    return out


def unflatten_names(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`flatten_names`.

    Examples:
        >>> from mxjax import layers as L
        >>> L.unflatten_names({"0.weight": 1, "0.bias": 2})
        {'0': {'weight': 1, 'bias': 2}}
    """
    out: dict[str, Any] = {}
    for name, v in flat.items():
        node = out
        *parents, leaf = name.split(".")
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ValueError(f"name {name!r} clashes with a parameter named {p!r}")
        node[leaf] = v
    return out
