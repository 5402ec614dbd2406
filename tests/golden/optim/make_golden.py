"""Generates the MXNet 1.9.1 golden values for the optimizer and lr_scheduler tests.

Run with the MXNet venv (not collected by pytest)::

    /tmp/mxnet/bin/python tests/golden/optim/make_golden.py

Writes ``optimizers.npz`` (weights after every one of 5 steps for each config)
and ``lr_schedulers.npz`` (scheduler values for num_update = 0..59).
"""

import json
import os
import tempfile

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 5
NAMES = ["fc_weight", "fc_bias"]

# name -> (mxnet optimizer name, kwargs, lr_mult, wd_mult, separate instance per weight)
CLIP = dict(rescale_grad=0.5, clip_gradient=1.0)
MULTS = ({"fc_bias": 2.0}, {"fc_bias": 0.5})
NOMULT = ({}, {"fc_bias": 1.0})
CONFIGS = {
    "sgd_plain": ("sgd", dict(learning_rate=0.1), *NOMULT),
    "sgd_full": ("sgd", dict(learning_rate=0.1, momentum=0.9, wd=0.01, **CLIP), *MULTS),
    "sgd_wd_nomom": ("sgd", dict(learning_rate=0.1, wd=0.05, **CLIP), *MULTS),
    "nag_full": ("nag", dict(learning_rate=0.1, momentum=0.9, wd=0.01, **CLIP), *MULTS),
    "nag_nomom": ("nag", dict(learning_rate=0.1, wd=0.01), *NOMULT),
    "adam_plain": ("adam", dict(learning_rate=0.01), *NOMULT),
    "adam_full": (
        "adam",
        dict(learning_rate=0.01, beta1=0.8, beta2=0.99, epsilon=1e-6, wd=0.01, **CLIP),
        *MULTS,
    ),
    "adamax_full": ("adamax", dict(learning_rate=0.01, wd=0.01, **CLIP), *MULTS),
    "nadam_full": ("nadam", dict(learning_rate=0.01, wd=0.01, **CLIP), *MULTS),
    "rmsprop_full": ("rmsprop", dict(learning_rate=0.01, gamma1=0.8, wd=0.01, **CLIP), *MULTS),
    "rmsprop_centered": (
        "rmsprop",
        dict(
            learning_rate=0.01,
            centered=True,
            gamma1=0.8,
            gamma2=0.7,
            wd=0.01,
            clip_weights=0.5,
            **CLIP,
        ),
        *MULTS,
    ),
    "adagrad_full": ("adagrad", dict(learning_rate=0.1, wd=0.01, eps=1e-6, **CLIP), *MULTS),
    "adadelta_full": ("adadelta", dict(rho=0.8, epsilon=1e-4, wd=0.01, **CLIP), *MULTS),
    "ftrl_full": ("ftrl", dict(learning_rate=0.1, lamda1=0.01, beta=1.0, wd=0.01, **CLIP), *MULTS),
    "ftml_full": ("ftml", dict(learning_rate=0.01, wd=0.01, **CLIP), *MULTS),
    "signum_full": (
        "signum",
        dict(learning_rate=0.01, momentum=0.9, wd=0.01, wd_lh=0.02, **CLIP),
        *MULTS,
    ),
    "signsgd": ("signum", dict(learning_rate=0.01, momentum=0.0, wd=0.05, **CLIP), *MULTS),
    "lamb_full": ("lamb", dict(learning_rate=0.01, wd=0.01, **CLIP), *MULTS),
    "lamb_bounds": (
        "lamb",
        dict(learning_rate=0.01, wd=0.01, bias_correction=False, lower_bound=2.5, upper_bound=3.0),
        *NOMULT,
    ),
    "lars_full": ("lars", dict(learning_rate=0.1, momentum=0.9, eta=0.01, wd=0.01, **CLIP), *MULTS),
    "lars_nomom": ("lars", dict(learning_rate=0.1, eta=0.1, eps=1e-3, wd=0.01), *NOMULT),
    # DCASGD with momentum crashes in MXNet 1.9.1 (`if mom:` on an NDArray).
    "dcasgd_full": (
        "dcasgd",
        dict(learning_rate=0.1, momentum=0.0, lamda=0.04, wd=0.01, **CLIP),
        *MULTS,
    ),
}


