"""The OpenAPI document, generated from the functions' code (routes, pydantic models).

    python -m tooling.openapi write   # regenerate docs/openapi.json
    python -m tooling.openapi check   # exit 1 if docs/openapi.json drifted from the code

Each HTTP function's Powertools resolver describes its own routes; this merges them into the
one document clients see, with the bearer scheme the JWT authorizer enforces.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from types import ModuleType

from tooling.template import ROOT, functions, http_routes, layer_dirs

DOCUMENT_PATH = ROOT / "docs" / "openapi.json"
TITLE = "Mentor booking API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Browse mentors, hold and book 30/60/90-minute sessions, manage them afterwards. "
    "Instants are RFC 3339 (responses in UTC with Z, plus localStart/localEnd in the caller's zone); "
    "money is integer minor units; errors are {\"error\": {\"code\", \"message\", \"details\"}}. "
    "Unknown query parameters are ignored; unknown body fields are a 422."
)


def load_function_module(function_id: str) -> ModuleType:
    """Import a function's `app` module as Lambda would: its code dir and the layer on sys.path.
    Each function's module gets a unique name, so two functions load side by side."""
    spec = functions()[function_id]
    for path in [*map(str, layer_dirs()), str(spec.code_dir)]:
        if path not in sys.path:
            sys.path.insert(0, path)
    module_name = f"_function_{function_id}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    module_file = spec.code_dir / f"{spec.handler_module}.py"
    loader_spec = importlib.util.spec_from_file_location(module_name, module_file)
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module
    loader_spec.loader.exec_module(module)
    return module


def build_document() -> dict:
    document: dict = {}
    for function_id in sorted({route.function for route in http_routes()}):
        app = load_function_module(function_id).app
        from mentorship.api.resolver import SECURITY_SCHEMES  # importable once a function is loaded
        schema = app.get_openapi_schema(
            title=TITLE,
            version=VERSION,
            description=DESCRIPTION,
            servers=[{"url": "http://127.0.0.1:3000", "description": "make run"}],
            security_schemes=SECURITY_SCHEMES,
        ).model_dump(mode="json", by_alias=True, exclude_none=True)
        if not document:
            document = schema
            continue
        for path, operations in schema.get("paths", {}).items():
            document["paths"].setdefault(path, {}).update(operations)
        for kind, entries in schema.get("components", {}).items():
            document.setdefault("components", {}).setdefault(kind, {}).update(entries)
    document["paths"] = dict(sorted(document["paths"].items()))
    for operations in document["paths"].values():
        for operation in operations.values():
            _document_error_shapes(operation["responses"])
            _no_content_without_a_body(operation["responses"])
            operation["responses"] = dict(sorted(operation["responses"].items()))
    _drop_unreferenced_schemas(document)
    for kind in document.get("components", {}):
        document["components"][kind] = dict(sorted(document["components"][kind].items()))
    return document


def _document_error_shapes(responses: dict) -> None:
    """Powertools documents its own bodies for validation failures (422) and for a response that
    fails validation (our 500); the error map answers both in the contract's shape instead."""
    for status in ("422", "500"):
        documented = json.dumps(responses.get(status) or {})
        if "HTTPValidationError" in documented or "ResponseValidationError" in documented:
            responses[status] = {
                "description": "Validation error" if status == "422" else "Unexpected error on our side (logged)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
            }


# Statuses whose answers never carry content (RFC 9110 §15.3.5, §15.4.5).
NO_CONTENT_STATUSES = ("204", "304")


def _no_content_without_a_body(responses: dict) -> None:
    """Powertools documents a route's return annotation as the content of its success status,
    even `Response[None]` (`{"type": "null"}` as application/json); a 204 or 304 has none."""
    for status in NO_CONTENT_STATUSES:
        if status in responses:
            responses[status].pop("content", None)


def _drop_unreferenced_schemas(document: dict) -> None:
    """Powertools always adds its own validation-error schemas; our routes answer errors in the
    contract's shape instead, so schemas nothing refers to are left out of the document."""
    schemas = document.get("components", {}).get("schemas", {})
    prefix = "#/components/schemas/"

    def refs(node) -> set[str]:
        if isinstance(node, dict):
            found = {node["$ref"][len(prefix):]} if isinstance(node.get("$ref"), str) else set()
            return found.union(*(refs(value) for value in node.values()))
        if isinstance(node, list):
            return set().union(*(refs(value) for value in node))
        return set()

    reachable, frontier = set(), refs(document["paths"])
    while frontier:
        name = frontier.pop()
        if name not in reachable and name in schemas:
            reachable.add(name)
            frontier |= refs(schemas[name])
    document["components"]["schemas"] = {name: schemas[name] for name in schemas if name in reachable}


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    generated = render(build_document())
    if command == "write":
        DOCUMENT_PATH.write_text(generated)
        print(f"wrote {DOCUMENT_PATH.relative_to(ROOT)}")
        return 0
    if command == "check":
        current = DOCUMENT_PATH.read_text() if DOCUMENT_PATH.exists() else ""
        if current != generated:
            print("docs/openapi.json is out of date with the code: run `make openapi` and commit it")
            return 1
        print("docs/openapi.json matches the code")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
