"""An HTTP function's route modules are imported by the first request under their prefixes
(mentorship/api/resolver.py): the routing must be the one of the whole table, whichever modules
earlier requests happened to import."""

import importlib
import re

import pytest

from mentorship.api.resolver import HttpResolver, build_resolver
from tooling.openapi import load_function_module
from tooling.template import http_routes

FUNCTIONS = sorted({route.function for route in http_routes()})
LAZY = [function_id for function_id in FUNCTIONS if load_function_module(function_id).app.route_modules]
# Values for a route's path parameters: any id, and one that equals a literal segment elsewhere.
PARAMETER_VALUES = ("x1", "me")


@pytest.fixture(params=LAZY)
def app(request):
    """A function's resolver, every route included; the resolvers a test builds from its route
    modules take its routers over (Powertools points a router at the resolver that includes it),
    so they are handed back."""
    app = load_function_module(request.param).app
    app.include_all_routes()
    yield app
    for module in app.route_modules:
        importlib.import_module(module.name).router.api_resolver = app


def routes_of(resolver: HttpResolver):
    return resolver._static_routes + resolver._dynamic_routes


def matched(resolver: HttpResolver, method: str, path: str):
    """The route Powertools resolves: static routes first, then dynamic ones, in order."""
    return next(
        (route.func for route in routes_of(resolver) if route.method == method and route.rule.match(path)), None
    )


def sample_paths(app: HttpResolver) -> set[tuple[str, str]]:
    return {
        (route.method, re.sub(r"<\w+>", value, route.path)) for route in routes_of(app) for value in PARAMETER_VALUES
    } | {("GET", "/nowhere"), ("GET", "/")}


def test_every_route_lies_under_a_prefix_of_its_module(app):
    prefixes = {module.name: module.prefixes for module in app.route_modules}
    for route in routes_of(app):
        literal = route.path.split("<", 1)[0]  # what every path the route matches starts with
        module_prefixes = prefixes[route.func.__module__]
        assert any(
            literal == route.path == prefix or literal.startswith(prefix + "/") for prefix in module_prefixes
        ), f"{route.method} {route.path}: add its prefix to {route.func.__module__}'s RouteModule"


def test_every_route_module_of_the_function_is_listed(app):
    listed = {module.name for module in app.route_modules}
    assert {route.func.__module__ for route in routes_of(app)} <= listed | {app.__module__}


def test_a_request_finds_the_route_the_whole_table_gives(app):
    for method, path in sorted(sample_paths(app)):
        expected = matched(app, method, path)
        # Nothing imported yet, then every other module imported first, in both orders.
        others = [module for module in app.route_modules if not module.covers(path)]
        for earlier in ([], others, others[::-1]):
            lazy = build_resolver(app.route_modules)
            for module in earlier:
                lazy.include_routes_for(next(iter(module.prefixes)))
            lazy.include_routes_for(path)
            assert matched(lazy, method, path) is expected, (method, path, [m.name for m in earlier])


def test_a_request_imports_only_the_modules_under_its_path(app):
    lazy = build_resolver(app.route_modules)
    first, *rest = app.route_modules
    lazy.include_routes_for(first.prefixes[0])
    included = {route.func.__module__ for route in routes_of(lazy)}
    assert first.name in included
    assert included <= {module.name for module in app.route_modules if module.covers(first.prefixes[0])}


def test_a_second_request_under_the_same_prefix_imports_nothing_more(app):
    lazy = build_resolver(app.route_modules)
    path = app.route_modules[0].prefixes[0]
    lazy.include_routes_for(path)
    first = len(routes_of(lazy))
    lazy.include_routes_for(path)
    assert len(routes_of(lazy)) == first < len(routes_of(app))


def test_a_path_no_module_claims_gets_the_whole_table(app):
    lazy = build_resolver(app.route_modules)
    lazy.include_routes_for("/nowhere")
    assert len(routes_of(lazy)) == len(routes_of(app))


def test_the_openapi_document_describes_every_route(app):
    document = build_resolver(app.route_modules).get_openapi_schema()
    operations = [
        method for item in document.paths.values() for method in ("get", "put", "post", "delete", "patch")
        if getattr(item, method) is not None
    ]
    assert len(operations) == len(routes_of(app))
