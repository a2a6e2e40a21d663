"""Calls the functions' real handlers in-process, with events shaped like the samples in events/.

Each handler module is loaded as `tooling.openapi` loads it for the OpenAPI document: from the
function's code directory, with that directory and the layer on sys.path as Lambda sets them.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode

from tooling.template import ROOT, functions, http_routes, schedules
from mentorship.domain.instants import format_utc
from tooling.openapi import load_function_module

EVENTS_DIR = ROOT / "events"
HTTP_SAMPLE = "mentors_list.json"
SCHEDULE_SAMPLE = "reminders_schedule.json"

# Routes that record no business metric yet; Powertools says so on every flush (as in pyproject's
# pytest settings).
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


class BenchError(RuntimeError):
    pass


class LambdaContext:
    """What the Lambda runtime passes a Python handler (the parts Powertools reads)."""

    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-0000-0000-00000000bench"
    log_stream_name = "bench"

    def __init__(self, function_name: str):
        self.function_name = function_name
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


@cache
def handler(function_id: str) -> Callable[[dict, Any], Any]:
    """The Lambda entry point of a function of template.yaml, by logical id."""
    return getattr(load_function_module(function_id), functions()[function_id].handler_function)


@dataclass(frozen=True)
class Call:
    """One invocation of a function: which, and with what event."""

    function: str  # logical id in template.yaml
    event: dict = field(hash=False)

    def with_query(self, **params: str) -> Call:
        event = copy.deepcopy(self.event)
        query = {**(event.get("queryStringParameters") or {}), **params}
        event["queryStringParameters"] = query
        event["rawQueryString"] = urlencode(query)
        return Call(self.function, event)


def invoke(call: Call) -> Any:
    """Run the handler on a copy of the event (handlers may keep or change what they are given)."""
    return handler(call.function)(copy.deepcopy(call.event), LambdaContext(call.function))


def check_success(name: str, response: Any) -> None:
    """An HTTP answer must be 2xx; anything else (a scheduled run's report) must simply return."""
    if isinstance(response, dict) and "statusCode" in response and not 200 <= response["statusCode"] < 300:
        raise BenchError(f"{name}: {response['statusCode']} {response.get('body')}")


def json_body(response: dict) -> dict:
    return json.loads(response["body"])


def _load(sample: str) -> dict:
    return json.loads((EVENTS_DIR / sample).read_text())


def _function_of(method: str, route: str) -> str:
    for candidate in http_routes():
        if candidate.method == method and candidate.path == route:
            return candidate.function
    raise BenchError(f"template.yaml has no route {method} {route}")


def http_call(
    method: str,
    route: str,
    query: dict[str, str] | None = None,
    *,
    claims: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    body: dict | None = None,
) -> Call:
    """An HTTP API (payload 2.0) event for `route` (a template path such as /mentors/{mentorId}),
    sent to the function the template routes it to; `claims` as the JWT authorizer passes them."""
    path_parameters = path_parameters or {}
    path = route.format(**path_parameters)
    event = _load(HTTP_SAMPLE)
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {route}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["pathParameters"] = path_parameters or None
    event["queryStringParameters"] = query or None
    event["rawQueryString"] = urlencode(query or {})
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    if body is not None:
        event["body"] = json.dumps(body)
        event["headers"]["content-type"] = "application/json"
    return Call(_function_of(method, route), event)


def scheduled_call(function_id: str, time: datetime) -> Call:
    """The EventBridge event of `function_id`'s schedule, for the minute `time`."""
    if not any(schedule.function == function_id for schedule in schedules()):
        raise BenchError(f"template.yaml schedules no {function_id}")
    event = _load(SCHEDULE_SAMPLE)
    event["time"] = format_utc(time)
    return Call(function_id, event)
