"""Checks of command-line values shared by the commands: each returns None or one line that
names the value at fault and what to pass instead (the command prints it and exits 2)."""
import argparse
import math
import re

from tickersim.base import endpoints


class OneLineErrors(argparse.ArgumentParser):
    """Bad arguments: exit 2 with one line that names the argument, not the whole usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_TABLE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


def local_stage_problem(stage, endpoint, local_stage="local"):
    """The local stage exists only inside a running demo: it needs that demo's endpoint."""
    if stage == local_stage and not endpoints.configured(endpoint):
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


def count_problem(flag, value, minimum=1, maximum=None):
    if maximum is not None and not minimum <= value <= maximum:
        return f"{flag} {value} is out of range: pass a whole number from {minimum} to {maximum:,}"
    if value < minimum:
        return f"{flag} {value} is too small: pass a whole number of {minimum} or more"
    return None


def seconds_problem(flag, value, maximum):
    if not (math.isfinite(value) and 0 <= value <= maximum):
        return f"{flag} {value:g} is not usable: pass a number of seconds from 0 to {maximum}"
    return None
