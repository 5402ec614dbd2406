"""Picklable datasets and transforms used by the DataLoader worker tests."""

import importlib.abc
import importlib.util
import os
import signal
import sys
import time

import numpy as np

from mxjax.data import Dataset, get_rng


class RandomSamples(Dataset):
    """Sample i is ``(i * ones(3) + noise from the per-sample rng, i)``."""

    def __init__(self, n=40):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full(3, i, np.float32) + get_rng().random(3).astype(np.float32), np.int32(i)


class Faulty(Dataset):
    """Misbehaves at index ``bad``: 'raise', 'kill' (SIGKILL itself), 'exit' or 'sleep'."""

    def __init__(self, mode, bad=5, n=16):
        self.mode, self.bad, self.n = mode, bad, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.bad:
            if self.mode == "raise":
                raise KeyError(f"broken sample {i}")
            if self.mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.mode == "exit":
                os._exit(3)
            if self.mode == "sleep":
                time.sleep(30)
        if self.mode == "probe":  # which heavy modules has the worker imported?
            return np.array(["jax" in sys.modules, "pytest" in sys.modules])
        return np.float32(i)


class VirtualModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """An import hook serving one module, ``_mxjax_virtual`` (``VALUE = 7``), from memory."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "_mxjax_virtual":
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.VALUE = 7
