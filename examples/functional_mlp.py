"""Train an MLP on the embedded MNIST subset with the pure functional core.

init/apply from ``mxjax.layers``, optax for the update, one ``jax.jit`` step.

    python examples/functional_mlp.py --epochs 5
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mxjax import data, layers as L


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    print("Using the embedded MNIST subset (4,000 train / 1,000 test images).")
    x_train, y_train = data.embedded_mnist(train=True)
    x_test, y_test = data.embedded_mnist(train=False)
    x_train = x_train.reshape(len(x_train), -1).astype(np.float32) / 255.0
    x_test = x_test.reshape(len(x_test), -1).astype(np.float32) / 255.0

    net = (
        L.Sequential([L.Dense(256, activation="relu"), L.Dropout(0.2), L.Dense(10)])
        if hasattr(L, "Dropout")
        else L.Sequential([L.Dense(256, activation="relu"), L.Dense(10)])
    )
    key, init_key = jax.random.split(jax.random.key(args.seed))
    params, state = net.init(init_key, jnp.asarray(x_train[:1]), initializer="xavier")
    tx = optax.adam(args.lr)
    opt_state = tx.init(params)

    def loss_fn(params, state, x, y, key):
        logits, state = net.apply(params, state, x, key=key, train=True)
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        return loss, state

    @jax.jit
    def step(params, state, opt_state, x, y, key):
        (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, state, x, y, key)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), state, opt_state, loss

    @jax.jit
    def predict(params, state, x):
        return jnp.argmax(net.apply(params, state, x)[0], axis=-1)

    rng = np.random.default_rng(args.seed)
    n = len(x_train) // args.batch_size * args.batch_size
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        perm = rng.permutation(len(x_train))[:n].reshape(-1, args.batch_size)
        losses = []
        for idx in perm:
            key, sub = jax.random.split(key)
            params, state, opt_state, loss = step(
                params, state, opt_state, x_train[idx], y_train[idx], sub
            )
            losses.append(loss)
        acc = float(jnp.mean(predict(params, state, x_test) == y_test))
        print(
            f"epoch {epoch + 1}/{args.epochs}  loss {float(jnp.mean(jnp.stack(losses))):.4f}  "
            f"test accuracy {acc:.4f}  ({time.perf_counter() - t0:.1f}s)"
        )
    print(f"final test accuracy: {acc:.4f}")
    return acc


if __name__ == "__main__":
    main()
