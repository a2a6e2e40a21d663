"""Cold-import time of each function module, next to a bare `import boto3`, in fresh interpreters.

    python -m scripts.cold_imports [--runs 5] [--build BUILD_DIR]

Each sample is a new `python -I` process that imports the handler module the way Lambda does
(function code dir and the layer on sys.path, the environment the template gives it);
the median of the runs is reported. Byte-code caches are warmed first, as they are in a
deployed package. Reference rows, measured in the same run, give the libraries' own floor: a bare
`import boto3`, and boto3 with the validating Powertools HTTP resolver both API functions build.

With --build (a `sam build` output for this machine's architecture, e.g. `sam build
--parameter-overrides Architecture=x86_64` then `python -m scripts.compile_build`), each function
is also imported from the built artifacts as Lambda would, unable to write bytecode (`-B`) and
with nothing but the build and the standard library on sys.path (`-S`): as built, and from a copy
without the build's bytecode (what a plain `sam build` would deploy).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tooling.template import functions, layer_dirs, load_template
from scripts.check_build import built_search_path, lambda_environment

_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
started = time.perf_counter()
{statement}
print((time.perf_counter() - started) * 1000)
"""

BASELINE = "import boto3 (baseline)"
# label -> statement, run with nothing of ours on sys.path
REFERENCES = {
    BASELINE: "import boto3",
    "boto3 + Powertools HTTP resolver (validation on)": (
        "import boto3\n"
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
        "APIGatewayHttpResolver(enable_validation=True)"
    ),
}


def sample(statement: str, paths: list[str], environment: dict[str, str], flags: tuple[str, ...] = ()) -> float:
    env = {**os.environ, **environment}
    output = subprocess.run(
        [sys.executable, "-I", *flags, "-c", _PROBE.format(paths=paths, statement=statement)],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def median_ms(
    statement: str,
    paths: list[str],
    runs: int,
    environment: dict[str, str] | None = None,
    flags: tuple[str, ...] = (),
) -> float:
    environment = environment or {}
    sample(statement, paths, environment, flags)  # warm the byte-code cache (unless -B) and the disk
    return statistics.median(sample(statement, paths, environment, flags) for _ in range(runs))


def measure(runs: int = 5) -> dict[str, float]:
    layer = [str(path) for path in layer_dirs()]
    results = {label: median_ms(statement, [], runs) for label, statement in REFERENCES.items()}
    for function_id, spec in sorted(functions().items()):
        environment = lambda_environment(function_id)  # as deployed, with the template's defaults
        results[function_id] = median_ms(f"import {spec.handler_module}", [str(spec.code_dir), *layer], runs, environment)
    return results


def measure_build(build_dir: Path, runs: int = 5) -> dict[str, float]:
    """Each function imported from a `sam build` output with `-B`, as built and without bytecode."""
    template = load_template(build_dir / "template.yaml")
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        bare = Path(scratch) / "build"
        shutil.copytree(build_dir, bare, ignore=shutil.ignore_patterns("__pycache__"))
        for function_id, spec in sorted(functions(template).items()):
            statement = f"import {spec.handler_module}"
            environment = lambda_environment(function_id, template)
            for label, root in ((f"{function_id}, built", build_dir), (f"{function_id}, built, no bytecode", bare)):
                paths = [str(path) for path in built_search_path(root, function_id)]
                results[label] = median_ms(statement, paths, runs, environment, flags=("-B", "-S"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--build", type=Path, help="also import each function from this sam build output")
    args = parser.parse_args()
    results = measure(args.runs)
    if args.build:
        results |= measure_build(args.build.resolve(), args.runs)
    if args.json:
        print(json.dumps(results))
        return
    baseline = results[BASELINE]
    width = max(map(len, results)) + 2
    print(f"{'module':<{width}}{'median ms':>10}{'x boto3':>9}")
    for name, value in results.items():
        print(f"{name:<{width}}{value:>10.0f}{value / baseline:>9.2f}")


if __name__ == "__main__":
    main()
