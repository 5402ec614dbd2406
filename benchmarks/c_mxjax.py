"""mxjax contenders: the functional loop (``mxjax.layers`` + optax + ``jax.jit``) and ``Model.fit``."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
from workloads import LR, LSTM


def make_net(model):
    """The workload's network from :mod:`mxjax.layers` (Gluon layouts: NCHW, TNC)."""
    from mxjax import layers as L
    from mxjax._src.train import zoo

    if model == "mlp":
        return zoo.mlp(10)  # mxjax's one MLP: 784-256-256-10
    if model == "cnn":
        return zoo.lenet(10)  # mxjax's one LeNet (without the CLI's augmentation and dropout)
    if model == "resnet18":
        return _resnet18(L)
    if model == "lstm":
        return _lstm_lm(L)
    raise ValueError(model)


def _resnet18(L):
    @L.layer
    class Basic(L.Composite):
        channels: int
        stride: int
        downsample: bool

        def forward(self, scope, x):
            c, s = self.channels, self.stride
            y = scope("conv1", L.Conv2D(c, 3, strides=s, padding=1, use_bias=False), x)
            y = jax.nn.relu(scope("bn1", L.BatchNorm(), y))
            y = scope("conv2", L.Conv2D(c, 3, padding=1, use_bias=False), y)
            y = scope("bn2", L.BatchNorm(), y)
            if self.downsample:
                x = scope("ds", L.Conv2D(c, 1, strides=s, use_bias=False), x)
                x = scope("dsbn", L.BatchNorm(), x)
            return jax.nn.relu(x + y)

    blocks, c_in = [], 64
    for c, s in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
        blocks.append(Basic(c, s, s != 1 or c_in != c))
        c_in = c
    return L.Sequential(
        [
            L.Conv2D(64, 3, padding=1, use_bias=False),
            L.BatchNorm(),
            L.Activation("relu"),
            *blocks,
            L.GlobalAvgPool2D(),
            L.Flatten(),
            L.Dense(10),
        ]
    )


def _lstm_lm(L):
    @L.layer
    class LM(L.Composite):
        def forward(self, scope, tokens):  # (batch, seq) -> (batch, seq, vocab)
            e = scope("embed", L.Embedding(LSTM["vocab"], LSTM["embed"]), tokens.T)
            h = scope("lstm", L.LSTM(LSTM["hidden"]), e)  # TNC
            out = scope("decoder", L.Dense(LSTM["vocab"], flatten=False), h)
            return jnp.swapaxes(out, 0, 1)

    return LM()


def build_functional(w, x, y):
    """A user's loop: ``net.init``/``net.apply`` + optax adam + one ``jax.jit`` step."""
    net = make_net(w.model)
    xb, yb = jax.device_put(x), jax.device_put(y)  # jnp.asarray compiles per shape
    params, state = net.init(jax.random.key(0), xb)
    tx = optax.adam(LR)
    opt_state = tx.init(params)

    def loss_fn(p, s, xb, yb):
        logits, s = net.apply(p, s, xb, train=True)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean(), s

    def train_step(p, s, o, xb, yb):
        (loss, s), g = jax.value_and_grad(loss_fn, has_aux=True)(p, s, xb, yb)
        updates, o = tx.update(g, o, p)
        return optax.apply_updates(p, updates), s, o, loss

    train_step = jax.jit(train_step, donate_argnums=(0, 1, 2))
    st = [params, state, opt_state]

    def step():
        st[0], st[1], st[2], loss = train_step(st[0], st[1], st[2], xb, yb)
        return loss

    return {"step": step}


def build_fit(w, x, y):
    """``Model.fit`` over pre-built arrays; ``run(n)`` is one ``fit`` of exactly n steps."""
    from mxjax.train import Model

    model = Model(make_net(w.model))
    model.compile(optimizer="adam", loss="softmax_cross_entropy", learning_rate=LR)
    reps = 64
    # device_put: on JAX >= 0.10 jnp.asarray of a NumPy array compiles a program per shape
    xs = jax.device_put(np.concatenate([x] * reps))
    ys = jax.device_put(np.concatenate([y] * reps))

    def run(n):
        for start in range(0, n, reps):
            k = min(reps, n - start)
            model.fit(
                xs, ys, batch_size=w.batch, epochs=1, verbose=0, shuffle=False, steps_per_epoch=k
            )
        jax.block_until_ready(model.params)

    return {"run": run}


def data_throughput(w, quick):
    """Images/s of ``mxjax.data.DataLoader`` (vectorized ToTensor+Normalize, 0 and 2 workers).

    Reuses ``benchmarks/data_throughput.py``; ``median_ms`` is ms per batch of the best setting.
    """
    from data_throughput import BatchToTensorNormalize, images_per_second

    from mxjax.data import ArrayDataset, DataLoader, embedded_mnist

    x, y = embedded_mnist(train=True)
    reps = 1 if quick else 5
    ds = ArrayDataset(np.tile(x, (reps, 1, 1, 1)), np.tile(y, reps))
    out = {}
    for workers in (0, 2):
        loader = DataLoader(
            ds, batch_size=w.batch, num_workers=workers, batch_transform=BatchToTensorNormalize()
        )
        try:
            out[f"images_per_s_workers{workers}"] = images_per_second(
                loader, w.steps if not quick else 1
            )
        finally:
            loader.close()
    best = max(out.values())
    out.update(images_per_s=best, median_ms=1e3 * w.batch / best)
    return out
