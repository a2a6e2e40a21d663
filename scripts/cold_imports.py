"""Cold-import time of each function module, next to the libraries' floor, in fresh interpreters;
and, given events and a table, the first request each HTTP function serves after its cold import.

    python -m scripts.cold_imports [--runs 5] [--build BUILD_DIR]

Each sample is a new `python -I` process that imports the handler module the way Lambda does
(function code dir and the layer on sys.path, the environment the template gives it). Samples
are taken round-robin (one of each probe, then the next round), so a machine that gets busier
during the run weighs on every row alike; the median of the rounds is reported. Byte-code
caches are warmed first, as they are in a deployed package. Reference rows, measured in the
same rounds, give the libraries' own floor: a bare `import boto3`, and boto3 with the validating
Powertools HTTP resolver both API functions build (the floor of an HTTP function).

A first-request probe (`FirstRequest`; `make bench` supplies them, with a seeded DynamoDB Local
table) times, in one fresh interpreter, the handler module's import, the first invocation of a
route (which builds what is built on first use: botocore's client, the route's validators) and
the same invocation again (warm), so the report shows what the first request pays.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tooling.template import functions, layer_dirs, load_template
from scripts.check_build import built_search_path, lambda_environment

RESULT_MARK = "COLD_START_RESULT "

# Times only `statement`: the probe's own imports (sys, time) are there in every interpreter.
_IMPORT_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
started = time.perf_counter()
{statement}
print({mark!r} + str((time.perf_counter() - started) * 1000))
"""

# The event is parsed after the import is timed (json would otherwise be loaded before the
# clock starts, and boto3 loads it inside the import in every other probe).
_FIRST_REQUEST_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
started = time.perf_counter()
import {module} as function_module
imported = time.perf_counter()
import json, types
{before_request}
handler = function_module.{handler}
context = types.SimpleNamespace(
    function_name={function!r}, function_version="$LATEST", memory_limit_in_mb=512,
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:" + {function!r},
    aws_request_id="00000000-0000-0000-0000-0000000cold0", log_group_name="/aws/lambda/" + {function!r},
    log_stream_name="cold", get_remaining_time_in_millis=lambda: 30_000,
)
responses, timings = [], []
for _ in range(2):
    event = json.loads({event!r})
    begun = time.perf_counter()
    responses.append(handler(event, context))
    timings.append((time.perf_counter() - begun) * 1000)
statuses = [response.get("statusCode") for response in responses]
if any(not isinstance(status, int) or not 200 <= status < 300 for status in statuses):
    sys.exit(f"{{statuses}}: {{responses[-1].get('body')}}")
