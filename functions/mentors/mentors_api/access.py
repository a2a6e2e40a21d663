"""Who may use the mentor self-service routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mentorship.api.caller import Caller, require_caller
from mentorship.errors import Forbidden
from mentorship.store.mentors import MentorStore
from mentorship.store.models import MentorProfile

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2


def mentor_profile(event: "APIGatewayProxyEventV2", what: str) -> tuple[Caller, MentorProfile]:
    """The caller and their mentor profile (403 without one)."""
    caller = require_caller(event)
    profile = MentorStore().get_profile(caller.user_id)
    if profile is None:
        raise Forbidden(f"only mentors can manage {what}: create your profile with PUT /mentors/me first")
    return caller, profile


def mentor_caller(event: "APIGatewayProxyEventV2", what: str) -> Caller:
    """The caller, who must have a mentor profile (403 otherwise)."""
    return mentor_profile(event, what)[0]
