"""SnapStart's runtime hooks: what they refuse to snapshot, what they prime, what they remake after
a restore, and that every function of the template registers them (mentorship/snapstart.py)."""

import gc
import json
import os
import random
import socket
import subprocess
import sys
import types

import boto3
import pytest

from mentorship import snapstart
from mentorship.settings import get_settings
from scripts.check_build import lambda_environment, source_search_path
from tooling.template import functions, http_routes


def test_without_the_runtime_hook_module_nothing_is_registered(monkeypatch):
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails, as outside Lambda
    assert snapstart.register() is False


def test_with_the_runtime_hook_module_both_hooks_are_registered(monkeypatch):
    registered = {"before": [], "after": []}
    runtime = types.SimpleNamespace(
        register_before_snapshot=registered["before"].append, register_after_restore=registered["after"].append
    )
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    assert snapstart.register() is True
    assert registered == {"before": [snapstart.before_snapshot], "after": [snapstart.after_restore]}


def test_environments_restored_from_one_snapshot_draw_different_random_numbers():
    snapshot = random.getstate()  # what every restored environment starts from
    draws = []
    for _ in range(2):
        random.setstate(snapshot)
        snapstart.after_restore()
        draws.append([random.random() for _ in range(4)])
    random.setstate(snapshot)
    unrestored = [random.random() for _ in range(4)]  # what they would all draw without the hook
    assert draws[0] != draws[1]
    assert unrestored not in draws


def test_a_restore_reads_the_settings_again(monkeypatch):
    monkeypatch.setenv("SENDER_EMAIL", "before@example.com")
    get_settings.cache_clear()
    assert get_settings().sender_email == "before@example.com"
    monkeypatch.setenv("SENDER_EMAIL", "after@example.com")
    snapstart.after_restore()
    assert get_settings().sender_email == "after@example.com"
    get_settings.cache_clear()


def test_an_aws_client_or_an_open_socket_is_found_before_the_snapshot():
    before = len(snapstart.shared_state_problems())
    client = boto3.client("sns", region_name="us-east-1")
    sock = socket.socket()
    try:
        found = snapstart.shared_state_problems()
        assert len(found) == before + 2
        assert any("AWS client (SNS)" in problem for problem in found)
        assert any("socket is open" in problem for problem in found)
    finally:
        sock.close()
        del client
        gc.collect()  # a client holds reference cycles
    assert len(snapstart.shared_state_problems()) == before  # a closed socket is no problem


# Imports a handler with a stand-in for the runtime's hook module, then runs the hooks it registered
# the way Lambda would: before the snapshot (at publish), then after a restore.
_LIFECYCLE_PROBE = """
import importlib, json, sys, types
search_path, module_name = json.loads(sys.argv[1])
sys.path[:0] = search_path
registered = {"before": [], "after": []}
sys.modules["snapshot_restore_py"] = types.SimpleNamespace(
    register_before_snapshot=registered["before"].append, register_after_restore=registered["after"].append
)
module = importlib.import_module(module_name)
from mentorship import snapstart
resolver = getattr(module, "app", None)  # an HTTP function's Powertools resolver
problems = snapstart.shared_state_problems()
for hook in reversed(registered["before"]):
    hook()
routes = resolver._static_routes + resolver._dynamic_routes if resolver is not None else []  # all included
primed_later = snapstart.prime_api_models()
for hook in registered["after"]:
    hook()
print(json.dumps({
    "before": [hook.__qualname__ for hook in registered["before"]],
    "after": [hook.__qualname__ for hook in registered["after"]],
    "problems": problems,
    "left_unprimed": primed_later,
    "routes": len(routes),
    "routes_unprimed": sum(route._dependant is None for route in routes),
    "store_in_snapshot": "mentorship.store.models" in sys.modules,
}))
"""


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_every_function_registers_hooks_that_pass_on_its_init(function_id):
    spec = functions()[function_id]
    payload = json.dumps([[str(path) for path in source_search_path(function_id)], spec.handler_module])
    result = subprocess.run(
        [sys.executable, "-I", "-c", _LIFECYCLE_PROBE, payload],
        env={**os.environ, **lambda_environment(function_id)}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr  # before_snapshot raised: init left a client or socket
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["before"] == ["before_snapshot"] and report["after"] == ["after_restore"]
    assert report["problems"] == []
    assert report["left_unprimed"] == 0  # every API model's validator is in the snapshot
    assert report["routes_unprimed"] == 0  # and every route's validation (an HTTP function's)
    assert (report["routes"] > 0) == any(route.function == function_id for route in http_routes())
    assert report["store_in_snapshot"]  # what a cold start leaves to the first request is imported
