"""Check, profile, query and project Scale AI Nucleus dataset items at Rust speed.

The functions and classes are those of the native module ``nucleus_rs._native`` (typed in
``_native.pyi``). ``nucleus_rs.spark``, ``nucleus_rs.ray`` and ``nucleus_rs.dask`` check and
profile a dataset where it lives; each imports its engine only when used (``pip install
nucleus-rs[spark]``, ``[ray]``, ``[dask]``).
"""

from nucleus_rs._native import (
    CameraParams,
    CheckResult,
    CheckState,
    DatasetItem,
    ProfileState,
    QueryIter,
    __version__,
    check,
    check_annotations,
    profile,
    query,
)

__all__ = [
    "CameraParams",
    "CheckResult",
    "CheckState",
    "DatasetItem",
    "ProfileState",
    "QueryIter",
    "__version__",
    "check",
    "check_annotations",
    "profile",
    "query",
]

_ENGINES = ("spark", "ray", "dask")


def __getattr__(name):
    # `nucleus_rs.spark.check(...)` after a plain `import nucleus_rs`: the engine helpers are
    # imported on first use (and they import their engine only when called).
    if name in _ENGINES:
        import importlib

        return importlib.import_module(f"nucleus_rs.{name}")
    raise AttributeError(f"module 'nucleus_rs' has no attribute {name!r}")
