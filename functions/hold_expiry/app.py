"""HoldExpiryFunction: hold timers coming back from the HoldExpiryQueue (SQS), one per hold
(docs/decisions.md §27). Each expires its hold if it is still held; the write reaches live
subscribers through the table's stream like any release.

Lambda's SQS event source mapping with partial batch responses: a timer whose handling failed is
named and comes back after the queue's visibility timeout; the others are deleted.
"""

from aws_lambda_powertools.utilities.typing import LambdaContext

from mentorship import clock, snapstart
from mentorship.gateways.timers import HoldTimer
from mentorship.observability import logger, metrics, tracer
from mentorship.services.hold_expiry import hold_timer_fired

snapstart.register()  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    failures = []
    for record in event.get("Records") or []:
        try:
            timer = HoldTimer.from_body(record["body"])
        except (KeyError, TypeError, ValueError):
            logger.error("not a hold timer; dropped", extra={"message_id": record.get("messageId")})
            continue  # retrying a message we cannot read would never help
        try:
            outcome = hold_timer_fired(timer, clock.now())
            logger.info("hold timer", extra={"booking_id": timer.booking_id, "outcome": outcome.value})
        except Exception:  # noqa: BLE001 - reported to Lambda: this message comes back later
            logger.exception("hold timer failed; it comes back", extra={"booking_id": timer.booking_id})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
