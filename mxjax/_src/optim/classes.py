"""MXNet's optimizer classes (``mx.optimizer.SGD`` ...) with MXNet's signatures.

Each class stores its hyperparameters under MXNet's attribute names and maps
them onto the :mod:`mxjax.optim` factory of the same name (see
:class:`mxjax.optimizer.Optimizer` for the ``to_optax`` interface).
"""

from __future__ import annotations

from typing import Any

import jax

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

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update


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

    def __init__(self, momentum: float = 0.0, **kwargs: Any):
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

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.9, wd_lh: float = 0.0, **kwargs: Any
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
        self, beta1: float = 0.6, beta2: float = 0.999, epsilon: float = 1e-8, **kwargs: Any
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

    def __init__(
        self,
        momentum: float = 0.0,
        lazy_update: bool = True,
        eta: float = 0.001,
        eps: float = 0,
        momentum_correction: bool = True,
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
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-6,
        lower_bound: float | None = None,
        upper_bound: float | None = None,
        bias_correction: bool = True,
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

    def __init__(self, momentum: float = 0.0, lamda: float = 0.04, **kwargs: Any):
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

    def __init__(self, key: jax.Array | int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self.key = key


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
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        lazy_update: bool = True,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update


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
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        correct_bias: bool = True,
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

    def __init__(self, eps: float = 1e-7, **kwargs: Any):
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
        learning_rate: float = 0.001,
        gamma1: float = 0.9,
        gamma2: float = 0.9,
        epsilon: float = 1e-8,
        centered: bool = False,
        clip_weights: float | None = None,
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

    def __init__(self, rho: float = 0.9, epsilon: float = 1e-5, **kwargs: Any):
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

    def __init__(
        self, lamda1: float = 0.01, learning_rate: float = 0.1, beta: float = 1, **kwargs: Any
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
        self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999, **kwargs: Any
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
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        schedule_decay: float = 0.004,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
