"""MXNet's ``mx.runtime``: which features this build has, answered for mxjax on JAX.

MXNet reports the options its native library was compiled with. mxjax has no
native library; each feature is answered from what JAX and the host offer
(``CUDA``: a GPU backend is present, ``INT64_TENSOR_SIZE``: JAX's 64-bit mode,
``CPU_*``: the host CPU's instruction sets), so code that branches on
``Features().is_enabled(...)`` takes the path that works here.
"""

from __future__ import annotations

import collections

import jax

__all__ = ["Feature", "Features", "feature_list"]

# MXNet 1.9.1's feature names, in its order (libinfo.h).
_NAMES = (
    "CUDA", "CUDNN", "NCCL", "CUDA_RTC", "TENSORRT", "CPU_SSE", "CPU_SSE2", "CPU_SSE3",
    "CPU_SSE4_1", "CPU_SSE4_2", "CPU_SSE4A", "CPU_AVX", "CPU_AVX2", "OPENMP", "SSE", "F16C",
    "JEMALLOC", "BLAS_OPEN", "BLAS_ATLAS", "BLAS_MKL", "BLAS_APPLE", "LAPACK", "MKLDNN",
    "OPENCV", "CAFFE", "PROFILER", "DIST_KVSTORE", "CXX14", "INT64_TENSOR_SIZE",
    "SIGNAL_HANDLER", "DEBUG", "TVM_OP",
)  # fmt: skip
_CPU_FLAGS = {
    "CPU_SSE": "sse", "CPU_SSE2": "sse2", "CPU_SSE3": "pni", "CPU_SSE4_1": "sse4_1",
    "CPU_SSE4_2": "sse4_2", "CPU_SSE4A": "sse4a", "CPU_AVX": "avx", "CPU_AVX2": "avx2",
    "SSE": "sse", "F16C": "f16c",
}  # fmt: skip


class Feature(collections.namedtuple("Feature", ["name", "enabled"])):
    """One feature: its ``name`` and whether it is ``enabled``.

    Examples:
        >>> from mxjax import runtime
        >>> runtime.Feature("LAPACK", True)
        ✔ LAPACK
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{'✔' if self.enabled else '✖'} {self.name}"


def _cpu_flags() -> set:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def feature_list() -> list:
    """The features, as a list of :class:`Feature` in MXNet's order.

    Examples:
        >>> from mxjax import runtime
        >>> [f.name for f in runtime.feature_list()][:2]
        ['CUDA', 'CUDNN']
    """
    gpu = any(d.platform == "gpu" for d in jax.devices())
    flags = _cpu_flags()
    on = {
        "CUDA": gpu,
        "CUDNN": gpu,
        "LAPACK": True,  # jax.numpy.linalg / jax.scipy.linalg
        "INT64_TENSOR_SIZE": bool(jax.config.jax_enable_x64),
    }
    on.update({name: flag in flags for name, flag in _CPU_FLAGS.items()})
    return [Feature(name, bool(on.get(name, False))) for name in _NAMES]


class Features(collections.OrderedDict):
    """An ordered dict name → :class:`Feature` (one instance, as in MXNet).

    Examples:
        >>> from mxjax import runtime
        >>> runtime.Features().is_enabled("LAPACK")
        True
    """

    instance = None

    def __new__(cls):
        if cls.instance is None:
            cls.instance = super().__new__(cls)
            super().__init__(cls.instance, [(f.name, f) for f in feature_list()])
        return cls.instance

    def __init__(self):  # filled once in __new__
        pass

    def __repr__(self) -> str:
        return str(list(self.values()))

    def is_enabled(self, feature_name: str) -> bool:
        """Whether ``feature_name`` (e.g. ``'CUDA'``) is enabled.

        Raises:
            RuntimeError: for an unknown name (as MXNet).
        """
        name = feature_name.upper()
        if name not in self:
            raise RuntimeError(
                f"Feature '{name}' is unknown, known features are: {list(self.keys())}"
            )
        return self[name].enabled
