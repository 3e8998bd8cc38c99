"""One JSON object per log line, so CloudWatch Logs Insights can query every field."""
import json
import logging
import sys

_log = logging.getLogger("tickersim")
if not _log.handlers:
    _handler = logging.StreamHandler(sys.stdout)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(_handler)
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
