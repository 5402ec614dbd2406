"""MXNet's optimizer classes (``mx.optimizer.SGD`` ...) with MXNet's signatures.

Each class stores its hyperparameters under MXNet's attribute names and maps
them onto the :mod:`mxjax.optim` factory of the same name (see
:class:`mxjax.optimizer.Optimizer` for the ``to_optax`` interface).
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import jax

from mxjax._src.nd import random as _ndr
from mxjax._src.optim import optimizers as _o
from mxjax._src.optim.facade import Optimizer, register

__all__ = [
    "DCASGD",
    "FTML",
    "LAMB",
    "LARS",
    "NAG",
    "SGD",
    "SGLD",
    "AdaDelta",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Nadam",
    "RMSProp",
    "Signum",
    "ccSGD",
]


def _same(*names: str) -> dict[str, str]:
    return {n: n for n in names}


def _defaults(factory: Any) -> dict[str, Any]:
    """The keyword defaults of an :mod:`mxjax.optim` factory: the one place they are written."""
    return {
        n: p.default
        for n, p in inspect.signature(factory).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


_SGD = _defaults(_o.sgd)
_NAG = _defaults(_o.nag)
_SIGNUM = _defaults(_o.signum)
_FTML = _defaults(_o.ftml)
_LARS = _defaults(_o.lars)
_LAMB = _defaults(_o.lamb)
_DCASGD = _defaults(_o.dcasgd)
_SGLD = _defaults(_o.sgld)
_ADAM = _defaults(_o.adam)
_ADAMW = _defaults(_o.adamw)
_ADAGRAD = _defaults(_o.adagrad)
_RMSPROP = _defaults(_o.rmsprop)
_ADADELTA = _defaults(_o.adadelta)
_FTRL = _defaults(_o.ftrl)
_ADAMAX = _defaults(_o.adamax)
_NADAM = _defaults(_o.nadam)


@register
class SGD(Optimizer):
    """SGD with momentum and weight decay (``mx.optimizer.SGD``); see :func:`mxjax.optim.sgd`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.SGD(learning_rate=0.1, momentum=0.9).momentum
        0.9
    """

    _factory = _o.sgd
    _static = _same("momentum")
    _single_state = True  # MXNet: the momentum NDArray, or None without momentum
    _master_last = True  # MXNet: (momentum, weight32) with multi_precision

    def __init__(
        self,
        momentum: float = _SGD["momentum"],
        lazy_update: bool = _SGD["lazy_update"],
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self._lazy_rows = lazy_update


@register
class ccSGD(SGD):  # noqa: N801  (MXNet's name)
    """Deprecated MXNet alias of :class:`SGD`.

    Examples:
        >>> import mxjax as mx
        >>> isinstance(mx.optimizer.create("ccsgd"), mx.optimizer.SGD)
        True
    """


@register
class NAG(Optimizer):
    """Nesterov accelerated SGD (``mx.optimizer.NAG``); see :func:`mxjax.optim.nag`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.NAG(momentum=0.9).learning_rate
        0.01
    """

    _factory = _o.nag
    _static = _same("momentum")
    _single_state = True
    _master_last = True

    def __init__(self, momentum: float = _NAG["momentum"], **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum


@register
class Signum(Optimizer):
    """Signum / signSGD (``mx.optimizer.Signum``); see :func:`mxjax.optim.signum`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.Signum().momentum
        0.9
    """

    _factory = _o.signum
    _static = _same("momentum", "wd_lh")
    _single_state = True

    def __init__(
        self,
        learning_rate: float = _SIGNUM["learning_rate"],
        momentum: float = _SIGNUM["momentum"],
        wd_lh: float = _SIGNUM["wd_lh"],
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh


@register
class FTML(Optimizer):
    """Follow the Moving Leader (``mx.optimizer.FTML``); see :func:`mxjax.optim.ftml`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.FTML().beta1
        0.6
    """

    _factory = _o.ftml
    _static = _same("beta1", "beta2", "epsilon")

    def __init__(
        self,
        beta1: float = _FTML["beta1"],
        beta2: float = _FTML["beta2"],
        epsilon: float = _FTML["epsilon"],
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon


@register
class LARS(Optimizer):
    """Layer-wise adaptive rate scaling (``mx.optimizer.LARS``); see :func:`mxjax.optim.lars`.

    Its default ``wd_mult`` rule zeroes every ``param_idx2name`` entry not ending in ``_weight``.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.LARS(param_idx2name={0: "bn_gamma"}).wd_mult
        {'bn_gamma': 0.0}
    """

    _factory = _o.lars
    _static = _same("momentum", "eta", "eps", "momentum_correction")
    _single_state = True
    _master_last = True

    def __init__(
        self,
        momentum: float = _LARS["momentum"],
        lazy_update: bool = _LARS["lazy_update"],
        eta: float = _LARS["eta"],
        eps: float = _LARS["eps"],
        momentum_correction: bool = _LARS["momentum_correction"],
        **kwargs: Any,
    ):
        self.momentum = momentum
        self.momentum_correction = momentum_correction
        self.lazy_update = lazy_update
        self.eta = eta
        self.eps = eps
        super().__init__(**kwargs)

    def _wd_default_zero(self, name: str) -> bool:
        return not name.endswith("_weight")


@register
class LAMB(Optimizer):
    """LAMB (``mx.optimizer.LAMB``); see :func:`mxjax.optim.lamb`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.LAMB().learning_rate
        0.001
    """

    _factory = _o.lamb
    _static = _same("beta1", "beta2", "epsilon", "lower_bound", "upper_bound", "bias_correction")

    def __init__(
        self,
        learning_rate: float = _LAMB["learning_rate"],
        beta1: float = _LAMB["beta1"],
        beta2: float = _LAMB["beta2"],
        epsilon: float = _LAMB["epsilon"],
        lower_bound: float | None = _LAMB["lower_bound"],
        upper_bound: float | None = _LAMB["upper_bound"],
        bias_correction: bool = _LAMB["bias_correction"],
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction


@register
class DCASGD(Optimizer):
    """Delay-compensated async SGD (``mx.optimizer.DCASGD``); see :func:`mxjax.optim.dcasgd`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.DCASGD().lamda
        0.04
    """

    _factory = _o.dcasgd
    _static = _same("momentum", "lamda")
    _state_order = ("momentum", "previous_weight")  # MXNet's (momentum or None, weight copy)

    def __init__(
        self, momentum: float = _DCASGD["momentum"], lamda: float = _DCASGD["lamda"], **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lamda = lamda


@register
class SGLD(Optimizer):
    """Stochastic gradient Langevin dynamics (``mx.optimizer.SGLD``).

    MXNet draws the noise from its global generator; here it comes from ``key``
    (a typed key or int seed, default 0) kept in the optimizer state.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.SGLD(key=1).learning_rate
        0.01
    """

    _factory = _o.sgld
    _static = _same("key")

    def __init__(self, key: jax.Array | int = _SGLD["key"], **kwargs: Any):
        super().__init__(**kwargs)
        self.key = key

    def create_state(self, index: Any, weight: Any) -> None:
        """SGLD keeps no state (MXNet returns None)."""
        return None

    def _imperative_tx(self):
        # The deterministic half of SGLD is SGD at half the rate (one source: the sgd
        # factory); the noise then comes from the global generator, as MXNet's
        # ``mx.random.normal`` (``mx.random.seed`` reproduces it).
        return self._build_tx(_o.sgd, None, None, static={})

    def update(self, index: Any, weight: Any, grad: Any, state: Any) -> None:
        """``weight += -lr/2 * (grad + wd * weight) + N(0, lr)`` in place (MXNet's SGLD).

        Examples:
            >>> import mxjax as mx
            >>> w = mx.nd.zeros((3,))
            >>> mx.optimizer.SGLD(learning_rate=0.0).update(0, w, mx.nd.ones((3,)), None)
            >>> w.asnumpy().tolist()
            [0.0, 0.0, 0.0]
        """
        if isinstance(index, (list, tuple)):
            for i, w, g, s in zip(index, weight, grad, state):
                self.update(i, w, g, s)
            return
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        self._step_one(index, weight, grad, None, lr / 2, wd)
        noise = _ndr.normal(0, math.sqrt(lr), shape=weight.shape, dtype=weight.dtype)
        weight[:] = weight + noise


@register
class Adam(Optimizer):
    """Adam (``mx.optimizer.Adam``), MXNet's bias correction; see :func:`mxjax.optim.adam`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.create("adam", learning_rate=0.01).beta2
        0.999
    """

    _factory = _o.adam
    _static = _same("beta1", "beta2", "epsilon")

    def __init__(
        self,
        learning_rate: float = _ADAM["learning_rate"],
        beta1: float = _ADAM["beta1"],
        beta2: float = _ADAM["beta2"],
        epsilon: float = _ADAM["epsilon"],
        lazy_update: bool = _ADAM["lazy_update"],
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update
        self._lazy_rows = lazy_update


@register
class AdamW(Optimizer):
    """AdamW, decoupled weight decay (MXNet ``contrib.adamw_update``); see :func:`mxjax.optim.adamw`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.AdamW(wd=0.01).wd
        0.01
    """

    _factory = _o.adamw
    _static = _same("beta1", "beta2", "epsilon", "correct_bias")

    def __init__(
        self,
        learning_rate: float = _ADAMW["learning_rate"],
        beta1: float = _ADAMW["beta1"],
        beta2: float = _ADAMW["beta2"],
        epsilon: float = _ADAMW["epsilon"],
        correct_bias: bool = _ADAMW["correct_bias"],
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.correct_bias = correct_bias


@register
class AdaGrad(Optimizer):
    """AdaGrad (``mx.optimizer.AdaGrad``); see :func:`mxjax.optim.adagrad`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.AdaGrad(eps=1e-6).float_stable_eps
        1e-06
    """

    _factory = _o.adagrad
    _static = {"eps": "float_stable_eps"}
    _single_state = True  # MXNet: the history NDArray
    _lazy_rows = True  # MXNet's sparse AdaGrad updates the stored rows only

    def __init__(self, eps: float = _ADAGRAD["eps"], **kwargs: Any):
        super().__init__(**kwargs)
        self.float_stable_eps = eps


@register
class RMSProp(Optimizer):
    """RMSProp, plain or centered (``mx.optimizer.RMSProp``); see :func:`mxjax.optim.rmsprop`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.RMSProp(centered=True).gamma2
        0.9
    """

    _factory = _o.rmsprop
    _static = _same("gamma1", "gamma2", "epsilon", "centered", "clip_weights")

    def __init__(
        self,
        learning_rate: float = _RMSPROP["learning_rate"],
        gamma1: float = _RMSPROP["gamma1"],
        gamma2: float = _RMSPROP["gamma2"],
        epsilon: float = _RMSPROP["epsilon"],
        centered: bool = _RMSPROP["centered"],
        clip_weights: float | None = _RMSPROP["clip_weights"],
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights


@register
class AdaDelta(Optimizer):
    """AdaDelta (``mx.optimizer.AdaDelta``; the learning rate is unused, as in MXNet).

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.AdaDelta().rho
        0.9
    """

    _factory = _o.adadelta
    _static = _same("rho", "epsilon")

    def __init__(
        self, rho: float = _ADADELTA["rho"], epsilon: float = _ADADELTA["epsilon"], **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon


@register
class Ftrl(Optimizer):
    """FTRL-Proximal (``mx.optimizer.Ftrl``); see :func:`mxjax.optim.ftrl`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.Ftrl().learning_rate
        0.1
    """

    _factory = _o.ftrl
    _static = _same("lamda1", "beta")
    _lazy_rows = True  # MXNet's ftrl_update on row_sparse gradients

    def __init__(
        self,
        lamda1: float = _FTRL["lamda1"],
        learning_rate: float = _FTRL["learning_rate"],
        beta: float = _FTRL["beta"],
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate


@register
class Adamax(Optimizer):
    """Adamax (``mx.optimizer.Adamax``); see :func:`mxjax.optim.adamax`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.Adamax().learning_rate
        0.002
    """

    _factory = _o.adamax
    _static = _same("beta1", "beta2")

    def __init__(
        self,
        learning_rate: float = _ADAMAX["learning_rate"],
        beta1: float = _ADAMAX["beta1"],
        beta2: float = _ADAMAX["beta2"],
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2


@register
class Nadam(Optimizer):
    """Nadam (``mx.optimizer.Nadam``); see :func:`mxjax.optim.nadam`.

    Examples:
        >>> import mxjax as mx
        >>> mx.optimizer.Nadam().schedule_decay
        0.004
    """

    _factory = _o.nadam
    _static = _same("beta1", "beta2", "epsilon", "schedule_decay")

    def __init__(
        self,
        learning_rate: float = _NADAM["learning_rate"],
        beta1: float = _NADAM["beta1"],
        beta2: float = _NADAM["beta2"],
        epsilon: float = _NADAM["epsilon"],
        schedule_decay: float = _NADAM["schedule_decay"],
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
