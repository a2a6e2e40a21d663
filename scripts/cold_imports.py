"""Cold-import time of each function module, next to a bare `import boto3`, in fresh interpreters.

    python -m scripts.cold_imports [--runs 5]

Each sample is a new `python -I` process that imports the handler module the way Lambda does
(function code dir and the layer on sys.path, the environment the template gives it);
the median of the runs is reported. Byte-code caches are warmed first, as they are in a
deployed package.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from local.template import functions, layer_dirs
from scripts.check_build import lambda_environment

_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
started = time.perf_counter()
{statement}
print((time.perf_counter() - started) * 1000)
"""

def sample(statement: str, paths: list[str], environment: dict[str, str]) -> float:
    env = {**os.environ, **environment}
    output = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE.format(paths=paths, statement=statement)],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def median_ms(statement: str, paths: list[str], runs: int, environment: dict[str, str] | None = None) -> float:
    environment = environment or {}
    sample(statement, paths, environment)  # warm the byte-code cache
    return statistics.median(sample(statement, paths, environment) for _ in range(runs))


def measure(runs: int = 5) -> dict[str, float]:
    layer = [str(path) for path in layer_dirs()]
    results = {"import boto3 (baseline)": median_ms("import boto3", [], runs)}
    for function_id, spec in sorted(functions().items()):
        module = spec.handler.rsplit(".", 1)[0]
        environment = lambda_environment(function_id)  # as deployed, with the template's defaults
        results[function_id] = median_ms(f"import {module}", [str(spec.code_dir), *layer], runs, environment)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = measure(args.runs)
    if args.json:
        print(json.dumps(results))
        return
    baseline = results["import boto3 (baseline)"]
    print(f"{'module':<28}{'median ms':>10}{'x boto3':>9}")
    for name, value in results.items():
        print(f"{name:<28}{value:>10.0f}{value / baseline:>9.2f}")


if __name__ == "__main__":
    main()
