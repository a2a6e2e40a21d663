"""MentorsFunction: browse mentors and profiles (public), mentor self-service (authenticated).

Each route module is imported by the first request under its prefixes (mentorship/api/resolver.py),
so a cold start loads the store and services its request uses; SnapStart's priming loads them all.
"""

from mentorship import snapstart
from mentorship.api.resolver import RouteModule, build_resolver, http_handler

app = build_resolver(
    (
        RouteModule("mentors_api.browse", ("/mentors",)),
        RouteModule("mentors_api.self_service", ("/mentors/me",)),
        RouteModule("mentors_api.schedule", ("/mentors/me/schedule", "/mentors/me/calendars")),
        RouteModule("mentors_api.earnings", ("/mentors/me/earnings",)),
    )
)

lambda_handler = http_handler(app)
snapstart.register(app)  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)
