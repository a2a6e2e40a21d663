"""Public browsing routes."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from mentorship.api.cursors import decode_cursor, encode_cursor
from mentorship.api.pagination import Cursor, Limit
from mentorship.api.schemas import responses
from mentorship.store.mentors import DIRECTORY_KEY_FIELDS, MentorStore
from mentors_api.schemas import MentorCard, MentorList

router = APIGatewayHttpRouter()

DIRECTORY_SCOPE = "GET /mentors"


@router.get(
    "/mentors",
    summary="Browse mentors",
    description="Mentors in a stable order (name, then id), paginated.",
    responses=responses(MentorList, 422),
    tags=["Mentors"],
)
def list_mentors(limit: Limit = 20, cursor: Cursor = None) -> MentorList:
    start_after = decode_cursor(cursor, DIRECTORY_SCOPE, DIRECTORY_KEY_FIELDS)
    page = MentorStore().directory_page(limit, start_after)
    cards = [MentorCard.from_profile(profile) for profile in page.items]
    return MentorList(items=cards, count=len(cards), next_cursor=encode_cursor(page.last_key, DIRECTORY_SCOPE))
