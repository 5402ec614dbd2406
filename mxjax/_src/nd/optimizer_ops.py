"""MXNet's optimizer update operators (``nd.sgd_update``, ``nd.adam_update`` ...).

Each operator is one step of the matching ``mx.optimizer`` class (the same
optax rule the ``Trainer`` runs; nothing is written twice): the states given
(``mom``, ``mean``/``var`` ...) are updated in place, the new weight goes to
``out`` (MXNet scripts pass ``out=weight``) and is returned. As in MXNet,
``clip_gradient < 0`` means no clipping, ``adam_update`` applies no bias
correction (the Adam class folds it into ``lr``) and ``ftml_update`` takes the
step count ``t``.

Examples:
    >>> from mxjax import nd
    >>> w, g, mom = nd.ones((2,)), nd.ones((2,)), nd.zeros((2,))
    >>> _ = nd.sgd_mom_update(w, g, mom, lr=0.1, momentum=0.9, out=w)
    >>> w.asnumpy().tolist(), mom.asnumpy().tolist()
    ([0.8999999761581421, 0.8999999761581421], [-0.10000000149011612, -0.10000000149011612])
"""

from __future__ import annotations

from typing import Any

from mxjax._src.nd.ndarray import NDArray
from mxjax._src.optim import classes as C

__all__ = [
    "adam_update",
    "ftml_update",
    "ftrl_update",
    "mp_nag_mom_update",
    "mp_sgd_mom_update",
    "mp_sgd_update",
    "nag_mom_update",
    "rmsprop_update",
    "rmspropalex_update",
    "sgd_mom_update",
    "sgd_update",
    "signsgd_update",
    "signum_update",
]

# Adam's bias correction sqrt(1 - beta2**t) / (1 - beta1**t) is exactly 1 at this step count.
_NO_BIAS_CORRECTION_T = 2**24


def _clip(clip_gradient: float) -> float | None:
    return None if clip_gradient is None or clip_gradient < 0 else float(clip_gradient)


def _step(opt: Any, weight: NDArray, grad: NDArray, state: Any, out: Any, t: int = 1) -> NDArray:
    if not isinstance(weight, NDArray) or not isinstance(grad, NDArray):
        raise TypeError(
            f"{type(opt).__name__.lower()} update: weight and grad must be NDArrays, got "
            f"{type(weight).__name__} and {type(grad).__name__}"
        )
    target = weight if out is weight else NDArray(weight._data)
    opt._index_update_count[0] = t - 1
    opt.update_multi_precision(0, target, grad, state)
    if out is not None and out is not target:
        out[:] = target
        return out
    return target


def _common(lr, wd, rescale_grad, clip_gradient) -> dict:
    return dict(
        learning_rate=float(lr),
        wd=float(wd),
        rescale_grad=float(rescale_grad),
        clip_gradient=_clip(clip_gradient),
    )


def sgd_update(
    weight, grad, lr, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, lazy_update=True, out=None
):
    """``weight - lr * (clip(rescale_grad * grad) + wd * weight)`` (MXNet's ``sgd_update``).

    Examples:
        >>> from mxjax import nd
        >>> nd.sgd_update(nd.ones((2,)), nd.ones((2,)), lr=0.5).asnumpy().tolist()
        [0.5, 0.5]
    """
    opt = C.SGD(lazy_update=lazy_update, **_common(lr, wd, rescale_grad, clip_gradient))
    return _step(opt, weight, grad, None, out)


def sgd_mom_update(
    weight,
    grad,
    mom,
    lr,
    momentum=0.0,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    lazy_update=True,
    out=None,
):
    """Momentum SGD step; ``mom`` is updated in place (MXNet's ``sgd_mom_update``).

    Examples:
        >>> from mxjax import nd
        >>> mom = nd.zeros((1,))
        >>> nd.sgd_mom_update(nd.ones((1,)), nd.ones((1,)), mom, lr=0.5, momentum=0.9).asnumpy()
        array([0.5], dtype=float32)
    """
    opt = C.SGD(
        momentum=momentum, lazy_update=lazy_update, **_common(lr, wd, rescale_grad, clip_gradient)
    )
    return _step(opt, weight, grad, mom, out)


