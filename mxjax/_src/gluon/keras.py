"""Keras-style ``compile``/``fit``/``evaluate``/``predict`` on Gluon blocks.

The block's parameters become a pure parameter tree (keyed by Gluon's
structural names), its forward becomes a pure function (the same trace that
``hybridize`` compiles), and training runs the one jitted step of
:mod:`mxjax.train`. After ``fit`` the trained values are written back into
the block's ``Parameter`` objects, so ``save_parameters``, the imperative
Gluon loop and ``fit`` can be mixed freely.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import jax
import numpy as np

from mxjax._src.gluon import _bridge as B
from mxjax._src.host_random import copy_array
from mxjax._src.train.engine import Engine

__all__ = ["BlockEngine", "KerasMixin"]


class BlockEngine(Engine):
    """An :class:`mxjax.train.Engine` over a Gluon block."""

    def __init__(self, block, seed: int = 0):
        self.block = block
        self._names: list[str] | None = None
        # called before the optimizer state is made (the Estimator builds its Trainer's states)
        self._prepare_optimizer = None
        super().__init__(self._apply, self._init, seed=seed)

    def _output_model(self):
        return self.block

    # Parameters ----------------------------------------------------------
    def _plan(self):
        named = OrderedDict()
        seen = set()
        for name, p in self.block._collect_params_with_prefix().items():
            if id(p) not in seen:
                seen.add(id(p))
                named[name] = p
        diff = OrderedDict((n, p) for n, p in named.items() if p.grad_req != "null")
        const = OrderedDict((n, p) for n, p in named.items() if p.grad_req == "null")
        return diff, const

    def _ensure_block_initialized(self, example):
        from mxjax import autograd, init, nd

        params = self.block.collect_params()
        if any(p._data is None and not getattr(p, "_deferred", None) for p in params.values()):
            self.block.initialize(init.Xavier())
        if any(p._data is None for p in params.values()):
            args = example if isinstance(example, tuple) else (example,)
            # one row of zeros: only the shapes matter (the example may hold only shapes)
            rows = [nd.NDArray(jax.device_put(np.zeros((1, *a.shape[1:]), a.dtype))) for a in args]
            if callable(getattr(self.block, "infer_shape", None)):  # a HybridBlock
                self.block.infer_shape(*rows)  # an abstract pass: compiles nothing
            else:
                with autograd.pause():
                    self.block(*rows)

    def _init(self, key, *x):
        del key
        self._ensure_block_initialized(tuple(x))
        return self.pull()

    def pull(self):
        """Reads the block's current parameter values into ``(params, state)`` trees."""
        diff, const = self._plan()
        self._diff, self._const = diff, const
        params = {n: copy_array(p.data().jax) for n, p in diff.items()}
        state = {n: copy_array(p.data().jax) for n, p in const.items()}
        return params, state

    def push(self) -> None:
        """Writes the trained ``(params, state)`` back into the block's Parameters."""
        from mxjax import nd

        self._pushed = {}
        for tree, plist in ((self.params, self._diff), (self.state, self._const)):
            for n, p in plist.items():
                p.set_data(nd.NDArray(copy_array(tree[n])))
                self._pushed[n] = p.data()

    # Forward -------------------------------------------------------------
    def _apply(self, params, state, *x, key=None, train=False):
        diff, const = list(self._diff.values()), list(self._const.values())
        pure = B.pure_forward(self.block, diff, const, train)
        dvals = tuple(params[n] for n in self._diff)
        cvals = tuple(state[n] for n in self._const)
        if key is None:
            key = jax.random.key(0)
        out, new_const = pure(dvals, cvals, key, *x)
        return out, dict(zip(self._const, new_const))

    # Keep the block in sync ---------------------------------------------
    def _block_changed(self) -> bool:
        """True when the block's parameter arrays are not the ones :meth:`push` wrote."""
        pushed = getattr(self, "_pushed", None)
        if pushed is None:
            return True
        diff, const = self._plan()
        current = {n: p.data() for n, p in {**diff, **const}.items()}
        return current.keys() != pushed.keys() or any(current[n] is not pushed[n] for n in current)

    def _refresh_from_block(self) -> None:
        """Re-reads the block if it changed since the last fit; keeps the optimizer state."""
        if getattr(self, "_fitting", False):
            return  # inside fit (validation, callbacks): the engine holds the newest weights
        if self.params is not None and self._block_changed():
            opt_state = self.opt_state
            self.params, self.state = self.pull()
            fresh = jax.tree.structure(jax.eval_shape(self.tx.init, self.params))
            same = opt_state is not None and fresh == jax.tree.structure(opt_state)
            self.opt_state = opt_state if same else None

    def fit(self, *args, **kwargs):
        self._refresh_from_block()  # the block may have been trained imperatively
        self._fitting = True
        try:
            return super().fit(*args, **kwargs)
        finally:
            self._fitting = False
            if self.params is not None:
                self.push()

    def _ensure_init(self, x_example):
        if self.params is None:
            self.params, self.state = self._init(
                None, *(x_example if isinstance(x_example, tuple) else (x_example,))
            )
        if self.opt_state is None:
            if self._prepare_optimizer is not None:
                self._prepare_optimizer()
            self.opt_state = self._init_opt_state()

    def evaluate(self, *args, **kwargs):
        self._refresh_from_block()
        return super().evaluate(*args, **kwargs)

    def predict(self, x, batch_size: int = 32):
        self._refresh_from_block()
        return super().predict(x, batch_size)

    def _ensure_init_params_only(self, bx):
        self.params, self.state = self._init(None, *(bx if isinstance(bx, tuple) else (bx,)))


