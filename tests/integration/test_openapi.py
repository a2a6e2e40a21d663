"""The committed OpenAPI document is what the code generates, and it covers the template's routes."""

import re

from tooling.template import http_routes
from tooling.openapi import DOCUMENT_PATH, build_document, render


def test_committed_document_matches_the_code():
    assert DOCUMENT_PATH.read_text() == render(build_document()), (
        "docs/openapi.json drifted from the code: run `make openapi` and commit it"
    )


def test_every_template_route_is_documented_with_its_auth():
    document = build_document()
    for route in http_routes():
        operation = document["paths"][route.path][route.method.lower()]
        assert bool(operation.get("security")) == route.protected, route.route_key
        assert "200" in operation["responses"] or "201" in operation["responses"] or "204" in operation["responses"]


def test_protected_routes_document_401_and_every_route_documents_the_error_shape():
    document = build_document()
    for route in http_routes():
        operation = document["paths"][route.path][route.method.lower()]
        error_statuses = [status for status in operation["responses"] if re.fullmatch(r"4\d\d|5\d\d", status)]
        assert error_statuses, route.route_key
        for status in error_statuses:
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
        if route.protected:
            assert "401" in operation["responses"], route.route_key


def test_every_no_content_answer_is_documented_without_content():
    """A 204 (or 304) carries no body; Powertools documents the return annotation of
    `Response[None]` as `application/json` `null`, which a client generator and schemathesis read
    as a promised body (issue 17)."""
    document = build_document()
    no_content = [
        (path, method, status)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status in ("204", "304")
    ]
    assert ("/mentors/me/availability/{start}", "delete", "204") in no_content
    for path, method, status in no_content:
        assert "content" not in document["paths"][path][method]["responses"][status], (method, path, status)