def mp_sgd_update(
    weight,
    grad,
    weight32,
    lr,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    lazy_update=True,
    out=None,
):
    """SGD on the float32 master copy ``weight32`` (updated in place) of a float16 weight.

    Examples:
        >>> import numpy as np
        >>> from mxjax import nd
        >>> w = nd.ones((1,), dtype=np.float16)
        >>> w32 = w.astype(np.float32)
        >>> nd.mp_sgd_update(w, nd.ones((1,), dtype=np.float16), w32, lr=0.5).dtype
        <class 'numpy.float16'>
    """
    opt = C.SGD(
        multi_precision=True,
        lazy_update=lazy_update,
        **_common(lr, wd, rescale_grad, clip_gradient),
    )
    return _step(opt, weight, grad, (None, weight32), out)


def mp_sgd_mom_update(
    weight,
    grad,
    mom,
    weight32,
    lr,
    momentum=0.0,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    lazy_update=True,
    out=None,
):
    """Momentum SGD on the float32 master copy ``weight32`` (MXNet's ``mp_sgd_mom_update``).

    Examples:
        >>> import numpy as np
        >>> from mxjax import nd
        >>> w = nd.ones((1,), dtype=np.float16)
        >>> w32, mom = w.astype(np.float32), nd.zeros((1,))
        >>> _ = nd.mp_sgd_mom_update(w, w, mom, w32, lr=0.5, momentum=0.9, out=w)
        >>> w32.asnumpy().tolist(), mom.asnumpy().tolist()
        ([0.5], [-0.5])
    """
    opt = C.SGD(
        momentum=momentum,
        multi_precision=True,
        lazy_update=lazy_update,
        **_common(lr, wd, rescale_grad, clip_gradient),
    )
    return _step(opt, weight, grad, (mom, weight32), out)


def nag_mom_update(
    weight, grad, mom, lr, momentum=0.0, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, out=None
):
    """Nesterov momentum step (MXNet's ``nag_mom_update``); ``mom`` updated in place.

    Examples:
        >>> from mxjax import nd
        >>> mom = nd.zeros((1,))
        >>> nd.nag_mom_update(nd.ones((1,)), nd.ones((1,)), mom, lr=0.1, momentum=0.9).shape
        (1,)
    """
    opt = C.NAG(momentum=momentum, **_common(lr, wd, rescale_grad, clip_gradient))
    return _step(opt, weight, grad, mom, out)


def mp_nag_mom_update(
    weight,
    grad,
    mom,
    weight32,
    lr,
    momentum=0.0,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    out=None,
):
    """:func:`nag_mom_update` on the float32 master copy ``weight32``.

    Examples:
        >>> import numpy as np
        >>> from mxjax import nd
        >>> w = nd.ones((1,), dtype=np.float16)
        >>> nd.mp_nag_mom_update(w, w, nd.zeros((1,)), w.astype(np.float32), lr=0.1).dtype
        <class 'numpy.float16'>
    """
    opt = C.NAG(
        momentum=momentum, multi_precision=True, **_common(lr, wd, rescale_grad, clip_gradient)
    )
    return _step(opt, weight, grad, (mom, weight32), out)


def signsgd_update(weight, grad, lr, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, out=None):
    """``weight - lr * sign(grad)`` with weight decay (MXNet's ``signsgd_update``).

    Examples:
        >>> from mxjax import nd
        >>> nd.signsgd_update(nd.zeros((2,)), nd.array([3, -2]), lr=0.1).asnumpy().tolist()
        [-0.10000000149011612, 0.10000000149011612]
    """
    opt = C.Signum(momentum=0.0, **_common(lr, wd, rescale_grad, clip_gradient))
    return _step(opt, weight, grad, None, out)


def signum_update(
    weight,
    grad,
    mom,
    lr,
    momentum=0.0,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    wd_lh=0.0,
    out=None,
):
    """Signum step (MXNet's ``signum_update``); ``mom`` updated in place.

    Examples:
        >>> from mxjax import nd
        >>> mom = nd.zeros((1,))
        >>> nd.signum_update(nd.zeros((1,)), nd.ones((1,)), mom, lr=0.1, momentum=0.9).asnumpy()
        array([-0.1], dtype=float32)
    """
    opt = C.Signum(momentum=momentum, wd_lh=wd_lh, **_common(lr, wd, rescale_grad, clip_gradient))
    return _step(opt, weight, grad, mom, out)


def _clip_weights(clip_weights):
    return None if clip_weights is None or clip_weights < 0 else float(clip_weights)


