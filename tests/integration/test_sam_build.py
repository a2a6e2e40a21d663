"""`sam build` output is what Lambda can run.

Two builds, each into a pytest temp dir with SAM's cache off (they need PyPI):
  * for this machine's architecture (`Architecture=x86_64` here): each handler is imported from
    the built artifacts alone, in a fresh interpreter that sees only the function's folder, the
    layer's `python/` and the standard library, with the template's environment;
  * with the template's default parameters (arm64): the layer's native code must be arm64, which
    shows the layer's `BuildArchitecture: !Ref Architecture` follows the parameter.
Each is then byte-compiled as `make build` does (`scripts.compile_build`): `sam build` ships no
bytecode, and Lambda cannot write any, so every module would be compiled on every cold start.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tooling.template import functions, load_template
from scripts.check_build import (
    SAM_CLI_MISSING,
    HOST_ARCHITECTURE,
    built_layers,
    import_problems,
    main,
    missing_bytecode,
    native_code_problems,
    native_libraries,
    sam_build,
    sam_cli,
)
from scripts.compile_build import compile_build

pytestmark = pytest.mark.sam

TEMPLATE = load_template()
DEFAULT_ARCHITECTURE = TEMPLATE["Parameters"]["Architecture"]["Default"]


uncompiled: dict[str | None, int] = {}  # modules without bytecode as `sam build` left them


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """build(architecture) -> build dir; architecture None builds with the template's defaults.
    Each build runs once per module."""
    if sam_cli() is None:
        pytest.skip(SAM_CLI_MISSING)
    builds: dict[str | None, Path] = {}
    uncompiled.clear()

    def get(architecture: str | None) -> Path:
        if architecture not in builds:
            build_dir = tmp_path_factory.mktemp(f"sam-build-{architecture or 'default'}") / "build"
            started = time.monotonic()
            result = sam_build(build_dir, {"Architecture": architecture} if architecture else None)
            output = result.stdout[-5000:] + result.stderr[-5000:]
            assert result.returncode == 0, f"sam build failed:\n{output}"
            print(f"sam build ({architecture or 'template defaults'}): {time.monotonic() - started:.0f} s")
            uncompiled[architecture] = len(missing_bytecode(build_dir))
            assert compile_build(build_dir)
            builds[architecture] = build_dir
        return builds[architecture]

    return get


@pytest.fixture(scope="module")
def host_build(build) -> Path:
    if HOST_ARCHITECTURE is None:
        pytest.skip("this machine is neither x86_64 nor arm64: built code cannot be imported here")
    return build(HOST_ARCHITECTURE)


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_handler_imports_from_the_built_artifacts_alone(host_build, function_id):
    assert import_problems(host_build, function_id) == []


@pytest.mark.parametrize("architecture", [None, "x86_64"], ids=["template-default", "x86_64"])
def test_layer_native_code_is_for_the_built_architecture(build, architecture):
    build_dir = build(architecture)
    expected = architecture or DEFAULT_ARCHITECTURE
    for layer_id, (layer_dir, built_for) in built_layers(build_dir).items():
        assert built_for == expected, f"{layer_id} was built for {built_for}"
        # Not vacuous: the layer does hold native code (pydantic's core).
        assert any("pydantic_core" in path.parts for path in native_libraries(layer_dir)), layer_id
    assert native_code_problems(build_dir) == []


def test_check_build_command_accepts_the_default_build(build, capsys):
    assert main([str(build(None))]) == 0, capsys.readouterr().out


def test_sam_build_ships_no_bytecode_and_make_build_adds_it_to_every_module(host_build):
    assert uncompiled[HOST_ARCHITECTURE] > 500  # the layer's libraries and our code, all source only
    assert missing_bytecode(host_build) == []
