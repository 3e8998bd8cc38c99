"""One JSON object per log line, so CloudWatch Logs Insights can query every field.

A line written by `metrics` is also in CloudWatch Embedded Metric Format: CloudWatch turns
its declared fields into metrics as it ingests the log, so metrics cost no PutMetricData
call, and Logs Insights still sees the same top-level fields.
"""
import json
import logging
import sys
import time


class _Stdout(logging.Handler):
    """Writes to whatever sys.stdout is at the time: Lambda ships stdout to CloudWatch."""

    def emit(self, record):
        sys.stdout.write(record.getMessage() + "\n")


# Not "tickersim": Chalice owns the logger named after the app and sets it to ERROR.
_log = logging.getLogger("chalicelib")
if not _log.handlers:
    _log.addHandler(_Stdout())
    _log.setLevel(logging.INFO)
    _log.propagate = False   # Lambda's root handler would add a second, non-JSON copy


def app_logger(name):
    """tickersim.<name>, for plain-text lines (warnings, tracebacks) through Chalice's own
    handler: Chalice sets the app's logger to ERROR, which its children would inherit and
    drop every warning; this one keeps INFO."""
    log = logging.getLogger(f"tickersim.{name}")
    log.setLevel(logging.INFO)
    return log


def emit(level, message, **fields):
    _log.log(level, json.dumps({"level": logging.getLevelName(level), "message": message,
                                **fields}, default=str, sort_keys=False))


def info(message, **fields):
    emit(logging.INFO, message, **fields)


def warning(message, **fields):
    emit(logging.WARNING, message, **fields)


def error(message, **fields):
    emit(logging.ERROR, message, **fields)


NAMESPACE = "tickersim"
# EMF units by field-name suffix; other metrics are counts.
_UNITS = (("_ms", "Milliseconds"), ("_s", "Seconds"), ("_bytes", "Bytes"))


def unit(name):
    return next((u for suffix, u in _UNITS if name.endswith(suffix)), "Count")


def metrics(message, fields, dimensions, names, clock=time.time):
    """Log `fields` as one INFO line that declares `names` (top-level numeric fields) as
    metrics in NAMESPACE with `dimensions` ({name: value}); a name whose value is not a
    number is left out of the declaration, never sent as a broken metric."""
    declared = [{"Name": n, "Unit": unit(n)} for n in names
                if isinstance(fields.get(n), (int, float)) and not isinstance(fields[n], bool)]
    emf = {"Timestamp": int(clock() * 1000), "CloudWatchMetrics": [{
        "Namespace": NAMESPACE, "Dimensions": [sorted(dimensions)], "Metrics": declared}]}
    info(message, **{k: str(v) for k, v in dimensions.items()}, **fields, _aws=emf)
