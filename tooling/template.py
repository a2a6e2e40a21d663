"""Reads template.yaml, the single source of truth, for the local stack and the tests.

It understands CloudFormation's short-form tags (!Ref, !Sub, !GetAtt, ...) without resolving
them, and answers the questions local tooling asks: which tables (as boto3 `create_table`
arguments), which HTTP routes go to which function and whether they need a token, which
schedules fire which function.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"


@dataclass(frozen=True)
class Tag:
    """An unresolved intrinsic, e.g. Tag("Ref", "MentorshipTable")."""

    name: str
    value: Any


class _TemplateLoader(yaml.SafeLoader):
    pass


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Tag:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tag(tag_suffix, value)


_TemplateLoader.add_multi_constructor("!", _construct_tag)


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_TemplateLoader)  # noqa: S506 - SafeLoader subclass


def resources_of_type(resource_type: str, template: dict | None = None) -> dict[str, dict]:
    template = template or load_template()
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def table_definitions(template: dict | None = None) -> dict[str, dict[str, Any]]:
    """Each AWS::DynamoDB::Table as `create_table` keyword arguments (on-demand), by logical id,
    plus its TTL attribute under the extra key `TimeToLive` (None when it has none)."""
    tables = {}
    for logical_id, resource in resources_of_type("AWS::DynamoDB::Table", template).items():
        props = resource["Properties"]
        definition: dict[str, Any] = {
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if props.get("GlobalSecondaryIndexes"):
            definition["GlobalSecondaryIndexes"] = [
                {"IndexName": gsi["IndexName"], "KeySchema": gsi["KeySchema"], "Projection": gsi["Projection"]}
                for gsi in props["GlobalSecondaryIndexes"]
            ]
        stream = props.get("StreamSpecification")
        if stream:
            definition["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        ttl = props.get("TimeToLiveSpecification") or {}
        definition["TimeToLive"] = ttl.get("AttributeName") if ttl.get("Enabled") else None
        tables[logical_id] = definition
    return tables


@dataclass(frozen=True)
class Route:
    function: str  # logical id of the function
    event: str  # logical id of the event in that function
    method: str  # GET, POST, ... (upper case)
    path: str  # /mentors/{mentorId}
    protected: bool  # needs a bearer token

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


def http_routes(template: dict | None = None) -> list[Route]:
    template = template or load_template()
    routes = []
    for function_id, resource in resources_of_type("AWS::Serverless::Function", template).items():
        for event_id, event in (resource["Properties"].get("Events") or {}).items():
            if event["Type"] != "HttpApi":
                continue
            props = event["Properties"]
            authorizer = (props.get("Auth") or {}).get("Authorizer")
            routes.append(
                Route(
                    function=function_id,
                    event=event_id,
                    method=props["Method"].upper(),
                    path=props["Path"],
                    protected=authorizer != "NONE",
                )
            )
    return routes


@dataclass(frozen=True)
class Schedule:
    function: str
    event: str
    expression: str  # rate(1 minute) / cron(...)
    enabled: bool


def schedules(template: dict | None = None) -> list[Schedule]:
    template = template or load_template()
    found = []
    for function_id, resource in resources_of_type("AWS::Serverless::Function", template).items():
        for event_id, event in (resource["Properties"].get("Events") or {}).items():
            if event["Type"] in ("Schedule", "ScheduleV2"):
                props = event["Properties"]
                expression = props.get("Schedule") or props.get("ScheduleExpression")
                found.append(Schedule(function_id, event_id, expression, props.get("Enabled", True) is not False))
    return found


@dataclass(frozen=True)
class StreamSource:
    """A function's DynamoDB stream event source mapping, as Lambda would run it."""

    function: str  # logical id of the function
    event: str  # logical id of the event in that function
    table: str  # logical id of the table whose stream it reads
    batch_size: int
    maximum_retry_attempts: int  # -1: until the records expire
    bisect_on_error: bool
    reports_item_failures: bool  # FunctionResponseTypes: [ReportBatchItemFailures]


def _get_att_resource(tag: Tag) -> str:
    """The resource an `!GetAtt R.Attr` (or `!GetAtt [R, Attr]`) names."""
    return tag.value[0] if isinstance(tag.value, list) else tag.value.split(".")[0]


def _reports_item_failures(props: dict) -> bool:
    return "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])


def stream_sources(template: dict | None = None) -> list[StreamSource]:
    template = template or load_template()
    found = []
    for function_id, resource in resources_of_type("AWS::Serverless::Function", template).items():
        for event_id, event in (resource["Properties"].get("Events") or {}).items():
            if event["Type"] != "DynamoDB":
                continue
            props = event["Properties"]
            table = _get_att_resource(props["Stream"])  # !GetAtt <Table>.StreamArn
            found.append(
                StreamSource(
                    function=function_id,
                    event=event_id,
                    table=table,
                    batch_size=int(props.get("BatchSize", 100)),
                    maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                    bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                    reports_item_failures=_reports_item_failures(props),
                )
            )
    return found


