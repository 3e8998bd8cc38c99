"""Configuration of the handlers, resolved once from the environment."""
import os
from dataclasses import dataclass

from chalicelib.core.errors import ConfigError
from chalicelib.core.events import MAX_WORKERS

MODELS = ("realistic", "gbm", "uniform")     # the first is the default
# From `make bench` (docs/benchmarks.md, fan-out): a worker of 5,000 tickers peaks at ~90 MB
# and models under 10 s on a 192 MB Lambda, a sixth of its minute.
DEFAULT_WORKER_TICKERS = 5000


@dataclass(frozen=True)
class StreamSettings:
    table_name: str
    stream_name: str
    ticks_per_run: int = 4
    market_seed: int | None = None
    max_catchup_minutes: int = 60
    model: str = MODELS[0]
    correlation: float = 0.0
    # Fan-out: on when the worker function is named (tickersim deploy does it).
    worker_function: str | None = None
    worker_tickers: int = DEFAULT_WORKER_TICKERS
    workers: int | None = None           # a fixed number of workers, else from the count
    data_stream_name: str | None = None     # set: the run writes to this Kinesis stream


@dataclass(frozen=True)
class AlertSettings:
    topic_arn: str
    owner_name: str | None
    owner_ascii: str | None = None     # the name in ASCII for the subject, set at deploy time


def _fail(problem):
    raise ConfigError(f"{problem}: fix it under the stage's environment_variables in "
                      ".chalice/config.json and redeploy")


def _required(env, name):
    value = (env.get(name) or "").strip()
    if not value:
        _fail(f"environment variable {name} is not set (tickersim deploy records it)")
    return value


def _integer(env, name, default, low, high):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        _fail(f"environment variable {name}={raw!r} is not a whole number from {low} to {high}")
    return value


def stream_settings(env=os.environ):
    ticks = _integer(env, "TICKS_PER_RUN", 4, 1, 60)
    if 60 % ticks:
        # Ticks fall on whole seconds so timestamps keep one format for every consumer.
        _fail(f"TICKS_PER_RUN={ticks} does not divide a minute into whole seconds "
              "(use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)")
    seed = env.get("MARKET_SEED")
    model = (env.get("MARKET_MODEL") or MODELS[0]).strip().lower()
    if model not in MODELS:
        _fail(f"MARKET_MODEL={model!r} is unknown (use one of {', '.join(MODELS)})")
    try:
        correlation = float(env.get("MARKET_CORRELATION") or 0)
    except ValueError:
        correlation = -1.0
    if not 0.0 <= correlation <= 1.0:
        _fail(f"MARKET_CORRELATION={env.get('MARKET_CORRELATION')!r} is not a number from 0 to 1")
    data_stream = (env.get("DATA_STREAM_NAME") or "").strip() or None
    return StreamSettings(
        table_name=_required(env, "TABLE_NAME"),
        # With a data stream the run never writes to Firehose (with `both`, Firehose reads it).
        stream_name=(env.get("DELIVERY_STREAM_NAME") or "").strip() if data_stream
        else _required(env, "DELIVERY_STREAM_NAME"),
        data_stream_name=data_stream,
        ticks_per_run=ticks,
        market_seed=None if seed in (None, "") else _integer(env, "MARKET_SEED", 0, 0, 2**63 - 1),
        max_catchup_minutes=_integer(env, "MAX_CATCHUP_MINUTES", 60, 1, 10080),
        model=model,
        correlation=correlation,
        worker_function=(env.get("WORKER_FUNCTION_NAME") or "").strip() or None,
        worker_tickers=_integer(env, "WORKER_TICKERS", DEFAULT_WORKER_TICKERS, 1,
                                1_000_000),
        workers=_integer(env, "WORKERS", None, 1, MAX_WORKERS),
    )


def alert_settings(env=os.environ):
    # A missing owner must not stop the alert: the body says it is missing instead.
    return AlertSettings(topic_arn=_required(env, "TOPIC_ARN"),
                         owner_name=(env.get("OWNER_NAME") or "").strip() or None,
                         owner_ascii=(env.get("OWNER_ASCII") or "").strip() or None)


@dataclass(frozen=True)
class WatchSettings:
    table_name: str
    topic_arn: str
    percent: float = 1.0
    window_minutes: int = 5
    max_catchup_minutes: int = 60
    state_shards: int = 1        # items a window's state is split over (MOVE_STATE_SHARDS)


def watch_settings(env=os.environ):
    raw = env.get("MOVE_ALERT_PERCENT")
    try:
        percent = float(raw) if raw not in (None, "") else 1.0
    except ValueError:
        percent = -1.0
    if not 0 < percent < 100:
        _fail(f"MOVE_ALERT_PERCENT={raw!r} is not a number above 0 and below 100")
    return WatchSettings(table_name=_required(env, "TABLE_NAME"),
                         topic_arn=_required(env, "MARKET_TOPIC_ARN"),
                         percent=percent,
                         window_minutes=_integer(env, "MOVE_ALERT_WINDOW_MINUTES", 5, 1, 1440),
                         max_catchup_minutes=_integer(env, "MAX_CATCHUP_MINUTES", 60, 1, 10080),
                         state_shards=_integer(env, "MOVE_STATE_SHARDS", 1, 1, 1000))
