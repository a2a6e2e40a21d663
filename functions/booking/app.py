"""BookingFunction: holds, payment, the session lifecycle, reviews, the inbox, webhooks and the waitlist (all authenticated).

Each route module is imported by the first request under its prefixes (mentorship/api/resolver.py),
so a cold start loads the store and services its request uses; SnapStart's priming loads them all.
"""

from mentorship import snapstart
from mentorship.api.resolver import RouteModule, build_resolver, http_handler

app = build_resolver(
    (
        RouteModule("booking_api.bookings", ("/bookings",)),
        RouteModule("booking_api.me", ("/me/bookings", "/me/notifications")),
        RouteModule("booking_api.calendar_feed", ("/me/calendar-feed", "/calendar-feeds")),
        RouteModule("booking_api.webhooks", ("/me/webhooks",)),
        RouteModule("booking_api.waitlist", ("/mentors", "/me/waitlist")),
    )
)

lambda_handler = http_handler(app)
snapstart.register(app)  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)
