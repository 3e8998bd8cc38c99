"""DynamoDB items <-> tickers, in the low-level attribute-value format. Pure: no I/O."""
import calendar
import math
import time
from decimal import Decimal, InvalidOperation
from dataclasses import dataclass

from chalicelib.calendars import CALENDARS
from chalicelib.instruments import INDEX, check_kind
from chalicelib.ticks import ISO_FORMAT, Ticker, iso

KEY = "TickerName"
RUN_KEY = "#run"            # the run-state item; every reader of tickers skips it
DEFAULT_DRIFT = 0.05        # a typical equity index: +5 % a year ...
DEFAULT_VOLATILITY = 0.20   # ... with 20 % annual volatility


@dataclass(frozen=True)
class RunState:
    version: int | None      # None: no run has ever claimed this table
    seed: int | None
    # Where walks start: tickers never committed at fresh_start (kept while there are any),
    # every ticker not before catchup_from, the catch-up floor (kept while a ticker is behind
    # last_run, the latest claimed minute). A run repeating an uncommitted delivery, at any
    # minute, thus re-sends the same ticks, byte for byte (see ticks.catchup_floor).
    fresh_start: int | None = None
    catchup_from: int | None = None
    last_run: int | None = None


def _number(item, attr, default=None):
    """The attribute as an exact Decimal (DynamoDB numbers have 38 digits; a float has 17)."""
    value = item.get(attr)
    if value is None:
        if default is None:
            raise ValueError(f"no {attr} attribute")
        return Decimal(str(default))
    # A number typed as a string in the console ("100") is still a number.
    text = value.get("N", value.get("S")) if isinstance(value, dict) else None
    try:
        number = Decimal(str(text).strip()) if isinstance(text, str) else None
    except InvalidOperation:
        number = None
    if number is None or number.is_nan():
        raise ValueError(f"{attr} {_shown(value)} is not a number")
    if not number.is_finite():
        raise ValueError(f"{attr} {_shown(value)} is not a finite number")
    return number


def _whole(item, attr, default):
    number = _number(item, attr, default)
    if number < 0 or number != number.to_integral_value():
        raise ValueError(f"{attr} {number} is not a whole number >= 0")
    return int(number)


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
    price = float(_number(item, "Price"))
    if not math.isfinite(price):
        raise ValueError(f"Price {_shown(item['Price'])} is beyond a float's range")
    if price <= 0:
        raise ValueError(f"Price {price:g} is not > 0")
    seq = _whole(item, "Seq", 0)
    volatility = float(_number(item, "Volatility", DEFAULT_VOLATILITY))
    if not 0 <= volatility <= 10:
        raise ValueError(f"Volatility {volatility:g} is not between 0 and 10 (annual, 0.2 = 20 %)")
    drift = float(_number(item, "Drift", DEFAULT_DRIFT))
    if not -10 <= drift <= 10:
        raise ValueError(f"Drift {drift:g} is not between -10 and 10 (annual, 0.05 = 5 %)")
    kind = check_kind(_text(item, "Kind", INDEX).lower())
    calendar = _text(item, "Calendar", None)
    if calendar is not None:
        known = {c.upper(): c for c in CALENDARS}
        if calendar.upper() not in known:
            raise ValueError(f"Calendar {calendar!r} is not one of {', '.join(CALENDARS)}")
        calendar = known[calendar.upper()]
    return Ticker(name=name, price=price, seq=seq, last_tick=_epoch(item, "LastTick"),
                  drift=drift, volatility=volatility, kind=kind,
                  calendar=calendar)


def _text(item, attr, default):
    value = item.get(attr)
    if value is None:
        return default
    if not isinstance(value, dict) or not isinstance(value.get("S"), str):
        raise ValueError(f"{attr} {_shown(value)} is not text")
    return value["S"].strip()


def ticker_item(item, ticker):
    """The item with the ticker's new state; every other attribute is kept as it was."""
    return {**item,
            "Price": {"N": repr(ticker.price)},
            "Seq": {"N": str(ticker.seq)},
            "LastTick": {"S": iso(ticker.last_tick)}}


def _epoch(item, attr):
    """The attribute's ISO time in epoch seconds, or None when the item has none."""
    value = item.get(attr)
    if value is None:
        return None
    try:
        return calendar.timegm(time.strptime(value.get("S"), ISO_FORMAT))
    except (AttributeError, TypeError, ValueError):
        raise ValueError(f"{attr} {_shown(value)} is not a time like 2026-11-26T09:00:45Z") \
            from None


def _minute(item, attr):
    epoch = _epoch(item, attr)
    return None if epoch is None else epoch // 60


def parse_run_state(item):
    """The run-state item's content; ValueError says what is wrong with it."""
    if item is None:
        return RunState(version=None, seed=None)
    return RunState(version=_whole(item, "Version", 0) if "Version" in item else None,
                    seed=_whole(item, "Seed", 0) if "Seed" in item else None,
                    fresh_start=_minute(item, "FreshStart"),
                    catchup_from=_minute(item, "CatchupFrom"),
                    last_run=_minute(item, "LastRun"))
