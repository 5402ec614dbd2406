"""JAX peers: Flax NNX (``nnx.jit`` and split/merge + ``jax.jit``), Equinox, Haiku.

The CNN takes NCHW input like every contender; these libraries convolve
channels-last, so the model transposes once at its input, as a user would.
ResNet-18 is written for raw JAX, mxjax, Gluon and PyTorch only.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax
from worker import Skip
from workloads import LR, LSTM


def _xent(logits, y):
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def _no_resnet(w):
    if w.model == "resnet18":
        raise Skip("ResNet-18 is written for raw JAX, mxjax, Gluon and PyTorch only")


# ---------------------------------------------------------------- Flax NNX
def _nnx_model(w):
    from flax import nnx

    r = nnx.Rngs(0)
    if w.model == "mlp":

        class M(nnx.Module):
            def __init__(self):
                self.l1, self.l2, self.l3 = (
                    nnx.Linear(784, 256, rngs=r),
                    nnx.Linear(256, 256, rngs=r),
                    nnx.Linear(256, 10, rngs=r),
                )

            def __call__(self, x):
                return self.l3(jax.nn.relu(self.l2(jax.nn.relu(self.l1(x)))))
    elif w.model == "cnn":

        class M(nnx.Module):
            def __init__(self):
                self.c1 = nnx.Conv(1, 32, (3, 3), padding="VALID", rngs=r)
                self.c2 = nnx.Conv(32, 64, (3, 3), padding="VALID", rngs=r)
                self.d1, self.d2 = nnx.Linear(1600, 128, rngs=r), nnx.Linear(128, 10, rngs=r)

            def __call__(self, x):
                x = jnp.transpose(x, (0, 2, 3, 1))
                x = nnx.max_pool(jax.nn.relu(self.c1(x)), (2, 2), (2, 2))
                x = nnx.max_pool(jax.nn.relu(self.c2(x)), (2, 2), (2, 2))
                return self.d2(jax.nn.relu(self.d1(x.reshape(x.shape[0], -1))))
    elif w.model == "lstm":

        class M(nnx.Module):
            def __init__(self):
                self.emb = nnx.Embed(LSTM["vocab"], LSTM["embed"], rngs=r)
                self.rnn = nnx.RNN(nnx.OptimizedLSTMCell(LSTM["embed"], LSTM["hidden"], rngs=r))
                self.out = nnx.Linear(LSTM["hidden"], LSTM["vocab"], rngs=r)

            def __call__(self, x):
                return self.out(self.rnn(self.emb(x)))
    else:
        _no_resnet(w)
        raise ValueError(w.model)
    return M()


def _nnx_optimizer(model):
    from flax import nnx

    try:
        return nnx.Optimizer(model, optax.adam(LR), wrt=nnx.Param)
    except TypeError:  # flax < 0.11
        return nnx.Optimizer(model, optax.adam(LR))


def _nnx_update(opt, model, grads):
    try:
        opt.update(model, grads)
    except TypeError:  # flax < 0.11
        opt.update(grads)


def build_nnx_jit(w, x, y):
    from flax import nnx

    model = _nnx_model(w)
    opt = _nnx_optimizer(model)

    @nnx.jit
    def train_step(model, opt, xb, yb):
        loss, grads = nnx.value_and_grad(lambda m: _xent(m(xb), yb))(model)
        _nnx_update(opt, model, grads)
        return loss

    xb, yb = jnp.asarray(x), jnp.asarray(y)
    return {"step": lambda: train_step(model, opt, xb, yb)}


def build_nnx_split(w, x, y):
    from flax import nnx

    model = _nnx_model(w)
    opt = _nnx_optimizer(model)
    graphdef, state = nnx.split((model, opt))

    def train_step(state, xb, yb):
        model, opt = nnx.merge(graphdef, state)
        loss, grads = nnx.value_and_grad(lambda m: _xent(m(xb), yb))(model)
        _nnx_update(opt, model, grads)
        return nnx.state((model, opt)), loss

    train_step = jax.jit(train_step, donate_argnums=0)
    xb, yb = jnp.asarray(x), jnp.asarray(y)
    st = [state]

    def step():
        st[0], loss = train_step(st[0], xb, yb)
        return loss

    return {"step": step}


# ---------------------------------------------------------------- Equinox
def _eqx_model(w):
    import equinox as eqx

    k = iter(jax.random.split(jax.random.key(0), 8))
    if w.model == "mlp":

        class M(eqx.Module):
            layers: list

            def __init__(self):
                self.layers = [
                    eqx.nn.Linear(784, 256, key=next(k)),
                    eqx.nn.Linear(256, 256, key=next(k)),
                    eqx.nn.Linear(256, 10, key=next(k)),
                ]

            def __call__(self, x):  # batched by hand: Linear is per-example, so vmap it
                for i, layer in enumerate(self.layers):
                    x = jax.vmap(layer)(x)
                    x = jax.nn.relu(x) if i < 2 else x
                return x
    elif w.model == "cnn":

        class M(eqx.Module):
            c1: eqx.nn.Conv2d
            c2: eqx.nn.Conv2d
            d1: eqx.nn.Linear
            d2: eqx.nn.Linear
            pool: eqx.nn.MaxPool2d

            def __init__(self):
                self.c1, self.c2 = (
                    eqx.nn.Conv2d(1, 32, 3, key=next(k)),
                    eqx.nn.Conv2d(32, 64, 3, key=next(k)),
                )
                self.d1, self.d2 = (
                    eqx.nn.Linear(1600, 128, key=next(k)),
                    eqx.nn.Linear(128, 10, key=next(k)),
                )
                self.pool = eqx.nn.MaxPool2d(2, 2)

            def __call__(self, x):  # per example, CHW (Equinox's convention), vmapped below
                x = self.pool(jax.nn.relu(self.c1(x)))
                x = self.pool(jax.nn.relu(self.c2(x)))
                return self.d2(jax.nn.relu(self.d1(x.reshape(-1))))

            batched = True
    elif w.model == "lstm":

        class M(eqx.Module):
            emb: eqx.nn.Embedding
            cell: eqx.nn.LSTMCell
            out: eqx.nn.Linear

            def __init__(self):
                self.emb = eqx.nn.Embedding(LSTM["vocab"], LSTM["embed"], key=next(k))
                self.cell = eqx.nn.LSTMCell(LSTM["embed"], LSTM["hidden"], key=next(k))
                self.out = eqx.nn.Linear(LSTM["hidden"], LSTM["vocab"], key=next(k))

            def __call__(self, tokens):  # one sequence (seq,) -> (seq, vocab)
                e = jax.vmap(self.emb)(tokens)
                h0 = (jnp.zeros(LSTM["hidden"]), jnp.zeros(LSTM["hidden"]))

                def f(c, xt):
                    c = self.cell(xt, c)
                    return c, c[0]

                _, hs = jax.lax.scan(f, h0, e)
                return jax.vmap(self.out)(hs)
    else:
        _no_resnet(w)
        raise ValueError(w.model)
    return M()


def build_equinox(w, x, y):
    import equinox as eqx

    model = _eqx_model(w)
    tx = optax.adam(LR)
    opt_state = tx.init(eqx.filter(model, eqx.is_array))
    per_example = w.model in ("cnn", "lstm")

    def loss_fn(m, xb, yb):
        logits = jax.vmap(m)(xb) if per_example else m(xb)
        return _xent(logits, yb)

    @eqx.filter_jit(donate="all")
    def train_step(m, s, xb, yb):
        loss, g = eqx.filter_value_and_grad(loss_fn)(m, xb, yb)
        updates, s = tx.update(g, s, eqx.filter(m, eqx.is_array))
        return eqx.apply_updates(m, updates), s, loss

    xb, yb = jnp.asarray(x), jnp.asarray(y)
    st = [model, opt_state]

    def step():
        st[0], st[1], loss = train_step(st[0], st[1], xb, yb)
        return loss

    return {"step": step}


# ---------------------------------------------------------------- Haiku
def build_haiku(w, x, y):
    import haiku as hk

    _no_resnet(w)

    def forward(xb):
        if w.model == "mlp":
            return hk.nets.MLP([256, 256, 10])(xb)
        if w.model == "cnn":
            h = jnp.transpose(xb, (0, 2, 3, 1))
            h = hk.MaxPool(2, 2, "VALID")(jax.nn.relu(hk.Conv2D(32, 3, padding="VALID")(h)))
            h = hk.MaxPool(2, 2, "VALID")(jax.nn.relu(hk.Conv2D(64, 3, padding="VALID")(h)))
            h = jax.nn.relu(hk.Linear(128)(h.reshape(h.shape[0], -1)))
            return hk.Linear(10)(h)
        e = hk.Embed(LSTM["vocab"], LSTM["embed"])(xb.T)  # (seq, batch, embed)
        core = hk.LSTM(LSTM["hidden"])
        hs, _ = hk.dynamic_unroll(core, e, core.initial_state(xb.shape[0]))
        return jnp.swapaxes(hk.Linear(LSTM["vocab"])(hs), 0, 1)

    net = hk.without_apply_rng(hk.transform(forward))
    xb, yb = jnp.asarray(x), jnp.asarray(y)
    params = net.init(jax.random.key(0), xb)
    tx = optax.adam(LR)
    opt_state = tx.init(params)

    def train_step(p, s, xb, yb):
        loss, g = jax.value_and_grad(lambda p: _xent(net.apply(p, xb), yb))(p)
        updates, s = tx.update(g, s, p)
        return optax.apply_updates(p, updates), s, loss

    train_step = jax.jit(train_step, donate_argnums=(0, 1))
    st = [params, opt_state]

    def step():
        st[0], st[1], loss = train_step(st[0], st[1], xb, yb)
        return loss

    return {"step": step}
