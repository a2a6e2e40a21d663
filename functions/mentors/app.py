"""MentorsFunction: browse mentors and profiles (public), mentor self-service (authenticated)."""

from mentors_api import browse
from mentorship.api.resolver import build_resolver, http_handler

app = build_resolver()
app.include_router(browse.router)

lambda_handler = http_handler(app)