@dataclass(frozen=True)
class QueueSource:
    """A function's SQS event source mapping, as Lambda would run it."""

    function: str  # logical id of the function
    event: str  # logical id of the AWS::Lambda::EventSourceMapping
    queue: str  # logical id of the AWS::SQS::Queue it reads
    batch_size: int
    reports_item_failures: bool  # FunctionResponseTypes: [ReportBatchItemFailures]
    visibility_timeout: int  # the queue's: how long a received message stays hidden


def queue_sources(template: dict | None = None) -> list[QueueSource]:
    """Every AWS::Lambda::EventSourceMapping reading an AWS::SQS::Queue (the template writes them
    out rather than as SAM `Type: SQS` events, whose managed policy reaches every queue)."""
    template = template or load_template()
    resources = template["Resources"]
    found = []
    for mapping_id, resource in resources_of_type("AWS::Lambda::EventSourceMapping", template).items():
        props = resource["Properties"]
        queue_id = _get_att_resource(props["EventSourceArn"])  # !GetAtt <Queue>.Arn
        if resources.get(queue_id, {}).get("Type") != "AWS::SQS::Queue":
            continue
        target = props["FunctionName"]  # !Ref <Function>Aliaslive, or !Ref <Function>
        function_id = re.sub(r"Alias\w+$", "", target.value)
        queue_props = resources[queue_id].get("Properties") or {}
        found.append(
            QueueSource(
                function=function_id,
                event=mapping_id,
                queue=queue_id,
                batch_size=int(props.get("BatchSize", 10)),
                reports_item_failures=_reports_item_failures(props),
                visibility_timeout=int(queue_props.get("VisibilityTimeout", 30)),
            )
        )
    return found


@dataclass(frozen=True)
class WebSocketRoute:
    """A route of a WebSocket API (AWS::ApiGatewayV2::Route) and the function behind it."""

    api: str  # logical id of the AWS::ApiGatewayV2::Api
    route_key: str  # $connect | $disconnect | $default | a value of the route selection expression
    function: str  # logical id of the function its Lambda proxy integration invokes
    answers: bool  # has a route response: the function's `body` goes back to the sender


_FUNCTION_IN_URI = re.compile(r"\$\{(\w+?)(?:Alias\w+|\.Arn)?\}/invocations")


def websocket_routes(template: dict | None = None) -> list[WebSocketRoute]:
    template = template or load_template()
    resources = template["Resources"]
    answered = {
        resource["Properties"]["RouteId"].value
        for resource in resources_of_type("AWS::ApiGatewayV2::RouteResponse", template).values()
    }
    found = []
    for route_id, resource in resources_of_type("AWS::ApiGatewayV2::Route", template).items():
        props = resource["Properties"]
        integration_id = props["Target"].value.rpartition("${")[2].rstrip("}")  # !Sub integrations/${Id}
        uri = resources[integration_id]["Properties"]["IntegrationUri"].value
        match = _FUNCTION_IN_URI.search(uri)
        if match is None:
            raise ValueError(f"{route_id}: cannot tell which function {uri!r} invokes")
        found.append(WebSocketRoute(props["ApiId"].value, props["RouteKey"], match.group(1), route_id in answered))
    return found


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str  # module.function
    timeout: int
    environment: dict[str, Any]  # Globals merged with the function's own (values may be Tags)

    @property
    def handler_module(self) -> str:
        """"app" of "app.lambda_handler"."""
        return self.handler.rpartition(".")[0]

    @property
    def handler_function(self) -> str:
        """"lambda_handler" of "app.lambda_handler"."""
        return self.handler.rpartition(".")[2]


def functions(template: dict | None = None) -> dict[str, FunctionSpec]:
    template = template or load_template()
    global_fn = (template.get("Globals") or {}).get("Function") or {}
    global_env = ((global_fn.get("Environment") or {}).get("Variables")) or {}
    specs = {}
    for function_id, resource in resources_of_type("AWS::Serverless::Function", template).items():
        props = resource["Properties"]
        env = dict(global_env)
        env.update(((props.get("Environment") or {}).get("Variables")) or {})
        specs[function_id] = FunctionSpec(
            logical_id=function_id,
            code_dir=ROOT / props["CodeUri"],
            handler=props.get("Handler") or global_fn["Handler"],
            timeout=int(props.get("Timeout") or global_fn.get("Timeout") or 3),
            environment=env,
        )
    return specs


def layer_dirs(template: dict | None = None) -> list[Path]:
    return [
        ROOT / resource["Properties"]["ContentUri"]
        for resource in resources_of_type("AWS::Serverless::LayerVersion", template).values()
    ]
