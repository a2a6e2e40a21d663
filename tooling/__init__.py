"""Tooling shared by the tests, the bench, the scripts and the local stack.

It reads `template.yaml` (the single source of truth), resolves its intrinsics, runs the real
DynamoDB Local engine with the template's tables and builds the OpenAPI document from the
functions' code. It imports nothing from `local/`, `scripts/`, `bench/` or `tests/`, so each of
those can depend on it without a loop.
"""
