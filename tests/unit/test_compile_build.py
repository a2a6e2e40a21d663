"""scripts.compile_build: bytecode Lambda can use, from the runtime's Python only."""

from __future__ import annotations

import sys

import pytest

from scripts.check_build import missing_bytecode
from scripts.compile_build import CannotCompile, compile_build, main

THIS_PYTHON = f"python{sys.version_info.major}.{sys.version_info.minor}"


def _build(tmp_path, runtime: str = THIS_PYTHON):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "template.yaml").write_text(
        "Globals:\n  Function:\n    Runtime: " + runtime + "\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
    )
    package = tmp_path / "Fn" / "pkg"
    package.mkdir(parents=True)
    (tmp_path / "Fn" / "app.py").write_text("import pkg\n")
    (package / "__init__.py").write_text("VALUE = 1\n")
    return tmp_path


def test_every_module_gets_unchecked_hash_based_bytecode(tmp_path):
    build = _build(tmp_path)
    assert len(missing_bytecode(build)) == 2
    assert compile_build(build)
    assert missing_bytecode(build) == []


def test_timestamp_bytecode_does_not_count(tmp_path):
    import py_compile

    build = _build(tmp_path)
    for source in build.rglob("*.py"):
        py_compile.compile(str(source), invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    assert len(missing_bytecode(build)) == 2  # would go stale once sam deploy zips it
    assert main([str(build)]) == 0
    assert missing_bytecode(build) == []


def test_bytecode_of_another_python_is_refused(tmp_path):
    build = _build(tmp_path, runtime="python3.12")
    with pytest.raises(CannotCompile, match="python3.12"):
        compile_build(build)
    assert main([str(build)]) == 2
    assert len(missing_bytecode(build)) == 2


def test_bytecode_elsewhere_does_not_count_and_is_not_written(tmp_path, monkeypatch):
    """With PYTHONPYCACHEPREFIX set, bytecode goes to that folder, where Lambda never looks."""
    import py_compile

    build = _build(tmp_path / "build")
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "prefix"))
    for source in build.rglob("*.py"):
        py_compile.compile(str(source), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    assert any((tmp_path / "prefix").rglob("*.pyc"))
    assert len(missing_bytecode(build)) == 2
    with pytest.raises(CannotCompile, match="PYTHONPYCACHEPREFIX"):
        compile_build(build)
