"""StreamFunction: the MentorshipTable's change stream (DynamoDB Streams, NEW_AND_OLD_IMAGES).

What each kind of changed item sets off, and what each batch sets off as a whole (live
availability). Later handlers (webhooks, read models) are added here; each must be safe to run twice on one record (see services/stream.py).
The per-minute RemindersFunction is the safety net for anything the stream could not do.
"""

from aws_lambda_powertools.utilities.typing import LambdaContext

from mentorship import clock, snapstart
from mentorship.observability import logger, metrics, tracer
from mentorship.services.delivery import push_due_notification, send_due_email
from mentorship.services.live_availability import AvailabilityFanOut
from mentorship.services.refunds import after_booking_change
from mentorship.services.stream import process_batch
from mentorship.services.waitlist import WaitlistOffers
from mentorship.services.webhook_delivery import fan_out_new_event, send_new_delivery
from mentorship.store.models import BookingItem, Notification, PendingEmail, WebhookDelivery, WebhookEvent

CHANGE_HANDLERS = {
    PendingEmail: send_due_email,  # an email a change recorded: send it now
    Notification: push_due_notification,  # an inbox entry: push it now
    BookingItem: after_booking_change,  # slots taken or freed: the next open slot; a refund owed: give it back
    WebhookEvent: fan_out_new_event,  # a change integrators hear of: one delivery per subscribed webhook
    WebhookDelivery: send_new_delivery,  # a delivery just recorded: its first attempt
}

# Run once per batch over every change done: lapsed waitlist offers ended and freed time offered
# to whoever waits for it, oldest first (services/waitlist.py); slot changes coalesced per
# mentor, posted to the mentor's live-availability subscribers (services/live_availability.py).
BATCH_HANDLERS = (WaitlistOffers(), AvailabilityFanOut())

snapstart.register()  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_batch(event.get("Records") or [], CHANGE_HANDLERS, clock.now(), BATCH_HANDLERS)
