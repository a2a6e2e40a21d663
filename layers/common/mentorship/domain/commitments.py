"""Cancellation policies and what a cancel refunds (CONTRACT.md, "Commitments").

Pure: the caller passes `now`. A booking keeps the policy it was confirmed under
(`Booking.cancellation_policy`); bookings made before policies existed read as `moderate`.

| policy     | full refund        | half refund | none   |
|------------|--------------------|-------------|--------|
| flexible   | >= 2 h before start | -           | < 2 h  |
| moderate   | >= 24 h            | 2-24 h      | < 2 h  |
| strict     | >= 72 h            | 24-72 h     | < 24 h |

Each bound is inclusive on the kinder side: exactly 24 h before start is still a full refund
under `moderate`. A mentor who cancels refunds in full, whenever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class CancellationPolicy(StrEnum):
    FLEXIBLE = "flexible"
    MODERATE = "moderate"
    STRICT = "strict"


DEFAULT_POLICY = CancellationPolicy.MODERATE


class Role(StrEnum):
    """A participant's role on a booking: who cancels, or who was absent."""

    MENTEE = "mentee"
    MENTOR = "mentor"


@dataclass(frozen=True)
class Money:
    amount: int  # minor units
    currency: str


@dataclass(frozen=True)
class RefundTier:
    """Cancelled at least `notice` before the start: `share` of the price comes back."""

    notice: timedelta
    share: Decimal


_FULL, _HALF = Decimal(1), Decimal("0.5")
_TIERS: dict[CancellationPolicy, tuple[RefundTier, ...]] = {
    CancellationPolicy.FLEXIBLE: (RefundTier(timedelta(hours=2), _FULL),),
    CancellationPolicy.MODERATE: (RefundTier(timedelta(hours=24), _FULL), RefundTier(timedelta(hours=2), _HALF)),
    CancellationPolicy.STRICT: (RefundTier(timedelta(hours=72), _FULL), RefundTier(timedelta(hours=24), _HALF)),
}


def policy_of(stored: str | None) -> CancellationPolicy:
    """The policy a booking or profile carries; `moderate` where none was recorded."""
    return CancellationPolicy(stored) if stored else DEFAULT_POLICY


def refund_tiers(policy: CancellationPolicy) -> tuple[RefundTier, ...]:
    """The policy's tiers, kindest first (for emails that spell out the deadlines)."""
    return _TIERS[policy]


def share_of(price: Money, share: Decimal) -> Money:
    """`share` of the price, rounded half-up to the minor unit (half of 2501 is 1251)."""
    exact = Decimal(price.amount) * share
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), price.currency)


def cancellation_refund(policy: CancellationPolicy, by: Role, start: datetime, now: datetime, price: Money) -> Money:
    """What a cancel at `now` gives back to the mentee."""
    if by is Role.MENTOR:
        return price
    notice = start - now
    for tier in _TIERS[policy]:
        if notice >= tier.notice:
            return share_of(price, tier.share)
    return Money(0, price.currency)


def full_refund_stands(policy: CancellationPolicy, start: datetime, now: datetime) -> bool:
    """A mentee's cancel at `now` would refund everything (the window a mentee may reschedule in)."""
    return now <= start - _TIERS[policy][0].notice


NO_SHOW_OPENS = timedelta(minutes=10)  # after the start: the other party has waited long enough
NO_SHOW_CLOSES = timedelta(hours=48)  # after the end: later, the session's record is settled


def no_show_window_open(start: datetime, end: datetime, now: datetime) -> bool:
    """A no-show can be reported from 10 minutes after the start until 48 hours after the end."""
    return start + NO_SHOW_OPENS <= now <= end + NO_SHOW_CLOSES


def no_show_refund(absent: Role, price: Money) -> Money:
    """The mentor absent: the mentee gets everything back; the mentee absent: nothing."""
    return price if absent is Role.MENTOR else Money(0, price.currency)
