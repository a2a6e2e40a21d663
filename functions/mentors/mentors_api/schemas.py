"""Request and response shapes of the mentor routes (the OpenAPI document is generated from these)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from mentorship.api.schemas import ApiModel, EnumValue, Instant, Money, OutboundUrl, RequestModel, ReviewView, Text, ZoneName
from mentorship.domain.commitments import DEFAULT_POLICY, CancellationPolicy, policy_of
from mentorship.domain.commitments import Money as DomainMoney
from mentorship.domain.earnings import EarningTotals
from mentorship.domain.directory import DirectoryCard, DirectoryPage
from mentorship.domain.instants import format_local, format_utc, from_epoch_seconds
from mentorship.domain.mentors import ExperienceLevel
from mentorship.domain.schedules import OfferedSlot
from mentorship.domain.slots import SlotState
from mentorship.services.earnings import Earnings, EarningSession
from mentorship.store.directory import card_from_profile
from mentorship.store.models import MentorProfile


class MentorCard(ApiModel):
    mentor_id: str
    name: str
    avatar_url: str | None
    company: str
    job_title: str
    years_of_experience: int = Field(ge=0)
    experience_level: ExperienceLevel
    hourly_rate: Money
    average_rating: float | None = Field(description="Mean of all ratings, null before the first review")
    review_count: int
    total_sessions: int
    specialties: list[str]
    next_available: str | None = Field(
        description="Start of the earliest open, unheld slot (UTC), null when none is published"
    )

    @staticmethod
    def card_fields(profile: MentorProfile, now: datetime) -> dict:
        """The card's fields of a stored profile (as the directory shows it), for the views that
        extend the card."""
        return dict(MentorCard.from_card(card_from_profile(profile), now))

    @classmethod
    def from_card(cls, card: DirectoryCard, now: datetime) -> "MentorCard":
        next_open = card.next_open_at
        return cls(
            mentor_id=card.mentor_id,
            name=card.name,
            avatar_url=card.avatar_url,
            company=card.company,
            job_title=card.job_title,
            years_of_experience=card.years_of_experience,
            experience_level=ExperienceLevel(card.experience_level),
            hourly_rate=Money(amount=card.hourly_rate, currency=card.currency),
            average_rating=card.average_rating,
            review_count=card.review_count,
            total_sessions=card.total_sessions,
            specialties=list(card.specialties),
            next_available=format_utc(from_epoch_seconds(next_open)) if next_open and next_open > now.timestamp() else None,
        )


class LevelCounts(ApiModel):
    junior: int
    mid: int
    senior: int
    staff: int


class AvailabilityCounts(ApiModel):
    today: int
    week: int
    month: int


class Facets(ApiModel):
    experience_level: LevelCounts = Field(description="Matches per level, with every filter but experienceLevel")
    availability: AvailabilityCounts = Field(description="Matches per availability choice, with every filter but availability")


class MentorList(ApiModel):
    items: list[MentorCard]
    count: int = Field(description="Number of items in this page")
    total: int = Field(description="Number of mentors matching the query, over every page")
    facets: Facets
    next_cursor: str | None

    @classmethod
    def from_page(cls, page: DirectoryPage, now: datetime, next_cursor: str | None) -> "MentorList":
        cards = [MentorCard.from_card(card, now) for card in page.cards]
        return cls(
            items=cards,
            count=len(cards),
            total=page.total,
            facets=Facets(
                experience_level=LevelCounts(**page.level_facets),
                availability=AvailabilityCounts(**page.availability_facets),
            ),
            next_cursor=next_cursor,
        )


class Slot(ApiModel):
    start: str = Field(description="UTC, RFC 3339 with Z")
    end: str
    local_start: str = Field(description="`start` in the response's `timezone`, with its offset")
    local_end: str
    available: bool = Field(
        description="false when held, booked or already started, or when the mentor's schedule (buffer, "
        "notice, horizon, daily cap) or calendars keep it from being offered"
    )

    @classmethod
    def of(cls, start: datetime, end: datetime, available: bool, zone: ZoneInfo) -> "Slot":
        return cls(
            start=format_utc(start),
            end=format_utc(end),
            local_start=format_local(start, zone),
            local_end=format_local(end, zone),
            available=available,
        )


class Availability(ApiModel):
    timezone: str = Field(description="The zone of localStart/localEnd (the caller's)")
    slots: list[Slot]

    @classmethod
    def build(cls, states: list[SlotState], zone_name: str, zone: ZoneInfo, now: datetime) -> "Availability":
        """Published slots as stored (the answer to publishing them)."""
        return cls(
            timezone=zone_name, slots=[Slot.of(state.start, state.end, state.is_open(now), zone) for state in states]
        )

    @classmethod
    def offered(cls, slots: list[OfferedSlot], zone_name: str, zone: ZoneInfo) -> "Availability":
        """What the mentor offers (services.offering): published and rule slots, each available or not."""
        return cls(timezone=zone_name, slots=[Slot.of(slot.start, slot.end, slot.available, zone) for slot in slots])


class ReviewList(ApiModel):
    items: list[ReviewView]
    next_cursor: str | None


POLICY_NOTE = (
    "Refunds when the mentee cancels: `flexible` full >= 2 h before the start; `moderate` full >= 24 h, "
    "half 2-24 h; `strict` full >= 72 h, half 24-72 h; otherwise nothing. A mentor's cancel refunds in full."
)


class MentorDetail(MentorCard):
    bio: str
    timezone: str = Field(description="The mentor's own zone")
    cancellation_policy: Annotated[CancellationPolicy, EnumValue] = Field(description=POLICY_NOTE)
    reviews: list[ReviewView] = Field(description="The 10 most recent, newest first")
    availability: Availability = Field(description="The next 30 days, in the caller's zone")


class VideoProvider(StrEnum):
    GENERATED = "generated"
    MANUAL = "manual"


HttpsUrl = Annotated[str, Field(max_length=2048, pattern=r"^https://[^\s\x00-\x1f\x7f-\x9f]+$")]
ShortText = Annotated[Text, Field(min_length=1, max_length=120)]


class RateIn(RequestModel):
    amount: Annotated[int, Field(ge=100, le=10_000_000, description="Hourly rate in minor units")]
    currency: Annotated[str, Field(pattern="^USD$")] = "USD"


class ProfileIn(RequestModel):
    company: ShortText
    job_title: ShortText
    bio: Annotated[Text, Field(min_length=1, max_length=5000)]
    specialties: Annotated[list[Annotated[Text, Field(min_length=1, max_length=60)]], Field(max_length=20)]
    years_of_experience: Annotated[int, Field(ge=0, le=70)]
    hourly_rate: RateIn
    timezone: ZoneName
    avatar_url: HttpsUrl | None = None
    video_provider: Annotated[VideoProvider, EnumValue] = VideoProvider.GENERATED
    manual_meeting_url: HttpsUrl | None = None
    cancellation_policy: Annotated[CancellationPolicy, EnumValue] = Field(
        default=DEFAULT_POLICY, description=POLICY_NOTE + " Bookings keep the policy they were confirmed under."
    )

class MentorProfileOut(MentorCard):
    bio: str
    timezone: str
    video_provider: VideoProvider
    manual_meeting_url: str | None
    cancellation_policy: CancellationPolicy

    @classmethod
    def from_profile(cls, profile: MentorProfile, now: datetime) -> "MentorProfileOut":
        return cls(
            **MentorCard.card_fields(profile, now),
            bio=profile.bio,
            timezone=profile.timezone,
            video_provider=VideoProvider(profile.video_provider),
            manual_meeting_url=profile.manual_meeting_url,
            cancellation_policy=policy_of(profile.cancellation_policy),
        )


class AvailabilityWindowIn(RequestModel):
    start: Instant
    end: Instant


# ------------------------------------------------------------------ weekly schedule

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WallTime = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", examples=["18:00"], description="HH:MM on :00/:30; 24:00 ends a day")]
LocalDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-12-24"])]
StrictInt = Annotated[int, Field(strict=True)]


class WeeklyInterval(ApiModel):
    day: Weekday
    start: WallTime
    end: WallTime


class WallInterval(ApiModel):
    start: WallTime
    end: WallTime


class DateOverride(ApiModel):
    date: LocalDate
    intervals: Annotated[list[WallInterval], Field(max_length=48, description="[] offers nothing that day")]


class ScheduleBody(ApiModel):
    timezone: ZoneName = Field(description="The IANA zone the times are wall-clock times in")
    weekly: Annotated[list[WeeklyInterval], Field(max_length=7 * 48)]
    overrides: Annotated[list[DateOverride], Field(max_length=400)] = []
    buffer_minutes: Annotated[StrictInt, Field(description="0, 30 or 60: free time kept around every session")] = 0
    minimum_notice_minutes: Annotated[StrictInt, Field(ge=0, le=10_080)] = 0
    horizon_days: Annotated[StrictInt, Field(ge=1, le=90, description="Nothing starts later than this after now")] = 90
    max_sessions_per_day: Annotated[StrictInt | None, Field(ge=1, le=48)] = None


class ScheduleIn(ScheduleBody):
    pass


class ScheduleOut(ScheduleBody):
    @classmethod
    def from_schedule(cls, schedule) -> "ScheduleOut":
        from mentorship.domain.schedules import override_rows, weekly_rows

        return cls(
            timezone=schedule.timezone,
            weekly=[WeeklyInterval(day=day, start=start, end=end) for day, start, end in weekly_rows(schedule)],
            overrides=[
                DateOverride(date=day.isoformat(), intervals=[WallInterval(start=s, end=e) for s, e in intervals])
                for day, intervals in override_rows(schedule)
            ],
            buffer_minutes=schedule.buffer_minutes,
            minimum_notice_minutes=schedule.minimum_notice_minutes,
            horizon_days=schedule.horizon_days,
            max_sessions_per_day=schedule.max_sessions_per_day,
        )


# ------------------------------------------------------------------ external calendars



class CalendarIn(ApiModel):
    type: Literal["caldav", "ics"] = Field(description="`caldav` (a server, with credentials) or `ics` (a feed URL)")
    url: OutboundUrl
    username: Annotated[str | None, Field(min_length=1, max_length=256, description="caldav only")] = None
    password: Annotated[
        str | None, Field(min_length=1, max_length=1024, description="caldav only; stored encrypted, never returned")
    ] = None


class CalendarOut(ApiModel):
    calendar_id: str
    type: Literal["caldav", "ics"]
    url: str
    username: str | None = None
    status: Literal["ok", "error"]
    error: str | None = Field(default=None, description="Why the calendar cannot be read (status error)")
    last_synced_at: str | None = Field(description="The last successful read, UTC")

    @classmethod
    def from_calendar(cls, calendar) -> "CalendarOut":
        return cls(
            calendar_id=calendar.calendar_id,
            type=calendar.kind,
            url=calendar.url,
            username=calendar.username,
            status=calendar.status,
            error=calendar.error if calendar.status == "error" else None,
            last_synced_at=format_utc(calendar.last_synced_at) if calendar.last_synced_at else None,
        )


class CalendarList(ApiModel):
    items: list[CalendarOut]


class CurrencyTotals(ApiModel):
    gross: Money = Field(description="Prices of the paid sessions whose start is in the window")
    refunded: Money = Field(description="What their cancels and no-shows gave back (decided; see refundStatus)")
    net: Money = Field(description="gross - refunded, exactly, in minor units")

    @classmethod
    def from_totals(cls, totals: EarningTotals) -> "CurrencyTotals":
        return cls(gross=_money(totals.gross), refunded=_money(totals.refunded), net=_money(totals.net))


class EarningSessionOut(ApiModel):
    booking_id: str
    start: str = Field(description="UTC, RFC 3339 with Z")
    end: str
    local_start: str = Field(description="`start` in `timezone`, with its offset")
    local_end: str
    status: Literal["confirmed", "completed", "cancelled", "no_show"]
    mentee_name: str
    price: Money = Field(description="What the mentee was charged")
    refund: Money = Field(description="What the cancel or no-show gave back, 0 when nothing")
    net: Money = Field(description="price - refund")
    refund_status: Literal["pending", "refunded"] | None = Field(
        default=None, description="`pending` until the payment gateway has given `refund` back; absent when it is 0"
    )
    cancelled_by: Literal["mentee", "mentor"] | None = Field(default=None, description="Only once cancelled")
    absent: Literal["mentee", "mentor"] | None = Field(default=None, description="Only once marked no_show")

    @classmethod
    def from_session(cls, session: EarningSession, zone: ZoneInfo) -> "EarningSessionOut":
        booking, line = session.booking, session.line
        refunded = line.refund.amount > 0
        return cls(
            booking_id=line.booking_id,
            start=format_utc(booking.start),
            end=format_utc(booking.end),
            local_start=format_local(booking.start, zone),
            local_end=format_local(booking.end, zone),
            status=session.status.value,
            mentee_name=booking.mentee_name,
            price=_money(line.price),
            refund=_money(line.refund),
            net=_money(line.net),
            refund_status=booking.refund_state if refunded else None,
            cancelled_by=booking.cancelled_by if session.status.value == "cancelled" else None,
            absent=booking.absent if session.status.value == "no_show" else None,
        )


class EarningsOut(CurrencyTotals):
    from_: str = Field(alias="from", description="The window's first session start considered (UTC, inclusive)")
    to: str = Field(description="The window's end (UTC, exclusive)")
    timezone: str
    by_currency: list[CurrencyTotals] = Field(
        description="Totals per currency, the mentor's current one first; `gross`/`refunded`/`net` above are that "
        "one's. Amounts in different currencies are never added together."
    )
    session_count: int = Field(description="Paid sessions in the whole window (all pages)")
    items: list[EarningSessionOut] = Field(description="This page of the sessions behind the totals, ascending by start")
    next_cursor: str | None

    @classmethod
    def build(cls, earnings: Earnings, zone_name: str, zone: ZoneInfo, next_cursor: str | None) -> "EarningsOut":
        totals = [CurrencyTotals.from_totals(currency_totals) for currency_totals in earnings.totals.values()]
        main = totals[0]
        return cls(
            gross=main.gross,
            refunded=main.refunded,
            net=main.net,
            from_=format_utc(earnings.window.start),
            to=format_utc(earnings.window.end),
            timezone=zone_name,
            by_currency=totals,
            session_count=earnings.session_count,
            items=[EarningSessionOut.from_session(session, zone) for session in earnings.sessions],
            next_cursor=next_cursor,
        )


def _money(money: DomainMoney) -> Money:
    return Money(amount=money.amount, currency=money.currency)
