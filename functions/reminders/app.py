"""RemindersFunction: the per-minute EventBridge run (reminders, unsent emails, sweeps).

It imports no HTTP code: its cold start pays only for the store and what the work needs.
"""

from aws_lambda_powertools.utilities.typing import LambdaContext

from mentorship import clock, snapstart
from mentorship.observability import logger, metrics, tracer
from mentorship.services.availability import refresh_due_profile
from mentorship.services.delivery import deliver_email, deliver_push
from mentorship.services.refunds import booking_fell_due
from mentorship.services.reminders import deliver_reminder
from mentorship.services.scheduled import run_due_work, run_time
from mentorship.services.waitlist import recheck_entry
from mentorship.services.webhook_delivery import fan_out_event, send_delivery
from mentorship.store.due_work import DueWorkStore
from mentorship.store.models import (
    BookingItem,
    MentorProfile,
    Notification,
    PendingEmail,
    Reminder,
    WaitlistEntry,
    WebhookDelivery,
    WebhookEvent,
)

# What the run does with each kind of due item.
DUE_WORK_HANDLERS = {
    MentorProfile: refresh_due_profile,  # its next open slot started, or an earlier hold expired
    BookingItem: booking_fell_due,  # a refund still owed, or a hold whose 5 minutes have passed
    PendingEmail: deliver_email,  # not sent yet (first try failed or was interrupted)
    Notification: deliver_push,  # not pushed yet
    Reminder: deliver_reminder,  # 24 h / 10 min before a session: email + inbox + push, once
    WebhookEvent: fan_out_event,  # not fanned out yet (the stream could not)
    WebhookDelivery: send_delivery,  # a webhook delivery whose retry is due
    WaitlistEntry: recheck_entry,  # a waiting entry, every 10 minutes: time the stream did not offer
}

snapstart.register()  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    now = run_time(event.get("time"), clock.now())
    report = run_due_work(now, DueWorkStore().due(now), DUE_WORK_HANDLERS)
    logger.info("scheduled run finished", extra=report.as_dict())
    return report.as_dict()
