"""MentorsFunction: browse mentors and profiles (public), mentor self-service (authenticated)."""

from mentors_api import browse, earnings, schedule, self_service
from mentorship import snapstart
from mentorship.api.resolver import build_resolver, http_handler

app = build_resolver()
app.include_router(browse.router)
app.include_router(self_service.router)
app.include_router(schedule.router)
app.include_router(earnings.router)

lambda_handler = http_handler(app)
snapstart.register(app)  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)