def run_optimizers(rng):
    out = {}
    w_init = [rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(4,)).astype(np.float32)]
    grads = [
        (3 * rng.normal(size=(STEPS, 3, 4))).astype(np.float32),
        (3 * rng.normal(size=(STEPS, 4))).astype(np.float32),
    ]
    out["init/fc_weight"], out["init/fc_bias"] = w_init
    out["grad/fc_weight"], out["grad/fc_bias"] = grads
    meta = {}
    for cfg, (name, kwargs, lr_mult, wd_mult) in CONFIGS.items():
        # Nadam keeps one m_schedule per optimizer object (shared across weights),
        # so every weight gets its own optimizer instance to get per-parameter values.
        n_inst = 2 if name == "nadam" else 1
        opts = []
        for _ in range(n_inst):
            opt = mx.optimizer.create(name, param_idx2name=dict(enumerate(NAMES)), **kwargs)
            opt.set_lr_mult(lr_mult)
            opt.set_wd_mult(wd_mult)
            opts.append(opt)
        updaters = [mx.optimizer.get_updater(o) for o in opts]
        weights = [mx.nd.array(w) for w in w_init]
        hist = [[], []]
        for step in range(STEPS):
            for i in range(2):
                upd = updaters[i % n_inst]
                upd(i, mx.nd.array(grads[i][step]), weights[i])
                hist[i].append(weights[i].asnumpy().copy())
        for i, pname in enumerate(NAMES):
            out[f"{cfg}/{pname}"] = np.stack(hist[i])
        meta[cfg] = dict(name=name, kwargs=kwargs, lr_mult=lr_mult, wd_mult=wd_mult)
    # AdamW (mxnet.nd.contrib.adamw_update, eta=1): w -= lr_t*m/(sqrt(v)+eps) + lr*wd*w,
    # with lr_t = lr*sqrt(1-b2^t)/(1-b1^t); a single weight.
    lr, wd, b1, b2, eps = 0.01, 0.1, 0.9, 0.999, 1e-8
    w = mx.nd.array(w_init[0])
    m, v = mx.nd.zeros(w.shape), mx.nd.zeros(w.shape)
    hist = []
    for step in range(STEPS):
        t = step + 1
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        mx.nd.contrib.adamw_update(
            w,
            mx.nd.array(grads[0][step]),
            m,
            v,
            mx.nd.array([0.5]),
            out=w,
            lr=lr_t,
            eta=1.0,
            beta1=b1,
            beta2=b2,
            epsilon=eps,
            wd=lr * wd / 1.0,
            clip_gradient=1.0,
        )
        hist.append(w.asnumpy().copy())
    out["adamw/fc_weight"] = np.stack(hist)
    meta["adamw"] = dict(name="adamw", kwargs=dict(learning_rate=lr, wd=wd, **CLIP))
    out["meta"] = np.array(json.dumps(meta))
    return out


SCHEDULERS = {
    "factor": ("FactorScheduler", dict(step=7, factor=0.5, base_lr=0.1, stop_factor_lr=0.005)),
    "factor_warmup": (
        "FactorScheduler",
        dict(step=10, factor=0.9, base_lr=0.1, warmup_steps=5, warmup_begin_lr=0.01),
    ),
    "multifactor": ("MultiFactorScheduler", dict(step=[5, 12, 30], factor=0.3, base_lr=0.2)),
    "multifactor_warmup": (
        "MultiFactorScheduler",
        dict(
            step=[10, 20],
            factor=0.5,
            base_lr=0.1,
            warmup_steps=4,
            warmup_begin_lr=0.02,
            warmup_mode="constant",
        ),
    ),
    "poly": ("PolyScheduler", dict(max_update=40, base_lr=0.1, pwr=2, final_lr=0.001)),
    "poly_warmup": (
        "PolyScheduler",
        dict(
            max_update=50,
            base_lr=0.1,
            pwr=1.5,
            final_lr=0.0,
            warmup_steps=10,
            warmup_begin_lr=0.001,
        ),
    ),
    "cosine": ("CosineScheduler", dict(max_update=45, base_lr=0.1, final_lr=0.01)),
    "cosine_warmup": (
        "CosineScheduler",
        dict(
            max_update=30,
            base_lr=0.05,
            final_lr=0.0,
            warmup_steps=8,
            warmup_mode="constant",
            warmup_begin_lr=0.01,
        ),
    ),
}


def run_schedulers():
    out = {}
    for cfg, (cls, kwargs) in SCHEDULERS.items():
        sched = getattr(mx.lr_scheduler, cls)(**kwargs)
        out[cfg] = np.array([sched(n) for n in range(60)], dtype=np.float64)
    out["meta"] = np.array(json.dumps(SCHEDULERS))
    return out


def save(path, arrays):
    fd, tmp = tempfile.mkstemp(dir=HERE, suffix=".npz")
    os.close(fd)
    np.savez_compressed(tmp, **arrays)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


if __name__ == "__main__":
    save(os.path.join(HERE, "optimizers.npz"), run_optimizers(np.random.RandomState(0)))
    save(os.path.join(HERE, "lr_schedulers.npz"), run_schedulers())
    print("ok")
