"""Checks of command-line values shared by the commands: each returns None or one line that
names the value at fault and what to pass instead (the command prints it and exits 2)."""
import argparse
import math
import os
import re
from urllib.parse import urlsplit


class OneLineErrors(argparse.ArgumentParser):
    """Bad arguments: exit 2 with one line that names the argument, not the whole usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_TABLE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


def endpoint_problem(endpoint):
    """--endpoint (or AWS_ENDPOINT_URL when it is not given) must be an http(s) URL."""
    shown, value = ("--endpoint", endpoint) if endpoint else (
        "AWS_ENDPOINT_URL", os.environ.get("AWS_ENDPOINT_URL"))
    if not value:
        return None
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        return (f"{shown} {value!r} is not an endpoint URL: pass it with its scheme, e.g. "
                "http://127.0.0.1:8765")
    return None


def local_stage_problem(stage, endpoint, local_stage="local"):
    """The local stage exists only inside a running demo: it needs that demo's endpoint."""
    if stage == local_stage and not (endpoint or os.environ.get("AWS_ENDPOINT_URL")):
        return ("the local stage lives inside a running `tickersim demo`: pass the endpoint it "
                "prints, e.g. --endpoint http://127.0.0.1:PORT")
    return None


def check_region(region):
    if not _REGION.match(region or ""):
        return f"--region {region!r} is not an AWS region: pass one like eu-west-1"
    return None


def check_table_name(table):
    if not _TABLE.match(table or ""):
        return (f"--table {table!r} is not a DynamoDB table name: 3-255 letters, digits, "
                "'_', '-' or '.'")
    return None


def count_problem(flag, value, minimum=1):
    if value < minimum:
        return f"{flag} {value} is too small: pass a whole number of {minimum} or more"
    return None


def seconds_problem(flag, value, maximum):
    if not (math.isfinite(value) and 0 <= value <= maximum):
        return f"{flag} {value:g} is not usable: pass a number of seconds from 0 to {maximum}"
    return None
