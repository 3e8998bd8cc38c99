"""DynamoDB items <-> tickers, in the low-level attribute-value format. Pure: no I/O."""
import calendar
import math
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from chalicelib.walk import floors, stochvol
from chalicelib.walk.calendars import CALENDARS
from chalicelib.walk.instruments import INDEX, check_kind
from chalicelib.walk.ticks import ISO_FORMAT, Ticker, iso

KEY = "TickerName"
RUN_KEY = "#run"            # the run-state item; every reader of tickers skips it
SPECIAL_PREFIX = "#"        # ... and every other item of the app's own (#moves|..., #outage)
DEFAULT_DRIFT = 0.05        # a typical equity index: +5 % a year ...
DEFAULT_VOLATILITY = 0.20   # ... with 20 % annual volatility


@dataclass(frozen=True)
class RunState:
    version: int | None      # None: no run has ever claimed this table
    seed: int | None
    # Where walks start: tickers never committed at fresh_start (kept while there are any);
    # tickers behind last_run (the latest claimed minute) at the floor of their step in
    # `floors` (see floors.py). A run repeating an uncommitted delivery, at any minute,
    # thus re-sends the same ticks, byte for byte.
    fresh_start: int | None = None
    floors: tuple = ()
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
    params = tuple((attr, float(_number(item, attr))) for attr in stochvol.ATTRIBUTES
                   if attr in item)
    stochvol.params(kind, volatility, drift, dict(params))   # ValueError names what is off
    return Ticker(name=name, price=price, seq=seq, last_tick=_epoch(item, "LastTick"),
                  drift=drift, volatility=volatility, kind=kind,
                  calendar=calendar, model_params=params)


def _text(item, attr, default):
    value = item.get(attr)
    if value is None:
        return default
    if not isinstance(value, dict) or not isinstance(value.get("S"), str):
        raise ValueError(f"{attr} {_shown(value)} is not text")
    return value["S"].strip()


# What a seed entry may set; the walk owns the rest (Seq, LastTick).
SEED_NUMBERS = ("Price", "Drift", "Volatility", *stochvol.ATTRIBUTES)
SEED_TEXTS = ("Kind", "Calendar")
# DynamoDB numbers: 38 significant digits, magnitudes from 1E-130 to below 1E+126.
_DIGITS, _EXPONENTS = 38, range(-130, 126)
_KEY_BYTES = 2048


def seed_item(entry):
    """The item for one seed-file entry (a JSON object, numbers parsed as Decimal), checked
    exactly as the streaming function checks items: ValueError says what it would refuse."""
    if not isinstance(entry, dict):
        raise ValueError("is not a JSON object")
    name = entry.get(KEY)
    if not isinstance(name, str) or not name.strip() or name.startswith(SPECIAL_PREFIX):
        raise ValueError(f"{KEY} must be a non-empty string not starting with "
                         f"{SPECIAL_PREFIX!r} (such as {RUN_KEY!r}: the app's own items)")
    if "," in name or name != name.strip():
        # /api/ticks?symbols=A,B splits on commas and trims: such a ticker could not be asked for.
        raise ValueError(f"{KEY} {name!r} has a comma or surrounding spaces: the API's "
                         "symbols=A,B could never ask for it; rename it")
    if len(name.encode("utf-8")) > _KEY_BYTES:
        raise ValueError(f"{KEY} is longer than DynamoDB's {_KEY_BYTES} bytes for a key")
    item = {KEY: {"S": name}}
    for attr in SEED_NUMBERS:
        value = entry.get(attr)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise ValueError(f"{attr} {value!r} is not a number")
        number = Decimal(str(value))
        if number.is_finite() and number and (
                len("".join(map(str, number.as_tuple().digits)).strip("0")) > _DIGITS
                or number.adjusted() not in _EXPONENTS):
            raise ValueError(f"{attr} {value} cannot be stored in DynamoDB (at most 38 "
                             "significant digits, magnitude from 1E-130 to 9.9E+125)")
        item[attr] = {"N": str(value)}
    for attr in SEED_TEXTS:
        value = entry.get(attr)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValueError(f"{attr} {value!r} is not text")
        item[attr] = {"S": value}
    parse_ticker(item)     # Kind and Calendar are checked there, as the function checks them
    return item


def ticker_item(item, ticker):
    """The item with the ticker's new state; every other attribute is kept as it was."""
    return {**item,
            "Price": {"N": repr(ticker.price)},
            "Seq": {"N": str(ticker.seq)},
            "LastTick": {"S": iso(ticker.last_tick)}}


# What the walk owns on a ticker item; every other attribute belongs to whoever edits the table.
WALK_ATTRIBUTES = ("Price", "Seq", "LastTick")


def commit_statements(table, before, after):
    """PartiQL updates that move a ticker from the item a run read to its walked item.

    (main, fallback): `main` writes the walk's attributes only if Price and Seq are still
    what the run read, so a console edit, or a newer run's commit, wins; a deleted item
    stays deleted (a PartiQL UPDATE never creates an item). `fallback`, sent only when
    `main` failed, advances Seq and LastTick alone if Seq is unchanged: an edited Price
    then stays, and the next run walks from it without re-using the delivered seqs.
    """
    target = f'UPDATE "{table.replace(chr(34), chr(34) * 2)}"'
    key = {"S": item_name(after)}
    seq_check, seq_values = (('"Seq" = ?', [before["Seq"]]) if "Seq" in before
                             else ('"Seq" IS MISSING', []))
    main = {"Statement": f'{target} SET "Price" = ?, "Seq" = ?, "LastTick" = ? WHERE '
                         f'"{KEY}" = ? AND "Price" = ? AND {seq_check}',
            "Parameters": [after[a] for a in WALK_ATTRIBUTES] + [key, before["Price"]]
            + seq_values}
    fallback = {"Statement": f'{target} SET "Seq" = ?, "LastTick" = ? WHERE "{KEY}" = ? '
                             f'AND {seq_check}',
                "Parameters": [after["Seq"], after["LastTick"], key] + seq_values}
    return main, fallback


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


def _floors(item):
    if "Floors" in item:
        try:
            return floors.decode(item["Floors"]["S"], _iso_minute)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"Floors {_shown(item['Floors'])} is not a list of "
                             f"SINCE/FLOOR times ({exc})") from None
    # Written before Floors existed: one floor for every ticker behind the last run.
    old = _minute(item, "CatchupFrom")
    return () if old is None else ((0, old),)


def _iso_minute(text):
    return calendar.timegm(time.strptime(text, ISO_FORMAT)) // 60


def parse_run_state(item):
    """The run-state item's content; ValueError says what is wrong with it."""
    if item is None:
        return RunState(version=None, seed=None)
    return RunState(version=_whole(item, "Version", 0) if "Version" in item else None,
                    seed=_whole(item, "Seed", 0) if "Seed" in item else None,
                    fresh_start=_minute(item, "FreshStart"),
                    floors=_floors(item),
                    last_run=_minute(item, "LastRun"))
