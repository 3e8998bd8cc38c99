"""The recovery notice: one "Recovered" message per outage, after the failure alerts.

The notifier records each failure in the table's `#outage` item (the count, the first and
last failed minute). The streaming run sees that item in its own Scan, at no extra call;
the first run that delivers ticks afterwards deletes it, on condition that no failure was
recorded since the Scan, and only then publishes: exactly one notice per outage, and none
when nothing failed.
"""
from dataclasses import dataclass

from botocore.exceptions import ClientError

from chalicelib.alerts.alerts import named_subject
from chalicelib.core import logs
from chalicelib.walk.items import KEY, _epoch
from chalicelib.walk.ticks import iso, parse_minute

OUTAGE_KEY = "#outage"
_PREFIX, _SUFFIX = "Recovered: ", ", stream is flowing again"


@dataclass(frozen=True)
class Outage:
    failures: int
    first_failed: int       # epoch minute of the earliest failed scheduled run
    last_failed: int


def failed_minute(event, fallback_minute):
    """The scheduled minute of a failure record (its requestPayload's time), else fallback."""
    payload = event.get("requestPayload") if isinstance(event, dict) else None
    try:
        return parse_minute(payload["time"])
    except (TypeError, KeyError, ValueError):
        return fallback_minute


def record_failure(ddb, table, minute):
    """Add one failure to the outage (creating it); the notifier calls this after alerting."""
    ddb.update_item(
        TableName=table, Key={KEY: {"S": OUTAGE_KEY}},
        UpdateExpression="SET #f = if_not_exists(#f, :t), #l = :t ADD #n :one",
        ExpressionAttributeNames={"#f": "FirstFailed", "#l": "LastFailed", "#n": "Failures"},
        ExpressionAttributeValues={":t": {"S": iso(minute * 60)}, ":one": {"N": "1"}})


def parse(item):
    """The outage an `#outage` item records, or None (no item, or one that does not parse:
    a damaged record must not block the notice, so it counts as one failure)."""
    if item is None:
        return None
    try:
        failures = int(item["Failures"]["N"])
    except (KeyError, TypeError, ValueError):
        failures = 1
    try:
        first, last = _epoch(item, "FirstFailed"), _epoch(item, "LastFailed")
    except ValueError:
        first = last = None
    first = last if first is None else first
    last = first if last is None else last
    return Outage(failures, None if first is None else first // 60,
                  None if last is None else last // 60)


def subject(owner, owner_ascii=None):
    return named_subject(_PREFIX, owner, _SUFFIX, owner_ascii)


def body(owner, outage, run_minute, caught_up, partial):
    missed = None if outage.first_failed is None else max(0, run_minute - outage.first_failed)
    lines = [
        f"Hello {owner or '(OWNER_NAME is not set on the streaming function)'},",
        "",
        "The tickersim stream is flowing again: the run scheduled for "
        f"{iso(run_minute * 60)} delivered its ticks.",
        "",
        f"Failure alerts:   {outage.failures}",
        f"First failed run: {iso(outage.first_failed * 60) if missed is not None else 'unknown'}",
        f"Minutes missed:   {missed if missed is not None else 'unknown'}",
        f"Caught up:        {caught_up} minute(s) filled in by this run",
    ]
    if partial:
        lines.append("The catch-up continues in the next runs (it was too long for one).")
    elif missed is not None and caught_up < missed:
        lines.append(f"{missed - caught_up} minute(s) were older than MAX_CATCHUP_MINUTES "
                     "allows and stay missing.")
    return "\n".join(lines) + "\n"


def announce(ddb, sns, table, topic_arn, owner, item, report, owner_ascii=None):
    """Send the notice if an outage is on record and this run delivered; returns the SNS
    message id, or None. Never raises: the run itself succeeded."""
    outage = parse(item)
    if outage is None or report.get("ticks", 0) == 0:
        return None
    if not topic_arn:
        logs.error("an outage is on record but TOPIC_ARN is not set on the streaming "
                   "function, so no recovery notice goes out; redeploy with tickersim deploy")
        return None
    try:
        condition = ({"ConditionExpression": "Failures = :n",
                      "ExpressionAttributeValues": {":n": item["Failures"]}}
                     if "Failures" in item else {})
        ddb.delete_item(TableName=table, Key={KEY: {"S": OUTAGE_KEY}}, **condition)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return None    # a new failure since the Scan: the outage goes on
        logs.error("could not close the outage record; the notice waits for a later run",
                   error=str(exc))
        return None
    run_minute = parse_minute(report["run_time"])
    text = body(owner, outage, run_minute, report.get("catchup_minutes", 0),
                report.get("status") == "partial")
    try:
        reply = sns.publish(TopicArn=topic_arn, Subject=subject(owner, owner_ascii),
                            Message=text)
    except ClientError as exc:
        logs.error("the recovery notice could not be published", error=str(exc),
                   topic=topic_arn)
        return None
    logs.info("recovery notice published", topic=topic_arn, message_id=reply["MessageId"],
              failures=outage.failures)
    return reply["MessageId"]
