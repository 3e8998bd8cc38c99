"""One JSON object per log line, so CloudWatch Logs Insights can query every field."""
import json
import logging
import sys


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


def emit(level, message, **fields):
    _log.log(level, json.dumps({"level": logging.getLevelName(level), "message": message,
                                **fields}, default=str, sort_keys=False))


def info(message, **fields):
    emit(logging.INFO, message, **fields)


def warning(message, **fields):
    emit(logging.WARNING, message, **fields)


def error(message, **fields):
    emit(logging.ERROR, message, **fields)
