"""Cold-import time of each function module, next to a bare `import boto3`, in fresh interpreters.

    python -m scripts.cold_imports [--runs 5]

Each sample is a new `python -I` process that imports the handler module the way Lambda does
(function code dir and the layer on sys.path, the template's environment with dummy values);
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

_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
started = time.perf_counter()
{statement}
print((time.perf_counter() - started) * 1000)
"""

DUMMY_ENVIRONMENT = {
    "TABLE_NAME": "MentorshipTable",
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "SENDER_EMAIL": "bookings@example.com",
    "PUSH_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:push",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "MentorBooking",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def sample(statement: str, paths: list[str]) -> float:
    env = {**os.environ, **DUMMY_ENVIRONMENT}
    output = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE.format(paths=paths, statement=statement)],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def median_ms(statement: str, paths: list[str], runs: int) -> float:
    sample(statement, paths)  # warm the byte-code cache
    return statistics.median(sample(statement, paths) for _ in range(runs))


def measure(runs: int = 5) -> dict[str, float]:
    layer = [str(path) for path in layer_dirs()]
    results = {"import boto3 (baseline)": median_ms("import boto3", [], runs)}
    for function_id, spec in sorted(functions().items()):
        module = spec.handler.rsplit(".", 1)[0]
        results[function_id] = median_ms(f"import {module}", [str(spec.code_dir), *layer], runs)
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
