"""The package around the native module: its names, its stubs, its engine helpers' errors."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import nucleus_rs
import nucleus_rs._native as native
import pytest


def stub_tree():
    # The stubs ship next to the native module (in the wheel, and in a development install).
    return ast.parse((Path(native.__file__).parent / "_native.pyi").read_text(encoding="utf-8"))


def test_the_package_exports_the_native_module():
    public = {name for name in dir(native) if not name.startswith("_")}
    assert public == set(nucleus_rs.__all__) - {"__version__"}
    for name in public:
        assert getattr(nucleus_rs, name) is getattr(native, name)
    # Classes pickle under the package's names.
    assert nucleus_rs.CheckState.__module__ == "nucleus_rs"
    assert (Path(nucleus_rs.__file__).parent / "py.typed").exists()


def test_the_stubs_name_every_function_class_and_method():
    tree = stub_tree()
    stubbed = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    public = {name for name in dir(native) if not name.startswith("_")}
    assert set(stubbed) == public
    for name, node in stubbed.items():
        if isinstance(node, ast.ClassDef):
            cls = getattr(native, name)
            methods = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
            actual = {attr for attr in dir(cls) if not attr.startswith("_")}
            assert {m for m in methods if not m.startswith("_")} == actual, name


def test_engine_helpers_import_their_engine_only_when_called():
    # A fresh interpreter: importing nucleus_rs and its helpers imports no engine.
    code = (
        "import sys, nucleus_rs, nucleus_rs.spark, nucleus_rs.ray, nucleus_rs.dask; "
        "print(sorted(m for m in ('pyspark', 'ray', 'dask', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert nucleus_rs.spark is importlib.import_module("nucleus_rs.spark")


def test_a_missing_engine_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    with pytest.raises(ImportError, match=r"nucleus_rs.spark needs pyspark, which is not installed: pip install 'nucleus-rs\[spark\]'"):
        nucleus_rs.spark.check("items.jsonl")
