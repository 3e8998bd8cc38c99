"""Configuration of the handlers, resolved once from the environment."""
import os
from dataclasses import dataclass

from chalicelib.core.errors import ConfigError

MODELS = ("gbm", "uniform")


@dataclass(frozen=True)
class StreamSettings:
    table_name: str
    stream_name: str
    ticks_per_run: int = 4
    market_seed: int | None = None
    max_catchup_minutes: int = 60
    model: str = "gbm"
    correlation: float = 0.0


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
    model = (env.get("MARKET_MODEL") or "gbm").strip().lower()
    if model not in MODELS:
        _fail(f"MARKET_MODEL={model!r} is unknown (use one of {', '.join(MODELS)})")
    try:
        correlation = float(env.get("MARKET_CORRELATION") or 0)
    except ValueError:
        correlation = -1.0
    if not 0.0 <= correlation <= 1.0:
        _fail(f"MARKET_CORRELATION={env.get('MARKET_CORRELATION')!r} is not a number from 0 to 1")
    return StreamSettings(
        table_name=_required(env, "TABLE_NAME"),
        stream_name=_required(env, "DELIVERY_STREAM_NAME"),
        ticks_per_run=ticks,
        market_seed=None if seed in (None, "") else _integer(env, "MARKET_SEED", 0, 0, 2**63 - 1),
        max_catchup_minutes=_integer(env, "MAX_CATCHUP_MINUTES", 60, 1, 10080),
        model=model,
        correlation=correlation,
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
                         max_catchup_minutes=_integer(env, "MAX_CATCHUP_MINUTES", 60, 1, 10080))
