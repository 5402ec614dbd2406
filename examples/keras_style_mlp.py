"""Keras-style ``compile``/``fit``/``evaluate`` on a Gluon MLP (the seed script's idiom).

python examples/keras_style_mlp.py --epochs 5
"""

import argparse

import numpy as np

from mxjax import data
from mxjax.gluon import nn


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)

    (x_train, y_train), (x_test, y_test) = data.embedded_mnist(True), data.embedded_mnist(False)
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255

    net = nn.Sequential()
    net.add(nn.Dense(32, activation="relu", input_shape=(784,)))
    net.add(nn.Dense(10))
    net.compile(optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"])
    history = net.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size)
    result = net.evaluate(x_test, y_test)
    print(f"test accuracy: {result['accuracy']:.4f}")
    probs = net.predict(x_test[:5])
    print("predictions:", np.argmax(probs, axis=1), "labels:", y_test[:5])
    return {"history": history.history, "test_accuracy": result["accuracy"]}


if __name__ == "__main__":
    main()
