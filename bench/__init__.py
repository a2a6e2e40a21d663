"""Counts the DynamoDB requests and items each route reads, at several data sizes, and those of a
reminder run against a growing number of confirmed bookings (`make bench`).

    python -m bench [--sizes 1000,100000] [--reminder-bookings 1000,100000 | --no-reminder-run]
                    [--latency-runs 50] [--cold-import-runs 5] [--output PATH] [--no-output]

Importing the package prepares the process as Lambda prepares a function's: the layer's
directories first on sys.path (Lambda's /opt/python), and the environment the functions read,
with dummy values (nothing here reaches AWS: every table lives in DynamoDB Local). Variables
already set are kept, so the test session's environment wins inside pytest.
"""

from __future__ import annotations

import os
import sys

from tooling.template import layer_dirs

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "MentorshipTable",
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "SENDER_EMAIL": "bookings@example.com",
    "PUSH_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:mentor-booking-push-bench",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "MentorBookingBench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",  # the functions' INFO logs would drown the report
}

for _name, _value in ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

for _layer in reversed(layer_dirs()):
    if str(_layer) not in sys.path:
        sys.path.insert(0, str(_layer))
