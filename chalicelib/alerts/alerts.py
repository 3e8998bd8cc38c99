"""The failure alert: a named subject and a plain-words body from a Lambda async failure record."""
import json
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib.alerts.text import ascii_fold, single_line
from chalicelib.core import events
from chalicelib.core.errors import TopicMissing

SUBJECT_LIMIT = 99                 # SNS: "less than 100 characters", ASCII, no line breaks
MESSAGE_LIMIT = 256 * 1024         # SNS: a message is at most 256 KB of UTF-8
_PREFIX, _SUFFIX = "Failure: ", ", could not generate stream"
_STACK_LINES = 8


def subject(owner, owner_ascii=None):
    """`Failure: <owner>, could not generate stream`, within SNS's rules whatever the name."""
    return named_subject(_PREFIX, owner, _SUFFIX, owner_ascii)


def named_subject(prefix, owner, suffix, owner_ascii=None):
    """prefix + owner + suffix in SNS's 99 ASCII characters, the name cut if need be.

    owner_ascii: the name transliterated at deploy time (OWNER_ASCII), for scripts that have
    no ASCII letters; the tables that do it are too big for the bundle. Else accents are
    folded here.
    """
    ascii_name = owner_ascii if owner_ascii and owner_ascii.isascii() else None
    name = single_line(ascii_name or ascii_fold(owner or "unknown owner"))
    room = SUBJECT_LIMIT - len(prefix) - len(suffix)
    if len(name) > room:
        name = name[:room - 3].rstrip() + "..."
    return prefix + (name or "unknown owner") + suffix


def _function_name(arn):
    # arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
    parts = str(arn).split(":")
    return (parts[6] if len(parts) > 6 else None), (parts[3] if len(parts) > 3 else None)


def _stage(function):
    """The stage in a Chalice function name, `tickersim-<stage>-<name>-lambda`, or None."""
    name = str(function or "")
    for suffix in ("-streaming-lambda", "-worker-lambda"):
        if name.startswith("tickersim-") and name.endswith(suffix):
            return name[len("tickersim-"):-len(suffix)] or None
    return None


def log_group_link(function_name, region):
    group = quote(quote(f"/aws/lambda/{function_name}", safe=""), safe="").replace("%", "$")
    return (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
            f"#logsV2:log-groups/log-group/{group}")


def _is_failure_record(event):
    return (isinstance(event, dict) and isinstance(event.get("requestContext"), dict)
            and "requestPayload" in event)


def body(event, owner):
    """The alert's text: what failed, when, how often, why, and where to look."""
    if not _is_failure_record(event):
        return _raw_body(event, owner)
    ctx = event["requestContext"]
    payload = event.get("requestPayload")
    scheduled = payload.get("time") if isinstance(payload, dict) else None
    function, region = _function_name(ctx.get("functionArn", ""))
    segment, stage = events.segment_of(payload), _stage(function)
    response = event.get("responsePayload")
    response = response if isinstance(response, dict) else {"errorMessage": response}
    condition = ctx.get("condition", "unknown")
    message = str(response.get("errorMessage") or "").strip()
    error_type = response.get("errorType") or (
        "Timeout" if "timed out" in message else "none given")
    if condition == "EventAgeExceeded":
        what = "The scheduled event expired before the function could run it."
    elif error_type == "Timeout":
        what = "The function ran out of time before it finished."
    else:
        what = "The function raised an error on every attempt."
    lines = [
        f"Hello {owner or '(OWNER_NAME is not set on the notification function)'},",
        "",
        f"The tickersim streaming function {function or '(unknown function)'} could not "
        "generate the stream of ticks.",
        what,
        "",
        f"Scheduled time:  {scheduled or 'unknown'}",
        *([f"Segment:         {segment} (a worker; the other segments ran on their own)"]
          if segment else []),
        *([f"Stage:           {stage}"] if stage else []),
        f"Failed at:       {event.get('timestamp', 'unknown')}",
        f"Condition:       {condition}",
        f"Attempts:        {ctx.get('approximateInvokeCount', 'unknown')}",
        f"Error type:      {error_type}",
        f"Error message:   {message or '(none)'}",
        f"Request id:      {ctx.get('requestId') or 'unknown'}",
    ]
    stack = response.get("stackTrace") or []
    if isinstance(stack, list) and stack:
        lines += ["", "End of the stack trace:"]
        lines += [str(frame).rstrip("\n") for frame in stack[-_STACK_LINES:]]
    if function and region:
        lines += ["", "Logs:", log_group_link(function, region)]
    lines += ["", "The next successful run catches up the missed minutes (up to MAX_CATCHUP_MINUTES, "
              "60 by default); consumers can deduplicate re-sent ticks on (ticker, seq)."]
    return "\n".join(lines) + "\n"


def _raw_body(event, owner):
    head = (f"Hello {owner or '(OWNER_NAME is not set on the notification function)'},\n\n"
            "The tickersim notification function received an event it does not recognise "
            "(not a Lambda async failure record), so it cannot say what failed. "
            "Treat it as a failure of the stream and check the streaming function's logs.\n\n"
            "The raw event:\n")
    try:
        raw = json.dumps(event, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        raw = repr(event)
    return head + fit(raw, MESSAGE_LIMIT - len(head.encode("utf-8")))


def fit(text, limit_bytes):
    """Cut text to at most limit_bytes of UTF-8, saying so, without splitting a character."""
    data = text.encode("utf-8")
    if len(data) <= limit_bytes:
        return text
    note = "\n[... cut to fit the SNS message limit]\n"
    keep = limit_bytes - len(note)
    return data[:keep].decode("utf-8", errors="ignore") + note


def publish(sns, topic_arn, owner, event, owner_ascii=None):
    """Publish the alert; returns the SNS message id."""
    message = fit(body(event, owner), MESSAGE_LIMIT)
    try:
        reply = sns.publish(TopicArn=topic_arn, Subject=subject(owner, owner_ascii),
                            Message=message)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NotFound":
            raise TopicMissing(topic_arn) from exc
        raise
    return reply["MessageId"]
