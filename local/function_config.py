"""What each function of template.yaml needs to run locally as it would in Lambda: handler, code
and layer directories, timeout, memory, and the environment Lambda would give it.

The environment is built from scratch (not inherited from the developer's shell): the template's
variables (Globals merged with the function's, intrinsics resolved to local ids), Lambda's
reserved variables, dummy credentials, and endpoint overrides that send every AWS call to a local
emulator: DynamoDB to DynamoDB Local, everything else (SES, SNS, anything added later) to moto.
botocore honours AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL itself; the store binds pynamodb
to AWS_ENDPOINT_URL_DYNAMODB. No local function can reach a real AWS account.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tooling.intrinsics import ACCOUNT_ID, REGION, Resolver
from tooling.template import functions, layer_dirs, load_template


# Dummy credentials and the region, and no profile from the developer's ~/.aws (a profile there
# must not redirect or sign anything): every process of the local stack runs with these.
ISOLATED_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@dataclass(frozen=True)
class Endpoints:
    dynamodb: str
    moto: str
    # The local WebSocket API (local.websocket): the URL clients connect to and its management
    # endpoint; they replace the template's wss:// and https:// stage URLs.
    realtime_url: str | None = None
    realtime_callback_url: str | None = None


@dataclass(frozen=True)
class FunctionRuntime:
    logical_id: str
    handler: str  # module.function, relative to code_dir
    code_dir: Path
    layer_dirs: tuple[Path, ...]
    timeout_seconds: int
    memory_mb: int
    environment: dict[str, str]

    @property
    def function_name(self) -> str:
        return self.logical_id

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"


def function_runtimes(
    resolver: Resolver, endpoints: Endpoints, template: dict | None = None
) -> dict[str, FunctionRuntime]:
    """Every AWS::Serverless::Function of the template, ready to start workers for."""
    template = template or load_template()
    layers = tuple(layer_dirs(template))
    runtimes = {}
    for logical_id, spec in functions(template).items():
        memory_mb = int(_function_property(template, logical_id, "MemorySize", 128))
        runtime = str(_function_property(template, logical_id, "Runtime", "python3.13"))
        environment = {
            name: resolver.resolve_string(value, f"{logical_id} environment variable {name}")
            for name, value in spec.environment.items()
        }
        environment.update(_lambda_environment(logical_id, spec.code_dir, spec.handler, memory_mb, runtime))
        environment.update(_local_aws_environment(endpoints))
        runtimes[logical_id] = FunctionRuntime(
            logical_id=logical_id,
            handler=spec.handler,
            code_dir=spec.code_dir,
            layer_dirs=layers,
            timeout_seconds=spec.timeout,
            memory_mb=memory_mb,
            environment=environment,
        )
    return runtimes


def _function_property(template: dict, logical_id: str, name: str, default: Any) -> Any:
    """A function property, falling back to Globals.Function the way SAM does."""
    own = template["Resources"][logical_id]["Properties"]
    if name in own:
        return own[name]
    return ((template.get("Globals") or {}).get("Function") or {}).get(name, default)


def _lambda_environment(
    logical_id: str, code_dir: Path, handler: str, memory_mb: int, runtime: str
) -> dict[str, str]:
    """The reserved variables Lambda sets (these override the template's, as in Lambda)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "_HANDLER": handler,
        "LAMBDA_TASK_ROOT": str(code_dir),
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": logical_id,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{logical_id}",
    }


def _local_aws_environment(endpoints: Endpoints) -> dict[str, str]:
    realtime = {
        name: value
        for name, value in (("REALTIME_URL", endpoints.realtime_url), ("REALTIME_CALLBACK_URL", endpoints.realtime_callback_url))
        if value
    }
    return {
        **realtime,
        **ISOLATED_AWS_ENVIRONMENT,
        "AWS_ENDPOINT_URL": endpoints.moto,  # catch-all: any other service goes to moto, never to AWS
        "AWS_ENDPOINT_URL_DYNAMODB": endpoints.dynamodb,
        "AWS_ENDPOINT_URL_SES": endpoints.moto,
        "AWS_ENDPOINT_URL_SESV2": endpoints.moto,
        "AWS_ENDPOINT_URL_SNS": endpoints.moto,
        # No X-Ray daemon locally (Tracer would otherwise try to emit segments to one).
        "POWERTOOLS_TRACE_DISABLED": "true",
        # Calendars and webhooks may live on 127.0.0.1 here (tests run real servers there), and
        # nowhere else unless the developer starts the stack with LOCAL_OUTBOUND_PUBLIC=1: then
        # public addresses too, as in AWS. Private and link-local addresses stay refused.
        "OUTBOUND_ALLOW_LOOPBACK": "true",
        "OUTBOUND_LOOPBACK_ONLY": "false" if os.environ.get("LOCAL_OUTBOUND_PUBLIC") == "1" else "true",
    }
