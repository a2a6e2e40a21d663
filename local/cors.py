"""CORS as the HTTP API does it, from the template's CorsConfiguration.

With CORS configured, API Gateway answers preflight requests itself (whatever the routes), adds
the CORS headers to every response for an allowed origin, and ignores CORS headers the function
returns. Locally, the allowed origins are the template's (parameter defaults) plus any loopback
origin (`http://localhost:<any port>`, `http://127.0.0.1:<any port>`), since a local web client
runs on a port of its own choosing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from local.http_messages import HttpRequest, HttpResponse
from tooling.intrinsics import Resolver
from tooling.template import resources_of_type

_LOOPBACK_ORIGIN = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$")


@dataclass(frozen=True)
class CorsPolicy:
    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age: int | None

    @classmethod
    def from_template(cls, resolver: Resolver) -> "CorsPolicy | None":
        """The CorsConfiguration of the template's HttpApi (None when it has none)."""
        for resource in resources_of_type("AWS::Serverless::HttpApi").values():
            config = (resource.get("Properties") or {}).get("CorsConfiguration")
            if config:
                config = resolver.resolve(config)

                def names(key: str) -> tuple[str, ...]:
                    value = config.get(key) or []
                    return tuple(value if isinstance(value, list) else [value])

                return cls(
                    allow_origins=names("AllowOrigins"),
                    allow_methods=names("AllowMethods"),
                    allow_headers=names("AllowHeaders"),
                    expose_headers=names("ExposeHeaders"),
                    max_age=int(config["MaxAge"]) if "MaxAge" in config else None,
                )
        return None

    def allows(self, origin: str | None) -> bool:
        if not origin:
            return False
        if "*" in self.allow_origins or origin in self.allow_origins:
            return True
        return bool(_LOOPBACK_ORIGIN.match(origin))

    @staticmethod
    def is_preflight(request: HttpRequest) -> bool:
        return (
            request.method == "OPTIONS"
            and request.header("Origin") is not None
            and request.header("Access-Control-Request-Method") is not None
        )

    def preflight(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(status=204)
        origin = request.header("Origin")
        if self.allows(origin):
            response.headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Methods", ",".join(self.allow_methods)),
                ("Access-Control-Allow-Headers", ",".join(self.allow_headers).lower()),
                ("Vary", "Origin"),
            ]
            if self.max_age is not None:
                response.headers.append(("Access-Control-Max-Age", str(self.max_age)))
        return response

    def decorate(self, request: HttpRequest, response: HttpResponse) -> None:
        """Replace whatever CORS headers the response has with the API's own."""
        response.headers = [
            (name, value)
            for name, value in response.headers
            if not name.lower().startswith("access-control-")
        ]
        origin = request.header("Origin")
        if self.allows(origin):
            response.headers.append(("Access-Control-Allow-Origin", origin))
            if self.expose_headers:
                response.headers.append(("Access-Control-Expose-Headers", ",".join(self.expose_headers)))
            response.headers.append(("Vary", "Origin"))