class KerasMixin:
    """Adds ``compile``/``fit``/``evaluate``/``predict`` to Gluon blocks.

    Examples:
        >>> import numpy as np
        >>> from mxjax.gluon import nn
        >>> net = nn.Sequential()
        >>> net.add(nn.Dense(16, activation="relu", input_shape=(4,)), nn.Dense(2))
        >>> net.compile(optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"])
        >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
        >>> history = net.fit(x, (x[:, 0] > 0).astype("int32"), epochs=2, batch_size=16, verbose=0)
        >>> len(history.history["loss"])
        2
    """

    def compile(
        self,
        optimizer: Any = "adam",
        loss: Any = "softmax_cross_entropy",
        metrics=None,
        learning_rate=None,
        seed: int = 0,
    ):
        """Configures Keras-style training (see :meth:`mxjax.train.Engine.compile`)."""
        engine = BlockEngine(self, seed=seed)
        engine.compile(optimizer=optimizer, loss=loss, metrics=metrics, learning_rate=learning_rate)
        object.__setattr__(self, "_keras_engine", engine)

    def _engine(self, what: str) -> BlockEngine:
        engine = self.__dict__.get("_keras_engine")
        if engine is None:
            raise RuntimeError(
                f"call net.compile(optimizer=..., loss=..., metrics=...) before net.{what}()"
            )
        return engine

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        initial_epoch=0,
        steps_per_epoch=None,
        devices=None,
        resume=None,
    ):
        """Trains the block with the jitted step; returns a :class:`mxjax.train.History`.

        ``resume`` and ``callbacks=[mxjax.train.BackupAndRestore(dir)]`` continue an
        interrupted run exactly (see :meth:`mxjax.train.Engine.fit`).
        """
        return self._engine("fit").fit(
            x, y, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
            validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
            initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch, devices=devices,
            resume=resume,
        )  # fmt: skip

    def evaluate(self, x=None, y=None, batch_size: int = 32, verbose: int = 0):
        """Returns ``{'loss': ..., <metric>: ...}`` on ``(x, y)`` in inference mode."""
        return self._engine("evaluate").evaluate(x, y, batch_size=batch_size, verbose=verbose)

    def predict(self, x, batch_size: int = 32):
        """Returns the block's outputs for ``x`` as a NumPy array (inference mode)."""
        return self._engine("predict").predict(x, batch_size=batch_size)
