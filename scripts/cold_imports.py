"""Cold-import time of each function module, next to a bare `import boto3`, in fresh interpreters.

    python -m scripts.cold_imports [--runs 5]

Each sample is a new `python -I` process that imports the handler module the way Lambda does
(function code dir and the layer on sys.path, the environment the template gives it);
the median of the runs is reported. Byte-code caches are warmed first, as they are in a
deployed package. Reference rows, measured in the same run, give the libraries' own floor: a bare
`import boto3`, and boto3 with the validating Powertools HTTP resolver both API functions build.
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
    results = {label: median_ms(statement, [], runs) for label, statement in REFERENCES.items()}
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
    baseline = results[BASELINE]
    width = max(map(len, results)) + 2
    print(f"{'module':<{width}}{'median ms':>10}{'x boto3':>9}")
    for name, value in results.items():
        print(f"{name:<{width}}{value:>10.0f}{value / baseline:>9.2f}")


if __name__ == "__main__":
    main()
