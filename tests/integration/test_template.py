"""template.yaml agrees with the code it deploys, and with the linters.

Fast and offline, apart from `sam validate --lint` (marker `sam`). Each check reads both
sides from their source: the tables from the template and from the pynamodb models, the routes
from the template's HttpApi events and from each function's Powertools resolver, the
idempotency table from Powertools' own defaults.
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from cfnlint.api import lint_file

from tooling.template import (
    ROOT,
    TEMPLATE_PATH,
    Tag,
    functions,
    http_routes,
    load_template,
    queue_sources,
    resources_of_type,
    schedules,
    stream_sources,
    table_definitions,
)
from mentorship.api.resolver import BEARER
from mentorship.settings import Settings
from mentorship.store.models import TableItem
from scripts.check_build import (
    SAM_CLI_MISSING,
    function_layers,
    function_property,
    lambda_environment,
    probe_handler,
    ref_target,
    run_sam,
    sam_cli,
    source_search_path,
)
from tooling.intrinsics import Resolver
from tooling.openapi import build_document, load_function_module

TEMPLATE = load_template()
SNAPSTART_DEFAULT = 'SnapStart:\n    Type: String\n    Default: "false"'
FUNCTION_IDS = sorted(functions())
RUNTIME = "python3.13"
HANDLER = "app.lambda_handler"
LAYER_ID = "CommonLayer"

# What each function's code touches, as the resources its IAM statements may name: logical ids,
# `<table>/index/<name>` for indexes, and SES_SENDER for sending mail as the SenderEmail address.
SES_SENDER = "ses:FromAddress=SenderEmail"
NEEDED_RESOURCES = {
    "MentorsFunction": {"MentorshipTable", "MentorshipTable/index/*", "CalendarSecretsKey"},
    # Answers without sending (what a change owes goes out from the StreamFunction); a hold
    # opens CalDAV passwords (CalendarSecretsKey, Decrypt), a new webhook's secret is sealed
    # (WebhookSecretsKey, Encrypt only).
    "BookingFunction": {
        "MentorshipTable", "MentorshipTable/index/*", "IdempotencyTable", "CalendarSecretsKey", "WebhookSecretsKey"
    },
    # WebhookSecretsKey: Decrypt only (signing a webhook delivery), also below.
    "RemindersFunction": {
        "MentorshipTable", "MentorshipTable/index/DueWork", "PushTopic", SES_SENDER, "WebhookSecretsKey",
        # a waiting entry's recheck: who waits (AP20) and the offer's hold, which reads calendars live
        "MentorshipTable/index/Waitlist", "CalendarSecretsKey",
    },
    "StreamFunction": {
        "MentorshipTable", "MentorshipTable/stream", "StreamFailures", "PushTopic", SES_SENDER, "WebhookSecretsKey",
        # live availability: the mentor's subscribers, and posting to them through the stage
        "ConnectionsTable", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:RealtimeApi/live/POST/@connections/*",
        # waitlist offers: who waits (AP20), and the offer's hold, which reads calendars live
        "MentorshipTable/index/Waitlist", "CalendarSecretsKey",
        "HoldExpiryQueue",  # a new hold's timer
    },
    # Expires a lapsed hold (booking, locks, hold place; the mock gateway's charge record) and
    # sends a long hold's timer again; no index, no other table, nothing sent to anyone.
    "HoldExpiryFunction": {"MentorshipTable", "HoldExpiryQueue"},
    # Reads a mentor's profile (does it exist) and keeps the subscriptions; posts nothing.
    "RealtimeFunction": {"MentorshipTable", "ConnectionsTable"},
    "DirectoryFunction": {
        "MentorshipTable", "MentorshipTable/index/Directory", "MentorshipTable/index/DirectoryChanges"
    },
}
# Actions no function may hold: Scan, and PartiQL SELECT (which scans when it names no key).
FORBIDDEN_ACTIONS = {"dynamodb:scan", "dynamodb:partiqlselect"}

# Environment variables that name a template resource or parameter, and which one.
RESOURCE_VARIABLES = {
    "TABLE_NAME": "MentorshipTable",
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "PUSH_TOPIC_ARN": "PushTopic",
    "SENDER_EMAIL": "SenderEmail",
}

# Functions whose cold start must not pay for code they never run: the reminders function has no
# HTTP edge, and only building an email loads icalendar and the email package's header machinery.
EMAIL_ONLY = ("icalendar", "email.headerregistry", "email.policy")
# The handler's context type is an annotation only; the HTTP edge never needs the module at run time.
ANNOTATION_ONLY = ("aws_lambda_powertools.utilities.typing",)
# Only reading an external calendar loads the HTTP client, CalDAV and the recurrence expander.
CALENDAR_ONLY = ("requests", "caldav", "recurring_ical_events")
# An HTTP function's route modules are imported by the first request under their prefixes
# (mentorship/api/resolver.py), and with them the store, the services and the AWS SDK (Powertools
# loads the bare `botocore` package for its user agent, not the SDK).
ROUTE_ONLY = ("pynamodb", "boto3", "botocore.client", "mentorship.store", "mentorship.services", "mentorship.gateways")
MUST_NOT_IMPORT = {
    "BookingFunction": (*EMAIL_ONLY, *ANNOTATION_ONLY, *CALENDAR_ONLY, *ROUTE_ONLY, "booking_api"),
    "MentorsFunction": (*EMAIL_ONLY, *ANNOTATION_ONLY, *CALENDAR_ONLY, *ROUTE_ONLY, "mentors_api"),
    "RemindersFunction": ("aws_lambda_powertools.event_handler", "pydantic", *EMAIL_ONLY),
    # Sends MIME built when the change was recorded: no HTTP code, no email building.
    "StreamFunction": ("aws_lambda_powertools.event_handler", "pydantic", *EMAIL_ONLY),
    "DirectoryFunction": ("aws_lambda_powertools.event_handler", "pydantic", *EMAIL_ONLY),
    "HoldExpiryFunction": ("aws_lambda_powertools.event_handler", "pydantic", *EMAIL_ONLY, *CALENDAR_ONLY),
    # GET /realtime reads a setting; the WebSocket side is imported by the first WebSocket event.
    "RealtimeFunction": (*EMAIL_ONLY, *ANNOTATION_ONLY, *ROUTE_ONLY),
}


def properties(logical_id: str) -> dict[str, Any]:
    return TEMPLATE["Resources"][logical_id]["Properties"]


def key_names(key_schema: list[dict[str, str]]) -> dict[str, str]:
    """[{"AttributeName": "pk", "KeyType": "HASH"}, ...] -> {"HASH": "pk", ...}"""
    return {key["KeyType"]: key["AttributeName"] for key in key_schema}


def attribute_types(definitions: list[dict[str, str]]) -> dict[str, str]:
    return {definition["AttributeName"]: definition["AttributeType"] for definition in definitions}


# ------------------------------------------------------------------ linters


def test_cfn_lint_reports_nothing():
    matches = lint_file(TEMPLATE_PATH)
    assert not matches, "cfn-lint:\n" + "\n".join(str(match) for match in matches)


@pytest.mark.sam
def test_sam_validate_lint_passes():
    if sam_cli() is None:
        pytest.skip(SAM_CLI_MISSING)
    result = run_sam("validate", "--lint", "--template-file", str(TEMPLATE_PATH), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


# ------------------------------------------------------------------ SnapStart, both ways


def with_parameter(name: str, value: str) -> dict:
    """The template as deployed with `name=value` (the parameter's default replaced)."""
    template = copy.deepcopy(TEMPLATE)
    template["Parameters"][name]["Default"] = value
    return template


@pytest.mark.parametrize(("setting", "apply_on"), [("false", "None"), ("true", "PublishedVersions")])
def test_snapstart_parameter_switches_every_function_behind_its_alias(setting, apply_on):
    template = with_parameter("SnapStart", setting)
    resolver = Resolver(template)
    for function_id in FUNCTION_IDS:
        assert resolver.resolve(function_property(template, function_id, "SnapStart")) == {"ApplyOn": apply_on}
        # The API and the schedule invoke the alias, i.e. a published version (the only kind
        # SnapStart restores), whatever the setting.
        assert function_property(template, function_id, "AutoPublishAlias") == "live"
        # The setting is in the version's description: switching it replaces the version.
        description = function_property(template, function_id, "VersionDescription")
        assert resolver.resolve(description) == f"SnapStart={setting}"


def test_snapstart_is_off_by_default():
    assert TEMPLATE["Parameters"]["SnapStart"]["Default"] == "false"


def test_cfn_lint_reports_nothing_with_snapstart_on(tmp_path):
    variant = tmp_path / "template.yaml"
    variant.write_text(TEMPLATE_PATH.read_text().replace(SNAPSTART_DEFAULT, SNAPSTART_DEFAULT.replace("false", "true")))
    assert load_template(variant)["Parameters"]["SnapStart"]["Default"] == "true"
    matches = lint_file(variant)
    assert not matches, "cfn-lint:\n" + "\n".join(str(match) for match in matches)


@pytest.mark.sam
def test_sam_validate_lint_passes_with_snapstart_on(tmp_path):
    if sam_cli() is None:
        pytest.skip(SAM_CLI_MISSING)
    variant = tmp_path / "template.yaml"
    variant.write_text(TEMPLATE_PATH.read_text().replace(SNAPSTART_DEFAULT, SNAPSTART_DEFAULT.replace("false", "true")))
    result = run_sam("validate", "--lint", "--template-file", str(variant), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ tables


MENTORSHIP_TABLE = table_definitions()["MentorshipTable"]
# What pynamodb's create_table would send (it includes the indexes of the item subclasses too).
MODEL_SCHEMA = TableItem._get_schema()


def test_one_table_plus_the_idempotency_and_connections_tables():
    # ConnectionsTable: live-availability subscriptions, apart from the single table's stream
    assert set(table_definitions()) == {"MentorshipTable", "IdempotencyTable", "ConnectionsTable"}


def test_table_keys_are_the_models_keys():
    assert key_names(MENTORSHIP_TABLE["KeySchema"]) == key_names(MODEL_SCHEMA["key_schema"])


def test_table_indexes_are_the_models_indexes():
    in_template = {
        index["IndexName"]: (key_names(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in MENTORSHIP_TABLE["GlobalSecondaryIndexes"]
    }
    in_models = {
        index["index_name"]: (key_names(index["key_schema"]), index["projection"]["ProjectionType"])
        for index in MODEL_SCHEMA["global_secondary_indexes"]
    }
    assert in_template == in_models
    assert {projection for _, projection in in_template.values()} == {"ALL"}
    assert not MODEL_SCHEMA["local_secondary_indexes"]
    assert "LocalSecondaryIndexes" not in properties("MentorshipTable")


def test_attribute_definitions_are_the_key_attributes_typed_as_in_the_model():
    defined = attribute_types(MENTORSHIP_TABLE["AttributeDefinitions"])
    used_as_keys = set(key_names(MENTORSHIP_TABLE["KeySchema"]).values()).union(
        *(key_names(index["KeySchema"]).values() for index in MENTORSHIP_TABLE["GlobalSecondaryIndexes"])
    )
    assert set(defined) == used_as_keys
    assert defined == attribute_types(MODEL_SCHEMA["attribute_definitions"])
    # The item model writes each key attribute with the same type the index declares.
    item_attributes = {attr.attr_name: attr.attr_type for attr in TableItem.get_attributes().values()}
    assert {name: item_attributes.get(name) for name in defined} == defined
    assert set(defined.values()) == {"S"}


def test_ttl_attribute_is_the_models():
    assert MENTORSHIP_TABLE["TimeToLive"] == TableItem._ttl_attribute().attr_name


def test_idempotency_table_has_the_shape_powertools_expects_by_default():
    parameters = inspect.signature(DynamoDBPersistenceLayer).parameters
    defaults = {name: parameter.default for name, parameter in parameters.items()}
    table = table_definitions()["IdempotencyTable"]
    expected_keys = {"HASH": defaults["key_attr"]}
    if defaults["sort_key_attr"]:
        expected_keys["RANGE"] = defaults["sort_key_attr"]
    assert key_names(table["KeySchema"]) == expected_keys
    assert attribute_types(table["AttributeDefinitions"]) == dict.fromkeys(expected_keys.values(), "S")
    assert table["TimeToLive"] == defaults["expiry_attr"]


# ------------------------------------------------------------------ functions


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_function_runs_its_app_module_on_the_common_layer(function_id):
    spec = functions()[function_id]
    assert function_property(TEMPLATE, function_id, "Runtime") == RUNTIME
    assert [ref_target(arch) for arch in function_property(TEMPLATE, function_id, "Architectures")] == [
        "Architecture"
    ]
    assert LAYER_ID in function_layers(TEMPLATE, function_id)
    assert spec.handler == HANDLER
    assert (spec.code_dir / "app.py").is_file(), f"{spec.code_dir} has no app.py"


def test_common_layer_builds_for_the_functions_runtime_and_architecture():
    layer = TEMPLATE["Resources"][LAYER_ID]
    assert layer["Metadata"]["BuildMethod"] == RUNTIME
    assert ref_target(layer["Metadata"]["BuildArchitecture"]) == "Architecture"
    assert [ref_target(arch) for arch in layer["Properties"]["CompatibleArchitectures"]] == ["Architecture"]
    assert RUNTIME in layer["Properties"]["CompatibleRuntimes"]
    # BuildMethod copies ContentUri into python/ itself: the package sits at the layer's root.
    content = ROOT / layer["Properties"]["ContentUri"]
    assert (content / "requirements.txt").is_file()
    assert (content / "mentorship" / "__init__.py").is_file()
    assert not (content / "python").exists()


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_function_environment_names_the_template_resources(function_id):
    environment = functions()[function_id].environment
    assert {name: ref_target(environment.get(name)) for name in RESOURCE_VARIABLES} == RESOURCE_VARIABLES
    # Every variable the shared settings read is set (with dummy values standing in for refs).
    Settings.from_environ(lambda_environment(function_id))


@pytest.mark.parametrize("function_id", sorted(MUST_NOT_IMPORT))
def test_function_imports_no_code_it_does_not_run(function_id):
    probe = probe_handler(
        sys.executable,
        source_search_path(function_id),
        functions()[function_id].handler,
        lambda_environment(function_id),
        site=True,  # the dependencies come from this virtual environment
    )
    assert probe.handler_callable
    assert probe.loaded("mentorship"), "the probe did not import the function's code"
    assert [package for package in MUST_NOT_IMPORT[function_id] if probe.loaded(package)] == []


# Prints the API models a fresh import of a handler, and of the route modules its requests import,
# left with a built validator.
_BUILT_MODELS_PROBE = """
import importlib, json, sys
search_path, module_name = json.loads(sys.argv[1])
sys.path[:0] = search_path
module = importlib.import_module(module_name)
module.app.include_all_routes()
from mentorship.api.schemas import ApiModel

def subclasses(model):
    for subclass in model.__subclasses__():
        yield subclass
        yield from subclasses(subclass)

models = list(subclasses(ApiModel))
print(json.dumps([len(models), sorted(m.__qualname__ for m in models if m.__pydantic_complete__)]))
"""


@pytest.mark.parametrize("function_id", sorted({route.function for route in http_routes()}))
def test_http_functions_build_no_validator_at_import(function_id):
    """A cold start builds the validators of the route it serves on first use (`defer_build`),
    not every model's at import."""
    spec = functions()[function_id]
    payload = json.dumps([[str(path) for path in source_search_path(function_id)], spec.handler_module])
    result = subprocess.run(
        [sys.executable, "-I", "-c", _BUILT_MODELS_PROBE, payload],
        env={**os.environ, **lambda_environment(function_id)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    model_count, built = json.loads(result.stdout.strip().splitlines()[-1])
    assert model_count > 5 and built == []


def test_reminders_and_directory_compaction_run_every_minute():
    assert {(schedule.function, schedule.expression, schedule.enabled) for schedule in schedules()} == {
        ("RemindersFunction", "rate(1 minute)", True),
        ("DirectoryFunction", "rate(1 minute)", True),
    }


# ------------------------------------------------------------------ HTTP routes


@pytest.fixture(scope="module")
def security_schemes() -> dict:
    """The security schemes of the published document (tooling/openapi.py defines them)."""
    return build_document()["components"]["securitySchemes"]


def code_routes(app, security_schemes: dict) -> dict[tuple[str, str], list | None]:
    """(METHOD, path) -> security requirement of each operation the resolver documents."""
    document = app.get_openapi_schema(security_schemes=security_schemes).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    routes = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method in {"get", "put", "post", "delete", "options", "head", "patch", "trace"}:
                routes[(method.upper(), path)] = operation.get("security", document.get("security")) or None
    return routes


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_http_routes_are_the_ones_the_function_serves(function_id, security_schemes):
    """Both ways: a template route the code lacks answers 404 in AWS; a code route the template
    lacks is unreachable. A route is public (no security) exactly when its event says
    `Authorizer: NONE`; every other route needs the bearer token."""
    in_template = {
        (route.method, route.path): BEARER if route.protected else None
        for route in http_routes()
        if route.function == function_id
    }
    app = getattr(load_function_module(function_id), "app", None)
    in_code = code_routes(app, security_schemes) if app is not None else {}
    assert in_code == in_template


def test_protected_routes_name_an_http_bearer_scheme(security_schemes):
    (requirement,) = BEARER
    (scheme_name,) = requirement
    scheme = security_schemes[scheme_name]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_http_events_use_the_api_behind_the_jwt_authorizer():
    """An HttpApi event without ApiId lands on an implicit API that has no authorizer; an event
    naming an authorizer the API does not define passes both linters."""
    (api_id,) = resources_of_type("AWS::Serverless::HttpApi", TEMPLATE)
    auth = properties(api_id)["Auth"]
    assert "JwtConfiguration" in auth["Authorizers"][auth["DefaultAuthorizer"]]
    for route in http_routes():
        event = properties(route.function)["Events"][route.event]["Properties"]
        assert ref_target(event.get("ApiId")) == api_id, route.route_key
        authorizer = (event.get("Auth") or {}).get("Authorizer", auth["DefaultAuthorizer"])
        assert authorizer in {"NONE", *auth["Authorizers"]}, route.route_key


# ------------------------------------------------------------------ least privilege


def policy_statements(function_id: str) -> list[dict]:
    statements = []
    for policy in properties(function_id).get("Policies") or []:
        # SAM policy templates and managed policies cannot be inspected here (and
        # DynamoDBCrudPolicy, for one, grants Scan): every policy is an inline statement list.
        assert isinstance(policy, dict) and set(policy) == {"Statement"}, f"{function_id}: {policy}"
        statements += policy["Statement"]
    return statements


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def resource_name(value: Any) -> str:
    """!GetAtt T.Arn -> "T"; !GetAtt T.StreamArn -> "T/stream"; !Sub "${T.Arn}/index/X" -> "T/index/X";
    !Ref R -> "R"; "*" -> "*"."""
    if isinstance(value, Tag) and value.name == "GetAtt":
        resource, attribute = value.value.split(".") if isinstance(value.value, str) else value.value
        return f"{resource}/stream" if attribute == "StreamArn" else resource
    if isinstance(value, Tag) and value.name == "Sub" and isinstance(value.value, str):
        return re.sub(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}", r"\1", value.value)
    return ref_target(value) or str(value)


def granted_resources(statement: dict) -> set[str]:
    names = {resource_name(resource) for resource in as_list(statement["Resource"])}
    if names == {"*"}:
        # Only SES may have "*", and only to send as the configured sender.
        actions = as_list(statement["Action"])
        sender = (statement.get("Condition") or {}).get("StringEquals", {}).get("ses:FromAddress")
        assert all(action.startswith("ses:Send") for action in actions), f"unscoped resource for {actions}"
        assert ref_target(sender) == "SenderEmail", f"{statement.get('Sid')} may send as anyone"
        return {SES_SENDER}
    return names


def calendar_key_statements(function_id: str) -> list[dict]:
    return [
        statement
        for statement in policy_statements(function_id)
        if any(action.startswith("kms:") for action in as_list(statement["Action"]))
        and "CalendarSecretsKey" in {resource_name(resource) for resource in as_list(statement["Resource"])}
    ]


@pytest.mark.parametrize(
    ("function_id", "actions"),
    [
        ("MentorsFunction", ["kms:Decrypt", "kms:Encrypt"]),
        ("BookingFunction", ["kms:Decrypt"]),
        ("StreamFunction", ["kms:Decrypt"]),  # a waitlist offer is a hold made from the stream
        ("RemindersFunction", ["kms:Decrypt"]),  # ... or from the per-minute run's recheck
    ],
)
def test_calendar_passwords_are_sealed_by_the_mentors_function_and_opened_by_holds(function_id, actions):
    """KMS on the one key, and only with the mentor/calendar encryption context: the mentors
    function seals (and reads) passwords, a hold (a mentee's, or a waitlist offer's) only opens
    them to read calendars live."""
    (statement,) = calendar_key_statements(function_id)
    assert sorted(as_list(statement["Action"])) == actions
    assert {resource_name(resource) for resource in as_list(statement["Resource"])} == {"CalendarSecretsKey"}
    keys = statement["Condition"]["ForAllValues:StringEquals"]["kms:EncryptionContextKeys"]
    assert sorted(keys) == ["calendarId", "mentorId"]
    if function_id == "MentorsFunction":  # it seals with this key; BookingFunction seals webhook secrets
        assert ref_target(functions()[function_id].environment["SECRETS_KEY_ID"]) == "CalendarSecretsKey"


def test_no_other_function_may_use_the_calendar_key():
    for function_id in set(FUNCTION_IDS) - {"MentorsFunction", "BookingFunction", "StreamFunction", "RemindersFunction"}:
        assert not calendar_key_statements(function_id), function_id


WEBHOOK_KEY_ACTIONS = {"BookingFunction": ["kms:Encrypt"], "StreamFunction": ["kms:Decrypt"], "RemindersFunction": ["kms:Decrypt"]}


def test_webhook_secrets_are_sealed_by_the_booking_routes_and_opened_only_by_the_senders():
    """Each function the one KMS action it needs on the webhook key, with the user/webhook context."""
    for function_id in FUNCTION_IDS:
        statements = [
            s
            for s in policy_statements(function_id)
            if "kms" in str(s["Action"]) and "CalendarSecretsKey" not in {resource_name(r) for r in as_list(s["Resource"])}
        ]
        if function_id not in WEBHOOK_KEY_ACTIONS:
            assert statements == [], function_id
            continue
        (statement,) = statements
        assert sorted(as_list(statement["Action"])) == WEBHOOK_KEY_ACTIONS[function_id]
        assert {resource_name(r) for r in as_list(statement["Resource"])} == {"WebhookSecretsKey"}
        keys = statement["Condition"]["ForAllValues:StringEquals"]["kms:EncryptionContextKeys"]
        assert sorted(keys) == ["userId", "webhookId"]
        assert ref_target(functions()[function_id].environment["SECRETS_KEY_ID"]) == "WebhookSecretsKey"


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_in_aws_outbound_http_never_reaches_loopback_and_no_rules_switch_is_left(function_id):
    environment = functions()[function_id].environment
    assert environment["OUTBOUND_ALLOW_LOOPBACK"] == "false"
    assert environment.get("OUTBOUND_LOOPBACK_ONLY", "false") == "false"
    assert "SCHEDULE_RULES_OFFERED" not in environment  # holds ask the same offering as listings


def test_every_function_has_declared_needs():
    assert set(NEEDED_RESOURCES) == set(FUNCTION_IDS)


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_policies_grant_no_scan_and_no_wildcard_action(function_id):
    granted = {
        action
        for statement in policy_statements(function_id)
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
    }
    assert granted, f"{function_id} has no permissions at all"
    assert sorted(action for action in granted if "*" in action or action.lower() in FORBIDDEN_ACTIONS) == []


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_policies_name_only_what_the_function_needs(function_id):
    allowed = [statement for statement in policy_statements(function_id) if statement["Effect"] == "Allow"]
    granted = set().union(*map(granted_resources, allowed))
    assert granted == NEEDED_RESOURCES[function_id]


# ------------------------------------------------------------------ samconfig.toml


def words(value: str | list[str]) -> list[str]:
    """samconfig list values: a TOML list, or one string of space-separated (quotable) words."""
    return value if isinstance(value, list) else shlex.split(value)


def test_samconfig_overrides_only_template_parameters_with_allowed_values():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    parameters = TEMPLATE["Parameters"]
    overrides_found = False
    for environment in config.values():
        if not isinstance(environment, dict):
            continue  # version = 0.1
        for command in environment.values():
            settings = command.get("parameters", {})
            overrides = settings.get("parameter_overrides")
            if overrides is None:
                continue
            overrides_found = True
            for name, value in (pair.split("=", 1) for pair in words(overrides)):
                assert name in parameters, f"samconfig overrides unknown parameter {name}"
                declared = parameters[name]
                assert value in map(str, declared.get("AllowedValues", [value])), f"{name}={value}"
                assert re.fullmatch(declared.get("AllowedPattern", ".*"), value), f"{name}={value}"
    assert overrides_found
    capabilities = set(words(config["default"]["deploy"]["parameters"]["capabilities"]))
    assert "CAPABILITY_IAM" in capabilities
    if resources_of_type("AWS::Serverless::Application", TEMPLATE):
        assert "CAPABILITY_AUTO_EXPAND" in capabilities


def test_the_table_stream_feeds_the_stream_function_with_partial_failures_and_bounded_retries():
    assert properties("MentorshipTable")["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    (source,) = stream_sources()
    assert (source.function, source.table) == ("StreamFunction", "MentorshipTable")
    assert source.reports_item_failures and source.bisect_on_error
    assert 0 <= source.maximum_retry_attempts <= 10, "retries must be bounded (-1 retries until expiry)"
    event = properties("StreamFunction")["Events"][source.event]["Properties"]
    assert resource_name(event["DestinationConfig"]["OnFailure"]["Destination"]) == "StreamFailures"
    assert TEMPLATE["Resources"]["StreamFailures"]["Type"] == "AWS::SQS::Queue"


def test_hold_timers_feed_the_hold_expiry_function_with_partial_failures_and_a_dead_letter_queue():
    """The queue the StreamFunction starts hold timers on is the one HoldExpiryFunction reads; a
    timer that keeps failing ends in a dead-letter queue (the per-minute run expires its hold)."""
    (source,) = queue_sources()
    assert (source.function, source.queue) == ("HoldExpiryFunction", "HoldExpiryQueue")
    assert source.reports_item_failures
    assert source.visibility_timeout >= 6 * functions()["HoldExpiryFunction"].timeout  # AWS's advice for SQS triggers
    for function_id in ("StreamFunction", "HoldExpiryFunction"):
        assert ref_target(functions()[function_id].environment["HOLD_EXPIRY_QUEUE_URL"]) == "HoldExpiryQueue"
    queue = properties("HoldExpiryQueue")
    assert resource_name(queue["RedrivePolicy"]["deadLetterTargetArn"]) == "HoldTimersThatKeptFailing"
    mapping = properties(source.event)
    assert mapping["MaximumBatchingWindowInSeconds"] == 0
    assert ref_target(mapping["FunctionName"]) == "HoldExpiryFunctionAliaslive"  # the published alias, as SAM's events do
    # Not a SAM SQS event (which attaches AWSLambdaSQSQueueExecutionRole: every queue); the poller's
    # three actions on this queue only, in the function's own policy.
    assert "Events" not in properties("HoldExpiryFunction")
    (receive,) = [s for s in policy_statements("HoldExpiryFunction") if "sqs:ReceiveMessage" in as_list(s["Action"])]
    assert sorted(as_list(receive["Action"])) == ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    assert {resource_name(r) for r in as_list(receive["Resource"])} == {"HoldExpiryQueue"}


def test_no_function_in_aws_shortens_the_hold():
    """HOLD_SECONDS is the local stack's (its end-to-end test of expiry); AWS holds 5 minutes."""
    for function_id, spec in functions().items():
        assert "HOLD_SECONDS" not in spec.environment, function_id
# ------------------------------------------------------------------ edge cache of the public reads

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS managed cache policy


def test_public_mentor_reads_are_cached_by_query_string_and_the_mentors_own_routes_never():
    policy = properties("DirectoryCachePolicy")["CachePolicyConfig"]
    keyed = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert keyed["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert keyed["CookiesConfig"]["CookieBehavior"] == "none"
    assert keyed["HeadersConfig"]["Headers"] == ["Authorization"]  # the zone claim of a token
    assert (policy["MinTTL"], policy["DefaultTTL"], policy["MaxTTL"]) == (0, 300, 300)

    behaviours = properties("DirectoryDistribution")["DistributionConfig"]["CacheBehaviors"]
    by_path = {behaviour["PathPattern"]: behaviour for behaviour in behaviours}
    for path in ("/mentors", "/mentors/*"):
        assert ref_target(by_path[path]["CachePolicyId"]) == "DirectoryCachePolicy"
        assert by_path[path]["AllowedMethods"] == ["GET", "HEAD"]
    own = by_path["/mentors/me*"]
    order = [behaviour["PathPattern"] for behaviour in behaviours]
    assert order.index("/mentors/me*") < order.index("/mentors/*"), "CloudFront takes the first match"
    assert own["CachePolicyId"] == CACHING_DISABLED
    assert "Authorization" in properties("HttpApi")["CorsConfiguration"]["AllowHeaders"]
    assert "ETag" in properties("HttpApi")["CorsConfiguration"]["ExposeHeaders"]
    assert "If-None-Match" in properties("HttpApi")["CorsConfiguration"]["AllowHeaders"]