def rmsprop_update(
    weight,
    grad,
    n,
    lr,
    gamma1=0.95,
    epsilon=1e-8,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    clip_weights=-1.0,
    out=None,
):
    """RMSProp step (MXNet's ``rmsprop_update``; note the operator's ``gamma1=0.95``).

    Examples:
        >>> from mxjax import nd
        >>> n = nd.zeros((1,))
        >>> _ = nd.rmsprop_update(nd.ones((1,)), nd.ones((1,)), n, lr=0.1)
        >>> round(float(n.asnumpy()[0]), 4)
        0.05
    """
    opt = C.RMSProp(
        gamma1=gamma1,
        epsilon=epsilon,
        clip_weights=_clip_weights(clip_weights),
        **_common(lr, wd, rescale_grad, clip_gradient),
    )
    return _step(opt, weight, grad, (n,), out)


def rmspropalex_update(
    weight,
    grad,
    n,
    g,
    delta,
    lr,
    gamma1=0.95,
    gamma2=0.9,
    epsilon=1e-8,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    clip_weights=-1.0,
    out=None,
):
    """Centered RMSProp step (Graves 2013; MXNet's ``rmspropalex_update``).

    Examples:
        >>> from mxjax import nd
        >>> n, g, d = nd.zeros((1,)), nd.zeros((1,)), nd.zeros((1,))
        >>> nd.rmspropalex_update(nd.ones((1,)), nd.ones((1,)), n, g, d, lr=0.1).shape
        (1,)
    """
    opt = C.RMSProp(
        gamma1=gamma1,
        gamma2=gamma2,
        epsilon=epsilon,
        centered=True,
        clip_weights=_clip_weights(clip_weights),
        **_common(lr, wd, rescale_grad, clip_gradient),
    )
    return _step(opt, weight, grad, (n, g, delta), out)


def ftrl_update(
    weight,
    grad,
    z,
    n,
    lr,
    lamda1=0.01,
    beta=1.0,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    out=None,
):
    """FTRL-Proximal step (MXNet's ``ftrl_update``); ``z`` and ``n`` updated in place.

    Examples:
        >>> from mxjax import nd
        >>> z, n = nd.zeros((1,)), nd.zeros((1,))
        >>> _ = nd.ftrl_update(nd.zeros((1,)), nd.ones((1,)), z, n, lr=0.1)
        >>> n.asnumpy().tolist()
        [1.0]
    """
    opt = C.Ftrl(lamda1=lamda1, beta=beta, **_common(lr, wd, rescale_grad, clip_gradient))
    return _step(opt, weight, grad, (z, n), out)


def ftml_update(
    weight,
    grad,
    d,
    v,
    z,
    lr,
    t,
    beta1=0.6,
    beta2=0.999,
    epsilon=1e-8,
    wd=0.0,
    rescale_grad=1.0,
    clip_grad=-1.0,
    out=None,
):
    """FTML step number ``t`` (MXNet's ``ftml_update``); ``d``, ``v``, ``z`` updated in place.

    Examples:
        >>> from mxjax import nd
        >>> d, v, z = nd.zeros((1,)), nd.zeros((1,)), nd.zeros((1,))
        >>> nd.ftml_update(nd.ones((1,)), nd.ones((1,)), d, v, z, lr=0.1, t=1).shape
        (1,)
    """
    opt = C.FTML(
        beta1=beta1, beta2=beta2, epsilon=epsilon, **_common(lr, wd, rescale_grad, clip_grad)
    )
    return _step(opt, weight, grad, (d, v, z), out, t=int(t))


def adam_update(
    weight,
    grad,
    mean,
    var,
    lr,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-8,
    wd=0.0,
    rescale_grad=1.0,
    clip_gradient=-1.0,
    lazy_update=True,
    out=None,
):
    """Adam step without bias correction (MXNet's ``adam_update``; the class folds it into ``lr``).

    Examples:
        >>> from mxjax import nd
        >>> mean, var = nd.zeros((1,)), nd.zeros((1,))
        >>> w = nd.adam_update(nd.ones((1,)), nd.ones((1,)), mean, var, lr=0.1)
        >>> mean.asnumpy().tolist(), round(float(w.asnumpy()[0]), 4)
        ([0.10000000149011612], 0.6838)
    """
    opt = C.Adam(
        beta1=beta1,
        beta2=beta2,
        epsilon=epsilon,
        lazy_update=lazy_update,
        **_common(lr, wd, rescale_grad, clip_gradient),
    )
    return _step(opt, weight, grad, (mean, var), out, t=_NO_BIAS_CORRECTION_T)
