"""DirectoryFunction: every minute, folds the directory's recent changes into a new snapshot
once enough have gathered or the snapshot has aged (services/directory.py: `compact`), so a cold
MentorsFunction reads one snapshot and a bounded number of changes.

Like the reminders function it imports no HTTP code.
"""

from aws_lambda_powertools.utilities.typing import LambdaContext

from mentorship import clock, snapstart
from mentorship.observability import logger, metrics, tracer
from mentorship.services.directory import compact
from mentorship.services.scheduled import run_time

snapstart.register()  # runtime hooks, when SnapStart is on (mentorship/snapstart.py)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    now = run_time(event.get("time"), clock.now())
    report = compact(now).as_dict()
    logger.info("directory compaction", extra=report)
    return report
