"""BookingFunction: holds, payment, the session lifecycle, reviews, the inbox, webhooks and the waitlist (all authenticated)."""

from booking_api import bookings, calendar_feed, me, waitlist, webhooks
from mentorship import snapstart
from mentorship.api.resolver import build_resolver, http_handler

app = build_resolver()
app.include_router(bookings.router)
app.include_router(me.router)
app.include_router(calendar_feed.router)
app.include_router(webhooks.router)
app.include_router(waitlist.router)

lambda_handler = http_handler(app)
snapstart.register(app)  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)