print({mark!r} + json.dumps([(imported - started) * 1000, *timings]))
"""

BASELINE = "import boto3 (baseline)"
FLOOR = "boto3 + Powertools HTTP resolver (validation on)"
# label -> statement, run with nothing of ours on sys.path
REFERENCES = {
    BASELINE: "import boto3",
    FLOOR: (
        "import boto3\n"
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
        "APIGatewayHttpResolver(enable_validation=True)"
    ),
}


class ProbeFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Probe:
    """One program to run in fresh interpreters; it prints RESULT_MARK and its numbers (ms)."""

    label: str
    program: str
    environment: dict[str, str] = field(default_factory=dict)
    flags: tuple[str, ...] = ()

    def sample(self) -> list[float]:
        result = subprocess.run(
            [sys.executable, "-I", *self.flags, "-c", self.program],
            env={**os.environ, **self.environment}, capture_output=True, text=True,
        )
        marked = [line for line in result.stdout.splitlines() if line.startswith(RESULT_MARK)]
        if result.returncode != 0 or not marked:
            raise ProbeFailed(f"{self.label}: exit {result.returncode}\n{result.stderr[-2000:]}")
        numbers = json.loads(marked[-1].removeprefix(RESULT_MARK))
        return numbers if isinstance(numbers, list) else [numbers]


def import_probe(
    label: str, statement: str, paths: Sequence[str], environment: dict[str, str] | None = None,
    flags: tuple[str, ...] = (),
) -> Probe:
    program = _IMPORT_PROBE.format(paths=list(paths), statement=statement, mark=RESULT_MARK)
    return Probe(label, program, environment or {}, flags)


@dataclass(frozen=True)
class FirstRequest:
    """A route to invoke right after a cold import: `event` goes to `function`'s handler, in the
    environment the template gives the function plus `environment` (the table to read, say);
    `before_request` is code run after the import is timed and before the request (the bench
    pins the clock there)."""

    function: str  # logical id in template.yaml
    route: str  # as the report names it
    event: dict
    environment: dict[str, str] = field(default_factory=dict)
    before_request: str = ""

    def probe(self) -> Probe:
        spec = functions()[self.function]
        program = _FIRST_REQUEST_PROBE.format(
            paths=_source_paths(self.function),
            module=spec.handler_module,
            handler=spec.handler_function,
            function=self.function,
            event=json.dumps(self.event),
            before_request=self.before_request,
            mark=RESULT_MARK,
        )
        environment = {**lambda_environment(self.function), **self.environment}
        return Probe(f"{self.function} {self.route}", program, environment)


@dataclass(frozen=True)
class FirstRequestTiming:
    """Medians (ms) of one route served right after a cold import, in the same interpreters."""

    function: str
    route: str
    import_ms: float
    first_request_ms: float
    warm_request_ms: float  # the same request again: what the first one paid extra is the difference

    @property
    def cold_ms(self) -> float:
        return self.import_ms + self.first_request_ms


@dataclass(frozen=True)
class ColdStarts:
    """Medians of `runs` rounds: imports by label (the references, then each function by logical id),
    and the first requests."""

    runs: int
    imports: dict[str, float]
    first_requests: list[FirstRequestTiming] = field(default_factory=list)

    @property
    def baseline(self) -> float:
        return self.imports[BASELINE]

    @property
    def floor(self) -> float:
        return self.imports[FLOOR]


def round_robin_medians(probes: Sequence[Probe], runs: int) -> dict[str, list[float]]:
    """Each probe once to warm the byte-code cache (unless -B) and the disk, then `runs` rounds of
    one sample of every probe; the median of each number a probe prints, by label."""
    for probe in probes:
        probe.sample()
    rounds = [[probe.sample() for probe in probes] for _ in range(runs)]
    return {
        probe.label: [statistics.median(column) for column in zip(*(round_[index] for round_ in rounds))]
        for index, probe in enumerate(probes)
    }


def _source_paths(function_id: str) -> list[str]:
    return [str(functions()[function_id].code_dir), *(str(path) for path in layer_dirs())]


def function_import_probes() -> list[Probe]:
    """Every function of the template, imported as deployed (the template's environment, its
    parameters' defaults)."""
    return [
        import_probe(function_id, f"import {spec.handler_module}", _source_paths(function_id), lambda_environment(function_id))
        for function_id, spec in sorted(functions().items())
    ]


def measure(runs: int = 5, first_requests: Sequence[FirstRequest] = ()) -> ColdStarts:
    """The references, every function's import and the given first requests, in the same rounds."""
    imports = [import_probe(label, statement, []) for label, statement in REFERENCES.items()]
    imports += function_import_probes()
    first = {request.route: request for request in first_requests}
    medians = round_robin_medians([*imports, *(request.probe() for request in first.values())], runs)
    timings = [
        FirstRequestTiming(request.function, request.route, *medians[f"{request.function} {request.route}"])
        for request in first.values()
    ]
    return ColdStarts(runs, {probe.label: medians[probe.label][0] for probe in imports}, timings)


def measure_build(build_dir: Path, runs: int = 5) -> dict[str, float]:
    """Each function imported from a `sam build` output with `-B`, as built and without bytecode."""
    template = load_template(build_dir / "template.yaml")
    probes = []
    with tempfile.TemporaryDirectory() as scratch:
        bare = Path(scratch) / "build"
        shutil.copytree(build_dir, bare, ignore=shutil.ignore_patterns("__pycache__"))
        for function_id, spec in sorted(functions(template).items()):
            environment = lambda_environment(function_id, template)
            for label, root in ((f"{function_id}, built", build_dir), (f"{function_id}, built, no bytecode", bare)):
                paths = [str(path) for path in built_search_path(root, function_id)]
                probes.append(
                    import_probe(label, f"import {spec.handler_module}", paths, environment, flags=("-B", "-S"))
                )
        return {label: numbers[0] for label, numbers in round_robin_medians(probes, runs).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--build", type=Path, help="also import each function from this sam build output")
    args = parser.parse_args()
    cold = measure(args.runs)
    results = dict(cold.imports)
    if args.build:
        results |= measure_build(args.build.resolve(), args.runs)
    if args.json:
        print(json.dumps(results))
        return
    width = max(map(len, results)) + 2
    print(f"{'module':<{width}}{'median ms':>10}{'x boto3':>9}{'x floor':>9}")
    for name, value in results.items():
        print(f"{name:<{width}}{value:>10.0f}{value / cold.baseline:>9.2f}{value / cold.floor:>9.2f}")


if __name__ == "__main__":
    main()
