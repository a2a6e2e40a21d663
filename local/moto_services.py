"""SES, SNS, KMS and SQS for the local stack: moto's server on a loopback port, in this process.

The functions (worker processes) reach it through AWS_ENDPOINT_URL_SES / _SESV2 / _SNS. Because
moto runs in this process, the stack reads what was sent straight from moto's SES backend for
`GET /_local/outbox`. moto is not safe under concurrency (see docs/DESIGN), which is fine for
appending sent mail and publishing push messages, and is why DynamoDB is never served from here.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, getaddresses

import boto3
from botocore.config import Config

from tooling.dynamodb_local import LOCAL_CREDENTIALS, free_port
from tooling.intrinsics import ACCOUNT_ID, REGION, Resolver
from tooling.template import resources_of_type


@dataclass(frozen=True)
class OutboxMessage:
    message_id: str
    source: str
    destinations: list[str]
    subject: str
    raw: str

    def as_json(self) -> dict:
        return {
            "messageId": self.message_id,
            "source": self.source,
            "destinations": self.destinations,
            "subject": self.subject,
            "raw": self.raw,
        }


class MotoServices:
    """moto's server (SES, SNS, KMS, SQS) and the template's topics, keys, queues and sender
    identities inside it."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.account_id = ACCOUNT_ID  # moto's account for the dummy access key (the topic ARNs confirm it)
        self._server = None

    def start(self) -> "MotoServices":
        from moto.server import ThreadedMotoServer  # imported here: it pulls in Flask and werkzeug

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def client(self, service: str):
        config = Config(retries={"max_attempts": 2})
        return boto3.client(service, endpoint_url=self.endpoint, config=config, **LOCAL_CREDENTIALS)

    def create_template_resources(self, resolver: Resolver) -> dict[str, str]:
        """Create every AWS::SNS::Topic, AWS::KMS::Key and AWS::SQS::Queue of the template (a
        queue's Ref is its URL, as in AWS) and verify every
        AWS::SES::EmailIdentity (whatever its Condition: in AWS the sender is either created by
        the stack or verified beforehand); bind each topic's ARN and each key's id in `resolver`
        and return topic logical id -> ARN."""
        sns = self.client("sns")
        topic_arns = {}
        for logical_id, resource in resources_of_type("AWS::SNS::Topic").items():
            props = resource.get("Properties") or {}
            name = resolver.resolve_string(props.get("TopicName", logical_id), f"{logical_id}.TopicName")
            arn = sns.create_topic(Name=name)["TopicArn"]
            topic_arns[logical_id] = arn
            resolver.bind(logical_id, arn)
            self.account_id = arn.split(":")[4]
        kms = self.client("kms")
        for logical_id, resource in resources_of_type("AWS::KMS::Key").items():
            description = (resource.get("Properties") or {}).get("Description", logical_id)
            resolver.bind(logical_id, kms.create_key(Description=str(description))["KeyMetadata"]["KeyId"])
        sqs = self.client("sqs")
        for logical_id in resources_of_type("AWS::SQS::Queue"):
            resolver.bind(logical_id, sqs.create_queue(QueueName=logical_id)["QueueUrl"])
        for logical_id, resource in resources_of_type("AWS::SES::EmailIdentity").items():
            identity = resource["Properties"]["EmailIdentity"]
            self.verify_identity(resolver.resolve_string(identity, f"{logical_id}.EmailIdentity"))
        return topic_arns

    def verify_identity(self, identity: str) -> None:
        ses = self.client("ses")
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)

    def outbox(self) -> list[OutboxMessage]:
        """Every email sent through SES (v1 or v2), oldest first, as full MIME text."""
        from moto.ses.models import ses_backends

        backend = ses_backends[self.account_id][REGION]
        sent = list(backend.sent_messages)  # a snapshot: moto's threads may append meanwhile
        # Template sends (SendTemplatedEmail) keep no MIME text; the functions never use them
        # (their IAM policy allows only ses:SendRawEmail), so the outbox holds the other kinds.
        return [_as_outbox_message(sent_message) for sent_message in sent if _has_mime(sent_message)]


def _has_mime(message) -> bool:
    return hasattr(message, "raw_data") or hasattr(message, "body")


def _as_outbox_message(message) -> OutboxMessage:
    """moto keeps a raw send (SendRawEmail, SES v2 raw content) as the MIME text it was given, and
    a simple send (SendEmail) as subject, body and destinations by kind, rendered here as MIME."""
    if hasattr(message, "raw_data"):
        parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
        subject = str(parsed["subject"] or "")
        destinations = _ses_recipients(list(message.destinations), message.raw_data)
        return OutboxMessage(message.id, message.source, destinations, subject, message.raw_data)
    destinations = [
        address
        for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
        for address in (message.destinations or {}).get(kind, [])
    ]
    mime = EmailMessage()
    mime["From"] = message.source
    mime["To"] = ", ".join(destinations)
    mime["Subject"] = message.subject
    mime.set_content(message.body)
    return OutboxMessage(message.id, message.source, destinations, message.subject, mime.as_string())


def _ses_recipients(recorded: list[str], raw_data: str) -> list[str]:
    """Who SES delivers a raw message to: the Destinations of the request when it gave any, else
    the To/Cc/Bcc headers. moto records the given Destinations followed by the header addresses
    (so a message with both lists each recipient twice); this undoes that."""
    headers = email.message_from_string(raw_data)
    header_values = [headers[field] for field in ("TO", "CC", "BCC") if field in headers]
    from_headers = [formataddr((name, address)) for name, address in getaddresses(header_values) if address]
    if from_headers and recorded[-len(from_headers):] == from_headers:
        given = recorded[: len(recorded) - len(from_headers)]
        return given or from_headers
    return recorded
