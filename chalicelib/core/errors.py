"""Errors that name the thing at fault and say what to do about it."""
import shlex


class TickersimError(Exception):
    """Base class: every message is meant for the pipeline's owner, as is."""


class ConfigError(TickersimError):
    pass


class TableMissing(TickersimError):
    def __init__(self, table):
        super().__init__(
            f"DynamoDB table {table!r} does not exist in this account and region. Create and "
            f"seed it with `python seed/load.py --table {table} --create`, or deploy the stage "
            "with `tickersim deploy`, and check TABLE_NAME in .chalice/config.json.")


class StreamMissing(TickersimError):
    def __init__(self, stream):
        super().__init__(
            f"Firehose delivery stream {stream!r} does not exist in this account and region. "
            "Create it with `tickersim deploy` (it comes with the stage's stack), and check "
            "DELIVERY_STREAM_NAME in .chalice/config.json.")


class DataStreamMissing(TickersimError):
    def __init__(self, stream):
        super().__init__(
            f"Kinesis data stream {stream!r} does not exist in this account and region. Create "
            "it with `tickersim deploy --sink kinesis` (or `--sink both`), and check "
            "DATA_STREAM_NAME in .chalice/config.json.")


class TopicMissing(TickersimError):
    def __init__(self, topic_arn):
        super().__init__(
            f"SNS topic {topic_arn!r} does not exist, so this failure alert cannot be sent. "
            "Create it with `tickersim deploy` (it comes with the stage's stack), and check "
            "TOPIC_ARN in .chalice/config.json.")


class DeliveryFailed(TickersimError):
    """Firehose kept refusing records until the deadline: their tickers were not advanced.

    `landed`: how many of the failed call's records Firehose did accept (0: none of them).
    """

    def __init__(self, message, landed=0):
        super().__init__(message)
        self.landed = landed


class CommitFailed(TickersimError):
    """Ticks were delivered but some tickers' new state could not be written."""


class ClaimLost(TickersimError):
    """Another run claimed the same state first; this run delivered nothing."""


class RunStateInvalid(TickersimError):
    def __init__(self, table, why):
        super().__init__(
            f"the run-state item '#run' in table {table!r} is damaged ({why}). Delete that item "
            "in the DynamoDB console (the next run recreates it; without MARKET_SEED it draws "
            f"a new seed), or restore the seed with `python seed/load.py --table {table} --reset`.")


class MalformedItems(TickersimError):
    def __init__(self, table, problems):
        self.problems = dict(problems)
        names = sorted(self.problems)
        listed = "; ".join(f"{name}: {self.problems[name]}" for name in names)
        # A command that works as printed, whatever the names hold (spaces, quotes, #).
        delete = " ".join(["python seed/load.py --table", shlex.quote(table)]
                          + [f"--delete {shlex.quote(name)}" for name in names])
        super().__init__(
            f"{len(self.problems)} item(s) in table {table!r} cannot be walked and were left "
            f"as they are ({listed}); the other tickers advanced normally. Fix them in the "
            "DynamoDB console (Price a number > 0, Volatility 0 to 10, Drift -10 to 10), or "
            f"take them out of the stream with `{delete}`.")


class TooManyTickers(TickersimError):
    """The table holds more tickers than one function should walk: fan out instead."""

    def __init__(self, count):
        super().__init__(f"{count} tickers: more than one worker's share")
        self.count = count


class FanOutFailed(TickersimError):
    """Lambda refused to start some workers: their segments catch up at the next minute."""

    def __init__(self, function, total, refused):
        shown = ", ".join(f"{label} ({code})" for label, code in refused[:10])
        super().__init__(
            f"Lambda did not start {len(refused)} of {total} workers of {function!r}: {shown}"
            f"{' ...' if len(refused) > 10 else ''}. The others run; the segments left out "
            "catch up at the next minute. Check the worker's concurrency and that "
            "WORKER_FUNCTION_NAME names it (tickersim deploy sets both).")
