"""RemindersFunction: the per-minute EventBridge run (reminders, unsent emails, sweeps).

It imports no HTTP code: its cold start pays only for the store and what the work needs.
"""

from datetime import UTC, datetime

from aws_lambda_powertools.utilities.typing import LambdaContext

from mentorship.observability import logger, metrics, tracer
from mentorship.services.scheduled import run_due_work, run_time
from mentorship.store.due_work import DueWorkStore

DUE_WORK_HANDLERS: dict = {}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    now = run_time(event.get("time"), datetime.now(UTC))
    report = run_due_work(now, DueWorkStore().due(now), DUE_WORK_HANDLERS)
    logger.info("scheduled run finished", extra=report.as_dict())
    return report.as_dict()
