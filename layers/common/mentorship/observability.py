"""The one place that builds Logger, Tracer and Metrics.

Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE (set per function in template.yaml Globals).

Tracing: Lambda's active tracing (`Tracing: Active` in the template) records every invocation
without any SDK in the function. Powertools' Tracer adds subsegments for each AWS call through
the X-Ray SDK, whose import costs about 350 ms of every cold start (more than `import boto3`
itself), so it is opt-in: the template's `XRaySdkTracing` parameter sets
POWERTOOLS_TRACE_DISABLED=false, and only then is the SDK loaded.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from aws_lambda_powertools import Logger, Metrics


class _LambdaTracingOnly:
    """Tracer's decorators as no-ops, for when the X-Ray SDK is not loaded."""

    def capture_lambda_handler(self, handler: Callable) -> Callable:
        return handler

    def capture_method(self, method: Callable) -> Callable:
        return method

    def put_annotation(self, key: str, value: Any) -> None:
        return None


def _build_tracer():
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "true").strip().lower() in {"1", "true", "yes"}:
        return _LambdaTracingOnly()
    from aws_lambda_powertools import Tracer

    return Tracer()


logger = Logger()
tracer = _build_tracer()
metrics = Metrics()
