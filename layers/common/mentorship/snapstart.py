"""Lambda SnapStart runtime hooks (template parameter `SnapStart`, off by default).

With SnapStart, Lambda runs a function's init once, when a version is published, snapshots the
microVM, and resumes every new execution environment from that one snapshot. Whatever init left
in memory is shared by all of them, so:

- **Before the snapshot** the hook imports what a cold start defers to first use (an HTTP
  function's route modules, with the store and services they use, and the modules a function
  names when it registers) and primes what is the same everywhere and costs every first
  request: the validators of the HTTP functions' API models (built on first use
  otherwise, `defer_build`) and the resolver's per-route validation (Powertools builds it for a
  route's first request; generating the OpenAPI document builds it for every route). Then it
  checks that all this left nothing that must be fresh: no AWS client (it would carry
  credentials resolved at publish time and a connection pool) and no open socket. Our code
  creates neither at import (clients are made on first use); the check fails the publish if a
  change ever does.
- **After each restore** the hook remakes what must be unique: the `random` module is reseeded
  from the OS (a shared seed would make every restored environment draw the same retry jitter,
  botocore's and the store's, and retry in step), and the settings cache is dropped so the
  environment is read in the restored environment. IDs and secrets come from `uuid4`/`secrets`
  (os.urandom), never from init.

The hook module (`snapshot_restore_py`) ships with Lambda's managed Python runtimes; elsewhere
(tests, the local stack, the bench) `register` finds none and registers nothing.
"""

from __future__ import annotations

import gc
import importlib
import random
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

_resolvers: list[APIGatewayHttpResolver] = []  # primed before the snapshot
_deferred_modules: list[str] = []  # imported before the snapshot


class SnapshotUnsafe(RuntimeError):
    """Init left something in memory that every restored environment would share."""


def register(resolver: APIGatewayHttpResolver | None = None, *deferred_modules: str) -> bool:
    """Register the hooks with the runtime; False where the runtime has no hook module. An HTTP
    function passes its resolver, whose route modules are imported and routes primed before the
    snapshot, and any module it otherwise imports on first use."""
    if resolver is not None:
        _resolvers.append(resolver)
    _deferred_modules.extend(deferred_modules)
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


def before_snapshot() -> None:
    import_deferred()
    prime_api_models()
    for resolver in _resolvers:
        resolver.get_openapi_schema()  # builds and caches each route's validation (its dependant)
    problems = shared_state_problems()  # after the imports: a module that made a client at import is caught
    if problems:
        raise SnapshotUnsafe("; ".join(problems))


def after_restore() -> None:
    random.seed()  # from os.urandom: each restored environment draws its own sequence
    settings = sys.modules.get("mentorship.settings")
    if settings is not None:
        settings.get_settings.cache_clear()


def import_deferred() -> None:
    """What a cold start leaves to first use, so that the snapshot holds it: every route module of
    the registered resolvers (mentorship/api/resolver.py) and the modules named at registration."""
    for resolver in _resolvers:
        include_all_routes = getattr(resolver, "include_all_routes", None)
        if include_all_routes is not None:
            include_all_routes()
    for name in _deferred_modules:
        importlib.import_module(name)


def shared_state_problems() -> list[str]:
    """AWS clients and open sockets alive in this process (what a snapshot must not hold)."""
    client_base = getattr(sys.modules.get("botocore.client"), "BaseClient", None)
    problems = []
    for thing in gc.get_objects():
        if client_base is not None and isinstance(thing, client_base):
            problems.append(f"an AWS client ({type(thing).__name__}) exists before the snapshot")
        elif isinstance(thing, socket.socket) and thing.fileno() != -1:
            problems.append(f"a socket is open before the snapshot ({thing!r})")
    return problems


def prime_api_models() -> int:
    """Build the validators of every API model loaded (none in a function without the HTTP edge);
    returns how many were built."""
    schemas = sys.modules.get("mentorship.api.schemas")
    if schemas is None:
        return 0
    built = 0
    pending = list(schemas.ApiModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if not model.__pydantic_complete__:
            model.model_rebuild()
            built += 1
    return built
