"""Does each function import the way Lambda will import it?

    python -m scripts.check_build [BUILD_DIR]      # default .aws-sam/build (what `make build` writes)

A handler is imported in a fresh interpreter that sees only what Lambda puts on `sys.path`:
the function's code and its layers' `python/` folders (for a `sam build` output) or the
layers' source roots (for the source tree), plus the standard library; its environment is the
one template.yaml gives the function, intrinsics replaced by dummy values. The compiled
extensions in each built layer must be for the architecture the layer was built for; the
imports run only when that architecture is this machine's. Every module must carry the
bytecode `scripts.compile_build` writes.

The tests use the same pieces (tests/integration/test_template.py, test_sam_build.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tooling.intrinsics import Resolver, UnresolvableIntrinsic
from tooling.template import ROOT, TEMPLATE_PATH, Tag, functions, load_template, resources_of_type

DEFAULT_BUILD_DIR = ROOT / ".aws-sam" / "build"
DEFAULT_SAM_CLI = ROOT / ".venv-sam" / "bin" / "sam"
LAMBDA_REGION = "us-east-1"
SAM_CLI_MISSING = "SAM CLI is not installed (.venv-sam/bin/sam or $SAM_CLI); `make install` installs it"

_HASH_BASED_UNCHECKED = 0b01  # the flags word of a PEP 552 .pyc header: what scripts.compile_build writes

# Lambda architecture -> ELF e_machine of its native code.
ELF_MACHINES = {"x86_64": 0x3E, "arm64": 0xB7}
HOST_ARCHITECTURE = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
    platform.machine().lower()
)


# ------------------------------------------------------------------ reading the template


def ref_target(value: Any) -> str | None:
    """`!Ref X` (short form, as in template.yaml) or `{"Ref": X}` (long form, as `sam build`
    writes it) -> X; anything else -> None."""
    if isinstance(value, Tag) and value.name == "Ref":
        return value.value
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return value["Ref"]
    return None


def function_property(template: dict, function_id: str, name: str, default: Any = None) -> Any:
    """A function property as SAM applies it: the function's own value, else the Globals one."""
    own = template["Resources"][function_id]["Properties"]
    global_function = (template.get("Globals") or {}).get("Function") or {}
    return own.get(name, global_function.get(name, default))


def function_layers(template: dict, function_id: str) -> list[str]:
    """Logical ids of the template's layers a function uses (SAM appends the function's own
    Layers to the Globals ones). A layer given by ARN is not one of ours and is left out."""
    own = template["Resources"][function_id]["Properties"].get("Layers") or []
    global_layers = ((template.get("Globals") or {}).get("Function") or {}).get("Layers") or []
    return [target for target in map(ref_target, [*global_layers, *own]) if target]


def source_search_path(function_id: str, template: dict | None = None) -> list[Path]:
    """What Lambda would put on sys.path, taken from the source tree: the function's CodeUri and
    the ContentUri of each of its layers (a `BuildMethod: python3.x` layer is copied into `python/`)."""
    template = template or load_template()
    resources = template["Resources"]
    return [
        functions(template)[function_id].code_dir,
        *(
            ROOT / resources[layer_id]["Properties"]["ContentUri"]
            for layer_id in function_layers(template, function_id)
        ),
    ]


def built_search_path(build_dir: Path, function_id: str) -> list[Path]:
    """The same, inside a `sam build` output: <build>/<CodeUri> and <build>/<ContentUri>/python."""
    template = load_template(build_dir / "template.yaml")
    resources = template["Resources"]
    return [
        build_dir / resources[function_id]["Properties"]["CodeUri"],
        *(
            build_dir / resources[layer_id]["Properties"]["ContentUri"] / "python"
            for layer_id in function_layers(template, function_id)
        ),
    ]


def lambda_environment(function_id: str, template: dict | None = None) -> dict[str, str]:
    """The function's environment in Lambda: the template's variables (a `!Ref` to a parameter
    takes its default; other intrinsics become a dummy value) and what Lambda itself sets that
    changes an import (the region; the function name, which switches Powertools' Tracer on)."""
    template = template or load_template()
    environment = {
        "AWS_REGION": LAMBDA_REGION,
        "AWS_DEFAULT_REGION": LAMBDA_REGION,
        "AWS_LAMBDA_FUNCTION_NAME": function_id,
    }
    resolver = Resolver(template)
    for name, value in functions(template)[function_id].environment.items():
        try:  # literals, parameter defaults, conditions (!If)
            environment[name] = resolver.resolve_string(value, name)
        except UnresolvableIntrinsic:  # a resource's physical id: unknown before deployment
            environment[name] = f"dummy-{name.lower().replace('_', '-')}"
    return environment


# ------------------------------------------------------------------ interpreters and SAM CLI


