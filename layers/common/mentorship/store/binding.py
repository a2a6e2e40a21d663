"""Binds the pynamodb models to a table at run time (name, region, endpoint).

In AWS the endpoint is the default; locally and in tests it comes from
AWS_ENDPOINT_URL_DYNAMODB, the variable botocore itself honours.
"""

from __future__ import annotations

import os

from mentorship.store.models import ALL_MODELS

_bound: tuple[str, str, str | None] | None = None
_binds = 0  # every bind_table call counts, even to the same table: what was cached for it is stale


def bind_table(table_name: str, region: str, host: str | None = None) -> None:
    """Point every model at `table_name`; idempotent, and rebinding drops cached connections."""
    global _bound, _binds
    _binds += 1
    host = host if host is not None else os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None
    target = (table_name, region, host)
    if _bound == target:
        return
    for model in ALL_MODELS:
        model.Meta.table_name = table_name
        model.Meta.region = region
        model.Meta.host = host
        model._connection = None
    _bound = target


def bound_target() -> tuple[tuple[str, str, str | None] | None, int]:
    """The table, region and endpoint the models are bound to (None before the first bind), and
    which bind that was: caches of table data (the directory's read model) key on it."""
    return _bound, _binds


def ensure_bound() -> None:
    """Bind from the function's settings unless something (a test) bound the table already."""
    if _bound is None:
        from mentorship.settings import get_settings

        settings = get_settings()
        bind_table(settings.table_name, settings.region)
