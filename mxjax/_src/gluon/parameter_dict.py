"""Gluon's ``ParameterDict`` and loading ``.params`` values into Parameters."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import initializers
from mxjax._src.errors import CheckError
from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.parameter import (
    Constant,
    Parameter,
    _ctx_list,
    _dtype_type,
    _known,
    _merge_shapes,
    _norm_shape,
)
from mxjax._src.host_random import host_cast

__all__ = ["ParameterDict"]

# Arguments MXNet's Parameter keeps in private attributes: ParameterDict.get never compares
# them with an existing parameter's (``init`` is compared there; mxjax's layers pass their
# own defaults, so it is not).
_PRIVATE_IN_MXNET = ("init", "allow_deferred_init", "stype", "grad_stype", "differentiable")


class ParameterDict:
    """An ordered dict of Parameters sharing a name prefix (Gluon's ParameterDict).

    Args:
        prefix: prepended to names given to :meth:`get`.
        shared: a ParameterDict whose parameters :meth:`get` reuses.

    Examples:
        >>> import mxjax as mx
        >>> pd = mx.gluon.ParameterDict("net_")
        >>> w = pd.get("weight", shape=(2, 2))
        >>> w.name, list(pd.keys())
        ('net_weight', ['net_weight'])
    """

    def __init__(self, prefix: str = "", shared: ParameterDict | None = None):
        self._prefix = prefix
        self._params: OrderedDict[str, Parameter] = OrderedDict()
        self._shared = shared

    def __repr__(self) -> str:
        body = "\n".join(f"  {p!r}" for p in self._params.values())
        return f"{self._prefix} (\n{body}\n)"

    @property
    def prefix(self) -> str:
        """The name prefix."""
        return self._prefix

    def __getitem__(self, key: str) -> Parameter:
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, key: str) -> bool:
        return key in self._params

    def items(self):
        """``(name, Parameter)`` pairs."""
        return self._params.items()

    def keys(self):
        """Parameter names."""
        return self._params.keys()

    def values(self):
        """Parameters."""
        return self._params.values()

    def _get_impl(self, name: str) -> Parameter | None:
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name: str, **kwargs: Any) -> Parameter:
        """Returns ``prefix + name``, creating it with ``kwargs`` if absent.

        Raises:
            ValueError: when an existing parameter has a conflicting attribute (also an
                ``AssertionError``, as in MXNet).
        """
        full = self._prefix + name
        param = self._get_impl(full)
        if param is None:
            param = Parameter(full, **kwargs)
            self._params[full] = param
            return param
        for k, v in kwargs.items():
            if k == "shape" and v is not None:
                merged = _merge_shapes(param.shape, _norm_shape(v))
                if merged is None:
                    raise CheckError(
                        f"ParameterDict.get: parameter {full!r} exists with shape "
                        f"{param.shape}; received incompatible shape {tuple(v)}"
                    )
                param._shape = merged
            elif hasattr(param, k) and v is not None and getattr(param, k) != v:
                if k == "dtype" and np.dtype(v) == np.dtype(param.dtype):
                    continue
                if k in _PRIVATE_IN_MXNET:
                    continue
                raise CheckError(
                    f"ParameterDict.get: parameter {full!r} exists with {k}="
                    f"{getattr(param, k)!r}; received {k}={v!r}"
                )
        return param

    def get_constant(self, name: str, value: Any = None) -> Constant:
        """Returns the Constant ``prefix + name``, creating it from ``value`` if absent."""
        full = self._prefix + name
        param = self._get_impl(full)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named {full!r}; give a value to create it")
            param = Constant(full, value)
            self._params[full] = param
        return param

    def update(self, other: ParameterDict) -> None:
        """Adds the parameters of ``other`` (same name must mean the same object)."""
        for k, v in other.items():
            if k in self._params and self._params[k] is not v:
                raise ValueError(
                    f"ParameterDict.update: cannot update self with other because they have "
                    f"different Parameters with the same name {k!r}"
                )
            self._params[k] = v

    def initialize(
        self,
        init: Any = None,
        ctx: Any = None,
        verbose: bool = False,
        force_reinit: bool = False,
    ) -> None:
        """Initializes every parameter (see :meth:`Parameter.initialize`)."""
        del verbose
        default = initializers.Uniform(0.07) if init is None else init
        for p in self.values():
            p.initialize(None, ctx, default_init=default, force_reinit=force_reinit)

    def zero_grad(self) -> None:
        """Zeroes every gradient."""
        for p in self.values():
            p.zero_grad()

    def reset_ctx(self, ctx: Any) -> None:
        """Moves every parameter to ``ctx``."""
        for p in self.values():
            p.reset_ctx(ctx)

    def setattr(self, name: str, value: Any) -> None:
        """Sets attribute ``name`` (``grad_req``, ``lr_mult`` ...) on every parameter."""
        for p in self.values():
            setattr(p, name, value)

    def list_ctx(self) -> list:
        """The union of the parameters' contexts."""
        out: list = []
        for p in self.values():
            for c in p.list_ctx():
                if c not in out:
                    out.append(c)
        return out

    def select(self, select: str | None) -> ParameterDict:
        """A new ParameterDict with the parameters whose name matches regex ``select``."""
        out = ParameterDict(self._prefix)
        pat = re.compile(select) if select else None
        for k, v in self.items():
            if pat is None or pat.match(k):
                out._params[k] = v
        return out

    def save(self, filename: str, strip_prefix: str = "") -> None:
        """Saves the parameters to an MXNet ``.params`` file (names minus ``strip_prefix``)."""
        import mxjax.io as mio

        arrays = {}
        for p in self.values():
            name = p.name
            if strip_prefix and not name.startswith(strip_prefix):
                raise ValueError(
                    f"ParameterDict.save: prefix {strip_prefix!r} is to be striped before "
                    f"saving, but Parameter {name!r} does not start with it"
                )
            arrays[name[len(strip_prefix) :]] = np.asarray(jax.device_get(p._data[0].jax))
        mio.save_params(filename, arrays)

    def load(
        self,
        filename: str,
        ctx: Any = None,
        allow_missing: bool = False,
        ignore_extra: bool = False,
        restore_prefix: str = "",
        cast_dtype: bool = False,
        dtype_source: str = "current",
    ) -> None:
        """Loads an MXNet ``.params`` file saved by :meth:`save`."""
        import mxjax.io as mio

        loaded = {restore_prefix + _strip_kind(k): v for k, v in mio.load_params(filename).items()}
        _assign(
            self._params,
            loaded,
            filename,
            ctx,
            allow_missing,
            ignore_extra,
            cast_dtype,
            dtype_source,
        )


def _strip_kind(name: str) -> str:
    return name[4:] if name.startswith(("arg:", "aux:")) else name


def _cast(value: jax.Array, dtype) -> jax.Array:
    """``value`` as ``dtype`` (None: unchanged), without a program per shape."""
    return value if dtype is None else host_cast(value, dtype)


def _assign(params, loaded, filename, ctx, allow_missing, ignore_extra, cast_dtype, dtype_source):
    if not allow_missing:
        for name in params:
            if name not in loaded:
                raise ValueError(
                    f"Parameter {name!r} is missing in file {filename!r}, which contains "
                    f"parameters: {sorted(loaded)[:10]}. Set allow_missing=True to ignore "
                    "missing parameters."
                )
    for name, value in loaded.items():
        if name not in params:
            if ignore_extra:
                continue
            raise ValueError(
                f"Parameter {name!r} loaded from file {filename!r} is not present in the "
                f"Block's parameters {sorted(params)[:10]}. Set ignore_extra=True to ignore."
            )
        p = params[name]
        saved_dtype = np.dtype(getattr(value, "dtype", np.float32))
        if not cast_dtype and p.dtype is not None and saved_dtype != np.dtype(p.dtype):
            raise ValueError(
                f"Failed loading Parameter {name!r} from file {filename!r}: dtype incompatible "
                f"expected {np.dtype(p.dtype).name} vs saved {saved_dtype}. Set cast_dtype=True to cast the "
                "dtype of saved params."
            )
        if isinstance(value, np.ndarray):  # device_put: jnp.asarray compiles per shape
            value = jax.device_put(value)
        else:
            value = jnp.asarray(B.to_jax(value))
        if cast_dtype:
            if dtype_source == "current":
                value = _cast(value, p.dtype)
            elif dtype_source == "saved":
                p.dtype = _dtype_type(value.dtype)
            else:
                raise ValueError(
                    f"load_parameters: dtype_source must be 'current' or 'saved'; "
                    f"received {dtype_source!r}"
                )
        if p.shape is not None and _known(p.shape) and tuple(p.shape) != tuple(value.shape):
            raise ValueError(
                f"Failed loading Parameter {name!r} from file {filename!r}: shape incompatible "
                f"expected {p.shape} vs saved {tuple(value.shape)}"
            )
        if p._data is None and p._deferred is None:
            p.shape = value.shape
            p._set_all(_cast(value, p.dtype), _ctx_list(ctx))
        elif p._data is None:
            glob, ctxs = p._deferred
            p._deferred = None
            p.shape = value.shape
            p._set_all(_cast(value, p.dtype), _ctx_list(ctx) if ctx is not None else ctxs)
        else:
            p._set_all(_cast(value, p.dtype), _ctx_list(ctx) if ctx is not None else None)