@cache
def runtime_python(runtime: str) -> Path:
    """An interpreter for a Lambda runtime ("python3.13" -> a `python3.13` executable): on PATH,
    in this interpreter's base installation, or under ~/.pyenv/versions."""
    version = runtime.removeprefix("python")
    candidates = [
        shutil.which(runtime),
        Path(sys.base_prefix) / "bin" / runtime,
        *sorted(Path.home().glob(f".pyenv/versions/{version}*/bin/{runtime}")),
    ]
    for candidate in candidates:
        if candidate and _reports_version(Path(candidate), version):
            return Path(candidate)
    raise FileNotFoundError(f"no working {runtime} (looked on PATH, in {sys.base_prefix}, under ~/.pyenv)")


def _reports_version(python: Path, version: str) -> bool:
    """True if python runs and is that version (a pyenv shim for a version that is not
    selected is on PATH but fails)."""
    if not (python.is_file() and os.access(python, os.X_OK)):
        return False
    check = [str(python), "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
    result = subprocess.run(check, capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.strip() == version


def template_runtimes(template: dict | None = None) -> set[str]:
    template = template or load_template()
    runtimes = {
        function_property(template, function_id, "Runtime")
        for function_id in resources_of_type("AWS::Serverless::Function", template)
    }
    runtimes |= {
        (layer.get("Metadata") or {}).get("BuildMethod")
        for layer in resources_of_type("AWS::Serverless::LayerVersion", template).values()
    }
    return {runtime for runtime in runtimes if isinstance(runtime, str) and runtime.startswith("python")}


def sam_cli() -> Path | None:
    """The SAM CLI the Makefile installs (or $SAM_CLI); None when it is not installed."""
    path = Path(os.environ.get("SAM_CLI") or DEFAULT_SAM_CLI)
    path = path if path.is_absolute() else ROOT / path
    return path if path.is_file() else None


def sam_environment() -> dict[str, str]:
    """Environment for SAM CLI: no telemetry, and each runtime's interpreter on PATH first
    (`sam build` looks for `python3.13` there and fails if, say, pyenv's global is 3.11)."""
    interpreter_dirs = set()
    for runtime in template_runtimes():
        try:
            interpreter_dirs.add(str(runtime_python(runtime).parent))
        except FileNotFoundError:
            pass  # `sam build` will say which runtime it could not find; `sam validate` needs none
    path = os.pathsep.join([*sorted(interpreter_dirs), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "SAM_CLI_TELEMETRY": "0"}


def run_sam(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    sam = sam_cli()
    if sam is None:
        raise FileNotFoundError(SAM_CLI_MISSING)
    return subprocess.run(
        [str(sam), *args], cwd=ROOT, env=sam_environment(), capture_output=True, text=True, timeout=timeout
    )


def sam_build(build_dir: Path, overrides: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`sam build` of template.yaml into build_dir, never from or into a cache; `overrides` are
    template parameters (otherwise samconfig.toml's, or the template's defaults)."""
    args = ["build", "--template-file", str(TEMPLATE_PATH), "--build-dir", str(build_dir), "--no-cached"]
    if overrides:
        args += ["--parameter-overrides", " ".join(f"{key}={value}" for key, value in overrides.items())]
    return run_sam(*args)


# ------------------------------------------------------------------ probing an import


_PROBE = """
import importlib, json, sys, sysconfig
search_path, module_name, attribute = json.loads(sys.argv[1])
sys.path[:0] = search_path
handler = getattr(importlib.import_module(module_name), attribute)
print(json.dumps({
    "callable": callable(handler),
    "modules": {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())},
    "stdlib": sorted({sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")}),
}))
"""


class ImportFailed(AssertionError):
    pass


@dataclass(frozen=True)
class ImportProbe:
    """What importing one handler did, seen from inside the fresh interpreter."""

    handler: str
    search_path: tuple[Path, ...]
    handler_callable: bool
    module_files: dict[str, str | None]
    stdlib: tuple[str, ...]

    def loaded(self, package: str) -> bool:
        return any(name == package or name.startswith(package + ".") for name in self.module_files)

    def modules_from_elsewhere(self) -> dict[str, str]:
        """Loaded modules whose file is neither on the search path nor in the standard library."""
        roots = [*map(str, self.search_path), *self.stdlib]
        return {
            name: file
            for name, file in self.module_files.items()
            if file and not any(Path(file).is_relative_to(root) for root in roots)
        }


def probe_handler(
    python: Path | str, search_path: list[Path], handler: str, environment: dict[str, str], site: bool = False
) -> ImportProbe:
    """Import `handler` ("app.lambda_handler") in a fresh `python -I` whose sys.path is
    search_path + the standard library (+ that interpreter's site-packages when site=True),
    with exactly `environment` and the function's code dir as working directory, like /var/task."""
    module_name, attribute = handler.rsplit(".", 1)
    payload = json.dumps([list(map(str, search_path)), module_name, attribute])
    flags = ["-I"] if site else ["-I", "-S"]
    result = subprocess.run(
        [str(python), *flags, "-c", _PROBE, payload],
        cwd=search_path[0], env=environment, capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0:
        shown_path = [str(path) for path in search_path]
        raise ImportFailed(f"importing {handler} from {shown_path} failed:\n{result.stderr}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return ImportProbe(
        handler=handler,
        search_path=tuple(search_path),
        handler_callable=report["callable"],
        module_files=report["modules"],
        stdlib=tuple(report["stdlib"]),
    )


def probe_built_function(build_dir: Path, function_id: str) -> ImportProbe:
    template = load_template(build_dir / "template.yaml")
    runtime = function_property(template, function_id, "Runtime")
    return probe_handler(
        runtime_python(runtime),
        built_search_path(build_dir, function_id),
        function_property(template, function_id, "Handler"),
        lambda_environment(function_id, template),
    )


# ------------------------------------------------------------------ native code in a build


def elf_architecture(path: Path) -> str | None:
    """The Lambda architecture an ELF file is built for (None if not ELF; the raw e_machine
    number as text if it is for neither)."""
    with open(path, "rb") as handle:
        header = handle.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
    names = {number: name for name, number in ELF_MACHINES.items()}
    return names.get(machine, hex(machine))


def native_libraries(directory: Path) -> dict[Path, str]:
    """Every shared object under directory -> the architecture it is built for."""
    found = {}
    for path in sorted(directory.rglob("*.so*")):
        if path.is_file() and (path.suffix == ".so" or ".so." in path.name):
            architecture = elf_architecture(path)
            if architecture:
                found[path] = architecture
    return found


def built_layers(build_dir: Path) -> dict[str, tuple[Path, str]]:
    """Each built layer -> (its folder, the architecture SAM built it for, per its Metadata)."""
    template = load_template(build_dir / "template.yaml")
    return {
        layer_id: (
            build_dir / layer["Properties"]["ContentUri"],
            (layer.get("Metadata") or {}).get("BuildArchitecture", "x86_64"),
        )
        for layer_id, layer in resources_of_type("AWS::Serverless::LayerVersion", template).items()
    }


def native_code_problems(build_dir: Path) -> list[str]:
    """Shared objects in a built layer that are not for the architecture the layer was built for."""
    return [
        f"{layer_id}: {path.relative_to(build_dir)} is {found}, the layer was built for {architecture}"
        for layer_id, (layer_dir, architecture) in built_layers(build_dir).items()
        for path, found in native_libraries(layer_dir).items()
        if found != architecture
    ]


def missing_bytecode(build_dir: Path) -> list[Path]:
    """Modules of the build without unchecked hash-based bytecode for this Python."""
    missing = []
    for source in sorted(build_dir.rglob("*.py")):
        # Where Lambda looks (next to the source), whatever PYTHONPYCACHEPREFIX or -O say here.
        cached = source.parent / "__pycache__" / f"{source.stem}.{sys.implementation.cache_tag}.pyc"
        try:
            header = cached.read_bytes()[:8]
        except OSError:
            missing.append(source)
            continue
        flags = int.from_bytes(header[4:8], "little")
        if header[:4] != importlib.util.MAGIC_NUMBER or flags != _HASH_BASED_UNCHECKED:
            missing.append(source)
    return missing


def import_problems(build_dir: Path, function_id: str) -> list[str]:
    """Why a built function's handler would fail to load in Lambda (empty if it loads)."""
    try:
        probe = probe_built_function(build_dir, function_id)
    except ImportFailed as failure:
        return [f"{function_id}: {failure}"]
    problems = []
    if not probe.handler_callable:
        problems.append(f"{function_id}: {probe.handler} is not callable")
    if elsewhere := probe.modules_from_elsewhere():
        problems.append(f"{function_id}: modules loaded from outside the build: {sorted(elsewhere)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("build_dir", nargs="?", type=Path, default=DEFAULT_BUILD_DIR)
    build_dir = parser.parse_args(argv).build_dir.resolve()
    if not (build_dir / "template.yaml").is_file():
        print(f"{build_dir} holds no built template: run `make build` first")
        return 2
    problems = native_code_problems(build_dir)
    if missing := missing_bytecode(build_dir):
        problems.append(
            f"{len(missing)} modules have no bytecode, so Lambda would compile them on every cold start: "
            "`make build` (or `python -m scripts.compile_build`) writes it"
        )
    architectures = {architecture for _, architecture in built_layers(build_dir).values()}
    if architectures == {HOST_ARCHITECTURE}:
        template = load_template(build_dir / "template.yaml")
        for function_id in sorted(resources_of_type("AWS::Serverless::Function", template)):
            problems += import_problems(build_dir, function_id)
    else:
        built_for = ", ".join(sorted(architectures))
        print(f"built for {built_for}, this machine is {HOST_ARCHITECTURE}: imports skipped")
    for problem in problems:
        print(problem)
    print("build OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
