"""Live-availability subscriptions: who listens to which mentor, in the ConnectionsTable.

Item types (pk / sk), TTL attribute `expiresAt` on both:

  CONN#<connectionId> / CONNECTION     the connection: `mentors` (string set, at most 20),
                                       `messageWindow` / `messages` (its rate limit's count)
  MENTOR#<mentorId>   / CONN#<connId>  one subscription: the mentor's partition lists its listeners

  AP-R1  who listens to mentor X ....... Query pk=MENTOR#X (one per changed mentor per batch)
  AP-R2  a connection's subscriptions .. GetItem CONN#id (on $disconnect)

A subscription is written in one transaction with the connection's set, whose condition caps it
at MAX_SUBSCRIPTIONS; both expire when API Gateway would have closed the connection (2 hours),
so a connection whose $disconnect never ran is tidied away by TTL. Plain boto3: the table is
small and separate from the single table's pynamodb models.

Each message a connection sends is counted on its item first (`count_message`): at most
MESSAGES_PER_WINDOW in each fixed WINDOW_SECONDS window, one conditional UpdateItem (two when a
new window starts), so the limit holds across every RealtimeFunction instance.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

import boto3

from mentorship.domain.instants import epoch_seconds
from mentorship.settings import get_settings

MAX_SUBSCRIPTIONS = 20
# A page subscribes to at most 20 mentors at once; twice that in 10 seconds is no browser's need.
MESSAGES_PER_WINDOW = 40
WINDOW_SECONDS = 10
CONNECTION_LIFETIME = timedelta(hours=2)  # API Gateway closes a WebSocket connection after 2 hours
CONNECTION_SK = "CONNECTION"


class TooManySubscriptions(Exception):
    pass


class UnknownConnection(Exception):
    """No connection item: $connect never completed or the connection expired."""


def _connection_pk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def _mentor_pk(mentor_id: str) -> str:
    return f"MENTOR#{mentor_id}"


class SubscriptionStore:
    def __init__(self, client=None, table_name: str | None = None) -> None:
        settings = get_settings()
        self._table = table_name or settings.connections_table_name
        self._client = client or boto3.client("dynamodb", region_name=settings.region)

    @property
    def client(self):
        return self._client

    def open_connection(self, connection_id: str, now: datetime) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": _connection_pk(connection_id)},
                "sk": {"S": CONNECTION_SK},
                "connectionId": {"S": connection_id},
                "expiresAt": {"N": str(epoch_seconds(now + CONNECTION_LIFETIME))},
            },
        )

    def subscribe(self, connection_id: str, mentor_id: str, now: datetime) -> None:
        """Add `mentor_id` to the connection's set and write the subscription, or neither.
        Subscribing again to the same mentor succeeds and changes nothing."""
        connection_key = {"pk": {"S": _connection_pk(connection_id)}, "sk": {"S": CONNECTION_SK}}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": connection_key,
                            "UpdateExpression": "ADD mentors :mentor",
                            "ConditionExpression": (
                                "attribute_exists(pk) AND (attribute_not_exists(mentors)"
                                " OR size(mentors) < :max OR contains(mentors, :id))"
                            ),
                            "ExpressionAttributeValues": {
                                ":mentor": {"SS": [mentor_id]},
                                ":id": {"S": mentor_id},
                                ":max": {"N": str(MAX_SUBSCRIPTIONS)},
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                "pk": {"S": _mentor_pk(mentor_id)},
                                "sk": {"S": _connection_pk(connection_id)},
                                "connectionId": {"S": connection_id},
                                # the connection ends within 2 hours of now: so can this
                                "expiresAt": {"N": str(epoch_seconds(now + CONNECTION_LIFETIME))},
                            },
                        }
                    },
                ]
            )
        except self._client.exceptions.TransactionCanceledException as cancelled:
            reasons = cancelled.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                connection = self._connection(connection_id)
                if connection is None:
                    raise UnknownConnection(connection_id) from None
                raise TooManySubscriptions(connection_id) from None
            raise

    def count_message(self, connection_id: str, now: datetime) -> bool:
        """Count one message of the connection in the current window; False when the window's
        MESSAGES_PER_WINDOW are spent (nothing else is done for that message). A connection
        without its item is not limited here: the route answers it as before."""
        window = epoch_seconds(now) // WINDOW_SECONDS * WINDOW_SECONDS
        key = {"pk": {"S": _connection_pk(connection_id)}, "sk": {"S": CONNECTION_SK}}
        failed = self._client.exceptions.ConditionalCheckFailedException
        for _ in range(2):  # a concurrent message may open the window between the two forms
            try:  # the window is open: one more, while under the limit
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="ADD messages :one",
                    ConditionExpression="attribute_exists(pk) AND messageWindow = :window AND messages < :max",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":window": {"N": str(window)}, ":max": {"N": str(MESSAGES_PER_WINDOW)}},
                )
                return True
            except failed:
                pass
            try:  # the first message of a new window
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET messageWindow = :window, messages = :one",
                    ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(messageWindow) OR messageWindow < :window)",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":window": {"N": str(window)}},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
                return True
            except failed as refused:
                current = refused.response.get("Item")
                if current is None:
                    return True  # no connection item: not ours to limit
                if int(current.get("messages", {}).get("N", "0")) >= MESSAGES_PER_WINDOW:
                    return False
        return False

    def _connection(self, connection_id: str) -> dict | None:
        answer = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": _connection_pk(connection_id)}, "sk": {"S": CONNECTION_SK}},
            ConsistentRead=True,
        )
        return answer.get("Item")

    def unsubscribe(self, connection_id: str, mentor_id: str) -> None:
        """Remove a subscription; a connection whose record is gone has nothing left to remove."""
        try:
            self._unsubscribe(connection_id, mentor_id)
        except self._client.exceptions.TransactionCanceledException as cancelled:
            reasons = cancelled.response.get("CancellationReasons") or []
            if not reasons or reasons[0].get("Code") != "ConditionalCheckFailed":
                raise

    def _unsubscribe(self, connection_id: str, mentor_id: str) -> None:
        self._client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"pk": {"S": _connection_pk(connection_id)}, "sk": {"S": CONNECTION_SK}},
                        "UpdateExpression": "DELETE mentors :mentor",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":mentor": {"SS": [mentor_id]}},
                    }
                },
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": {"pk": {"S": _mentor_pk(mentor_id)}, "sk": {"S": _connection_pk(connection_id)}},
                    }
                },
            ]
        )

    def close_connection(self, connection_id: str) -> None:
        """$disconnect: the connection and each of its subscriptions (batches of 25)."""
        connection = self._connection(connection_id) or {}
        keys = [{"pk": {"S": _mentor_pk(m)}, "sk": {"S": _connection_pk(connection_id)}} for m in connection.get("mentors", {}).get("SS", [])]
        keys.append({"pk": {"S": _connection_pk(connection_id)}, "sk": {"S": CONNECTION_SK}})
        for first in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[first : first + 25]]
            unprocessed = {self._table: requests}
            while unprocessed:
                unprocessed = self._client.batch_write_item(RequestItems=unprocessed).get("UnprocessedItems") or {}

    def subscribers(self, mentor_id: str) -> Iterator[str]:
        """AP-R1: the connection ids listening to a mentor (one Query, paged past 1 MB)."""
        kwargs = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": _mentor_pk(mentor_id)}},
            "ProjectionExpression": "connectionId",
        }
        while True:
            answer = self._client.query(**kwargs)
            for item in answer.get("Items") or []:
                yield item["connectionId"]["S"]
            if not answer.get("LastEvaluatedKey"):
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def drop_subscription(self, connection_id: str, mentor_id: str) -> None:
        """A gone connection (410): stop posting to it for this mentor."""
        self._client.delete_item(
            TableName=self._table,
            Key={"pk": {"S": _mentor_pk(mentor_id)}, "sk": {"S": _connection_pk(connection_id)}},
        )
