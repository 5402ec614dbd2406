"""MXNet optimizer semantics as composable optax transformations.

Every MXNet optimizer in :mod:`mxjax.optim` is a chain of the small
transformations defined here, in the order MXNet applies them::

    grad -> rescale_grad -> clip_gradient -> + wd * weight (+ l1 * sign(weight)) -> rule

(some optimizers add ``wd`` before clipping, or inside their rule, exactly as
MXNet 1.9.1 does; each optimizer's docstring says which). The final rule is a
:func:`mx_rule` transformation: it keeps the update count and the optimizer's
slots (momentum, moments, ...) in an :class:`MXRuleState` and maps the
preprocessed gradient, the weight and the per-parameter learning rate and
weight decay to the new weight.

Learning rates may be a number or a schedule: a callable of MXNet's
``num_update``, the 1-based index of the update being applied (the value
MXNet passes to its ``lr_scheduler``).

Per-parameter multipliers (``lr_mult``/``wd_mult``) may be ``None`` (all
ones), a dict keyed by parameter name (the params-tree keys joined with
``.``, as Gluon names them), a nested dict matching the params tree, or a
function of the parameter name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

__all__ = [
    "MXRuleState",
    "MultiPrecisionState",
    "add_l1",
    "add_weight_decay",
    "clip_gradient",
    "leaf_multipliers",
    "multi_precision",
    "mx_rule",
    "param_names",
    "rescale_grad",
]

Mult = None | Mapping[str, Any] | Callable[[str], float]


def _key_str(entry: Any) -> str:
    for attr in ("key", "idx", "name"):
        if hasattr(entry, attr):
            return str(getattr(entry, attr))
    return str(entry)


def param_names(tree: Any) -> list[str]:
    """Dotted names of the leaves of a params tree, in ``jax.tree_util`` leaf order.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> optim.param_names({"fc": {"weight": jnp.ones(2), "bias": jnp.ones(1)}})
        ['fc.bias', 'fc.weight']
    """
    leaves, _ = jax.tree_util.tree_flatten_with_path(tree)
    return [".".join(_key_str(k) for k in path) for path, _ in leaves]


def _flat_mult_dict(mult: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in mult.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flat_mult_dict(v, name + "."))
        else:
            out[name] = v
    return out


def leaf_multipliers(mult: Mult, tree: Any, what: str = "lr_mult") -> list[Any]:
    """Resolves a multiplier spec to one value per leaf of ``tree`` (leaf order).

    Args:
        mult: ``None`` (all 1), a dict by dotted parameter name or a nested dict
            (missing entries are 1), any pytree with the structure of ``tree``,
            or a function of the dotted parameter name.
        tree: the params tree.
        what: argument name used in error messages.

    Returns:
        A list with one multiplier per leaf.

    Raises:
        ValueError: if a dict names a parameter that is not in ``tree``.
        TypeError: if ``mult`` is none of the accepted kinds.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> params = {"w": jnp.ones(2), "b": jnp.ones(1)}
        >>> optim.leaf_multipliers({"b": 0.0}, params, "wd_mult")
        [0.0, 1.0]
    """
    names = param_names(tree)
    if mult is None:
        return [1.0] * len(names)
    if isinstance(mult, Mapping):
        flat = _flat_mult_dict(mult)
        unknown = sorted(set(flat) - set(names))
        if unknown:
            raise ValueError(
                f"{what}: names {unknown} are not parameters; expected names among {names}"
            )
        return [flat.get(n, 1.0) for n in names]
    if callable(mult):
        return [mult(n) for n in names]
    leaves, mdef = jax.tree_util.tree_flatten(mult)
    if mdef == jax.tree_util.tree_structure(tree):
        return leaves
    raise TypeError(
        f"{what}: expected None, a dict of multipliers, a pytree with the structure of the "
        f"params ({jax.tree_util.tree_structure(tree)}) or a function of the parameter name, "
        f"got {type(mult).__name__} {mult!r}"
    )


class EmptyState(NamedTuple):
    """State of the stateless preprocessing transformations."""


def _stateless(fn: Callable[[Any, Any], Any]) -> optax.GradientTransformation:
    def init_fn(params):
        del params
        return EmptyState()

    def update_fn(updates, state, params=None):
        return fn(updates, params), state

    return optax.GradientTransformation(init_fn, update_fn)


def _need_params(params: Any, who: str) -> None:
    if params is None:
        raise ValueError(f"{who}: update needs `params` (the current weights), got None")


def rescale_grad(scale: Any = 1.0) -> optax.GradientTransformation:
    """Multiplies the gradient by ``scale`` (MXNet's ``rescale_grad``, applied first).

    ``scale`` may be a traced scalar (the Gluon ``Trainer`` passes ``1/batch_size``).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.rescale_grad(0.5)
        >>> tx.update(jnp.array([2.0]), tx.init(None))[0]
        Array([1.], dtype=float32)
    """
    return optax.scale(scale)  # optax's own: ``g * scale`` (scale may be traced)


def clip_gradient(bound: float | None) -> optax.GradientTransformation:
    """Clips each gradient element to ``[-bound, bound]`` (MXNet's ``clip_gradient``).

    ``None`` (or a non-positive bound, as in MXNet) disables clipping.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.clip_gradient(1.0)
        >>> tx.update(jnp.array([-3.0, 0.5]), tx.init(None))[0]
        Array([-1. ,  0.5], dtype=float32)
    """
    if bound is None or (isinstance(bound, int | float) and bound <= 0):
        return optax.identity()
    return optax.clip(bound)  # optax's own element-wise clip to [-bound, bound]


def add_weight_decay(wd: Any = 0.0, wd_mult: Mult = None) -> optax.GradientTransformation:
    """Adds ``wd * wd_mult * weight`` to the gradient (MXNet's L2 weight decay).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.add_weight_decay(0.1)
        >>> u, _ = tx.update({"w": jnp.array([1.0])}, tx.init(None), {"w": jnp.array([2.0])})
        >>> round(float(u["w"][0]), 4)
        1.2
    """

    if wd_mult is None:  # no per-parameter multipliers: optax's own ``g + wd * w``
        decay = optax.add_decayed_weights(wd)

        def update_fn(updates, state, params=None):
            _need_params(params, "add_weight_decay")
            return decay.update(updates, state, params)

        return optax.GradientTransformation(decay.init, update_fn)

    def fn(g, params):
        _need_params(params, "add_weight_decay")
        mults = leaf_multipliers(wd_mult, params, "wd_mult")
        gl, tdef = jax.tree_util.tree_flatten(g)
        wl = jax.tree_util.tree_leaves(params)
        return tdef.unflatten([x + (wd * m) * w for x, w, m in zip(gl, wl, mults)])

    return _stateless(fn)


def add_l1(l1: Any = 0.0, wd_mult: Mult = None) -> optax.GradientTransformation:
    """Adds ``l1 * wd_mult * sign(weight)`` to the gradient (L1 regularization).

    The regularization multiplier ``wd_mult`` scales L1 like it scales L2.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.add_l1(0.1)
        >>> u, _ = tx.update({"w": jnp.array([1.0])}, tx.init(None), {"w": jnp.array([-2.0])})
        >>> round(float(u["w"][0]), 4)
        0.9
    """

    def fn(g, params):
        _need_params(params, "add_l1")
        mults = leaf_multipliers(wd_mult, params, "wd_mult")
        gl, tdef = jax.tree_util.tree_flatten(g)
        wl = jax.tree_util.tree_leaves(params)
        return tdef.unflatten([x + (l1 * m) * jnp.sign(w) for x, w, m in zip(gl, wl, mults)])

    return _stateless(fn)


class MXRuleState(NamedTuple):
    """State of an MXNet update rule.

    Attributes:
        count: number of updates applied so far (int32 scalar).
        slots: a NamedTuple of params-shaped trees named by the optimizer
            (``momentum``; ``mean``, ``var`` ...).
        extra: optimizer-specific scalars (e.g. Nadam's momentum schedule,
            LARS's previous learning rate, SGLD's PRNG key).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> state = optim.sgd(0.1, momentum=0.9).init({"w": jnp.ones(2)})
        >>> any(isinstance(s, optim.MXRuleState) for s in state)
        True
    """

    count: jax.Array
    slots: tuple
    extra: Any


class RuleContext(NamedTuple):
    """What a rule sees for one parameter: its lr and wd (multipliers applied) and more."""

    lr: Any
    wd: Any
    t: jax.Array
    name: str
    index: int
    extra: Any


_SLOT_CLASSES: dict = {}


def _slots_class(who: str, names: tuple[str, ...]) -> type:
    """The NamedTuple of an optimizer's slots (one class per name set: stable tree structure)."""
    key = (who, names)
    if key not in _SLOT_CLASSES:
        title = "".join(part.capitalize() for part in str(who).split("_")) or "Rule"
        _SLOT_CLASSES[key] = NamedTuple(f"{title}Slots", [(n, Any) for n in names])
    return _SLOT_CLASSES[key]


def mx_rule(
    who: str,
    rule: Callable[[RuleContext, Any, Any, tuple], tuple[Any, tuple]],
    *,
    learning_rate: Any,
    wd: Any = 0.0,
    lr_mult: Mult = None,
    wd_mult: Mult = None,
    num_slots: int = 0,
    slot_names: tuple[str, ...] = (),
    slot_init: Callable[[jax.Array, int], jax.Array] | None = None,
    extra_init: Callable[[], Any] | None = None,
    extra_step: Callable[[Any, jax.Array, Any], tuple[Any, Any]] | None = None,
) -> optax.GradientTransformation:
    """The final stage of an MXNet optimizer: maps (grad, weight, slots) to a new weight.

    Args:
        who: optimizer name for error messages.
        rule: ``rule(ctx, grad, weight, slots) -> (new_weight, new_slots)`` for one leaf.
        learning_rate: number, traced scalar, or schedule of the 1-based ``num_update``.
        wd: weight decay the rule may use (when the optimizer applies it itself).
        lr_mult: per-parameter learning-rate multipliers.
        wd_mult: per-parameter weight-decay multipliers.
        num_slots: number of params-shaped state trees (named ``slot0``...).
        slot_names: names of the state trees (``('mean', 'var')``); when given,
            ``MXRuleState.slots`` is a NamedTuple with these fields.
        slot_init: ``slot_init(weight, i)``, default zeros.
        extra_init: returns the initial ``extra`` state.
        extra_step: ``extra_step(extra, t, lr) -> (new_extra, ctx_extra)`` run once per update.

    Returns:
        An ``optax.GradientTransformation`` whose updates are ``new_weight - weight``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.mx_rule("demo", lambda c, g, w, s: (w - c.lr * g, s), learning_rate=0.1)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([2.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.2
    """

    slot_cls = _slots_class(who, tuple(slot_names) or tuple(f"slot{i}" for i in range(num_slots)))
    num_slots = len(slot_cls._fields)

    def init_fn(params):
        leaves, tdef = jax.tree_util.tree_flatten(params)
        slots = slot_cls(
            *(
                tdef.unflatten(
                    [slot_init(w, i) if slot_init else jnp.zeros_like(w) for w in leaves]
                )
                for i in range(num_slots)
            )
        )
        extra = extra_init() if extra_init else ()
        return MXRuleState(jnp.zeros([], jnp.int32), slots, extra)

    def update_fn(updates, state, params=None):
        _need_params(params, who)
        t = state.count + 1
        lr = learning_rate(t) if callable(learning_rate) else learning_rate
        extra, ctx_extra = extra_step(state.extra, t, lr) if extra_step else (state.extra, ())
        gl, tdef = jax.tree_util.tree_flatten(updates)
        # Per-leaf constants as trees shaped like the parameters, then one tree map.
        names = tdef.unflatten(param_names(params))
        index = tdef.unflatten(list(range(len(gl))))
        lr_m = tdef.unflatten(leaf_multipliers(lr_mult, params, "lr_mult"))
        wd_m = tdef.unflatten(leaf_multipliers(wd_mult, params, "wd_mult"))

        def leaf(g, w, name, i, lm, wm, *slots):
            ctx = RuleContext(lr * lm, wd * wm, t, name, i, ctx_extra)
            new_w, new_s = rule(ctx, g, w, slots)
            return (new_w - w).astype(w.dtype), tuple(
                v.astype(old.dtype) for v, old in zip(new_s, slots)
            )

        out = jax.tree_util.tree_map(leaf, updates, params, names, index, lr_m, wd_m, *state.slots)
        pairs = tdef.flatten_up_to(out)
        new_updates = tdef.unflatten([p[0] for p in pairs])
        slots = slot_cls(*(tdef.unflatten([p[1][k] for p in pairs]) for k in range(num_slots)))
        return new_updates, MXRuleState(t, slots, extra)

    return optax.GradientTransformation(init_fn, update_fn)


def mx_chain(
    rule_tx: optax.GradientTransformation,
    *,
    wd_mode: str,
    wd: Any,
    rescale: Any,
    clip: float | None,
    l1: Any,
    wd_mult: Mult,
) -> optax.GradientTransformation:
    """Chains MXNet's gradient preprocessing before ``rule_tx``.

    ``wd_mode``: ``"after_clip"`` (rescale, clip, + wd), ``"before_clip"``
    (rescale, + wd, clip), ``"rule"`` (rescale, clip; the rule applies wd) or
    ``"rule_clip"`` (rescale only; the rule clips and applies wd).
    """
    reg = [add_weight_decay(wd, wd_mult)] if wd_mode in ("after_clip", "before_clip") else []
    if not (isinstance(l1, int | float) and l1 == 0):
        reg.append(add_l1(l1, wd_mult))
    parts = [rescale_grad(rescale)]
    if wd_mode == "before_clip":
        parts += [*reg, clip_gradient(clip)]
    elif wd_mode == "rule_clip":
        parts += reg
    else:
        parts += [clip_gradient(clip), *reg]
    return optax.chain(*parts, rule_tx)


class MultiPrecisionState(NamedTuple):
    """State of :func:`multi_precision`: float32 master weights and the inner state.

    ``master`` has a float32 copy for each float16/bfloat16 parameter and an
    empty placeholder for the others.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.multi_precision(optim.sgd(0.1))
        >>> type(tx.init({"w": jnp.ones(2, jnp.float16)})).__name__
        'MultiPrecisionState'
    """

    master: Any
    inner_state: Any


def _low_precision(x: Any) -> bool:
    return jnp.dtype(x.dtype) in (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16))


def multi_precision(inner: optax.GradientTransformation) -> optax.GradientTransformation:
    """Runs ``inner`` on float32 master copies of float16/bfloat16 parameters (MXNet's
    ``multi_precision=True``); other parameters pass through unchanged.

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> from mxjax import optim
        >>> tx = optim.multi_precision(optim.sgd(1e-4))
        >>> p = {"w": jnp.ones(2, jnp.float16)}
        >>> s = tx.init(p)
        >>> for _ in range(10):
        ...     u, s = tx.update({"w": jnp.ones(2, jnp.float16)}, s, p)
        ...     p = optax.apply_updates(p, u)
        >>> round(float(s.master["w"][0]), 4)
        0.999
    """

    def master_of(w):
        return w.astype(jnp.float32) if _low_precision(w) else jnp.zeros((0,), jnp.float32)

    def init_fn(params):
        master = jax.tree_util.tree_map(master_of, params)
        full = jax.tree_util.tree_map(lambda w, m: m if _low_precision(w) else w, params, master)
        return MultiPrecisionState(master, inner.init(full))

    def update_fn(updates, state, params=None):
        _need_params(params, "multi_precision")
        full = jax.tree_util.tree_map(
            lambda w, m: m if _low_precision(w) else w, params, state.master
        )
        g32 = jax.tree_util.tree_map(
            lambda g, w: g.astype(jnp.float32) if _low_precision(w) else g, updates, params
        )
        u, inner_state = inner.update(g32, state.inner_state, full)
        new_full = optax.apply_updates(full, u)
        master = jax.tree_util.tree_map(
            lambda w, m, n: n if _low_precision(w) else m, params, state.master, new_full
        )
        out = jax.tree_util.tree_map(
            lambda w, n, du: (n.astype(w.dtype) - w) if _low_precision(w) else du,
            params,
            new_full,
            u,
        )
        return out, MultiPrecisionState(master, inner_state)

    return optax.GradientTransformation(init_fn, update_fn)
