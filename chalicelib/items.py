"""DynamoDB items <-> tickers, in the low-level attribute-value format. Pure: no I/O."""
import calendar
import math
import time
from dataclasses import dataclass

from chalicelib.ticks import ISO_FORMAT, Ticker, iso

KEY = "TickerName"
RUN_KEY = "#run"            # the run-state item; every reader of tickers skips it
DEFAULT_DRIFT = 0.05        # a typical equity index: +5 % a year ...
DEFAULT_VOLATILITY = 0.20   # ... with 20 % annual volatility


@dataclass(frozen=True)
class RunState:
    version: int | None      # None: no run has ever claimed this table
    seed: int | None
    # Minute at which tickers that have never been committed start their walk. Kept until
    # they are, so a run whose commit failed re-sends their first ticks byte for byte.
    fresh_start: int | None = None


def _number(item, attr, default=None):
    value = item.get(attr)
    if value is None:
        if default is None:
            raise ValueError(f"no {attr} attribute")
        return default
    # A number typed as a string in the console ("100") is still a number.
    text = value.get("N", value.get("S")) if isinstance(value, dict) else None
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{attr} {_shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{attr} {_shown(value)} is not a finite number")
    return number


def _shown(value):
    if isinstance(value, dict) and len(value) == 1:
        return repr(next(iter(value.values())))
    return repr(value)


def item_name(item):
    value = item.get(KEY, {})
    return value.get("S", "<no TickerName>") if isinstance(value, dict) else "<no TickerName>"


def parse_ticker(item):
    """The ticker an item describes; ValueError says what is wrong with it."""
    name = item_name(item)
    price = _number(item, "Price")
    if price <= 0:
        raise ValueError(f"Price {price:g} is not > 0")
    seq = _number(item, "Seq", 0)
    if seq < 0 or seq != int(seq):
        raise ValueError(f"Seq {seq:g} is not a whole number >= 0")
    volatility = _number(item, "Volatility", DEFAULT_VOLATILITY)
    if not 0 <= volatility <= 10:
        raise ValueError(f"Volatility {volatility:g} is not between 0 and 10 (annual, 0.2 = 20 %)")
    drift = _number(item, "Drift", DEFAULT_DRIFT)
    if not -10 <= drift <= 10:
        raise ValueError(f"Drift {drift:g} is not between -10 and 10 (annual, 0.05 = 5 %)")
    last = item.get("LastTick")
    last_tick = None
    if last is not None:
        try:
            last_tick = calendar.timegm(time.strptime(last.get("S"), ISO_FORMAT))
        except (AttributeError, TypeError, ValueError):
            raise ValueError(f"LastTick {_shown(last)} is not a time like 2026-11-26T09:00:45Z") \
                from None
    return Ticker(name=name, price=price, seq=int(seq), last_tick=last_tick,
                  drift=drift, volatility=volatility)


def ticker_item(item, ticker):
    """The item with the ticker's new state; every other attribute is kept as it was."""
    return {**item,
            "Price": {"N": repr(ticker.price)},
            "Seq": {"N": str(ticker.seq)},
            "LastTick": {"S": iso(ticker.last_tick)}}


def parse_run_state(item):
    if item is None:
        return RunState(version=None, seed=None)
    version = item.get("Version", {}).get("N")
    seed = item.get("Seed", {}).get("N")
    fresh = item.get("FreshStart", {}).get("S")
    return RunState(version=int(version) if version else 0, seed=int(seed) if seed else None,
                    fresh_start=calendar.timegm(time.strptime(fresh, ISO_FORMAT)) // 60
                    if fresh else None)
