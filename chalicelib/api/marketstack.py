"""Marketstack's v1 response shapes, apart from I/O: errors, the pagination envelope, bar
records, tickers and exchanges.

The codes and statuses are those the real API answers (its documentation and what its
clients handle): 401 missing_access_key / invalid_access_key, 422 validation_error with a
`context` per parameter, 422 no_valid_symbols_provided, 404 404_not_found for a symbol or
exchange it does not have, 404 invalid_api_function for a path it does not serve, 429
rate_limit_reached, 500 internal_error.
"""

import hmac
from datetime import UTC, datetime

from chalicelib.walk.calendars import DAY

STATUS = {
    "missing_access_key": 401,
    "invalid_access_key": 401,
    "validation_error": 422,
    "no_valid_symbols_provided": 422,
    "404_not_found": 404,
    "invalid_api_function": 404,
    "rate_limit_reached": 429,
    "internal_error": 500,
}
VALIDATION_MESSAGE = "Request failed with validation error"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"


class MarketstackError(Exception):
    """An answer other than 200, in Marketstack's shape: its status follows from its code."""

    def __init__(self, code, message, context=None):
        super().__init__(message)
        self.code, self.message, self.context = code, message, context
        self.status = STATUS[code]

    def body(self):
        error = {"code": self.code, "message": self.message}
        if self.context is not None:
            error["context"] = self.context
        return {"error": error}


def validation_error(problems):
    """Marketstack's validation error for {parameter: (key, message)}: the context names each
    parameter at fault, as a list of {key, message}."""
    context = {
        name: [{"key": key, "message": message}]
        for name, (key, message) in sorted(problems.items())
    }
    return MarketstackError("validation_error", VALIDATION_MESSAGE, context)


def check_access_key(given, expected):
    """Marketstack's 401 unless `given` is the stage's key. The comparison takes the same time
    wherever the strings differ, so timing cannot reveal the key a character at a time."""
    if not (given or "").strip():
        raise MarketstackError(
            "missing_access_key",
            "You have not supplied an API access key: "
            "add access_key=YOUR_KEY (`tickersim api-key --stage S` prints "
            "it; the demo prints it with its URL).",
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8")):
        raise MarketstackError(
            "invalid_access_key",
            "You have not supplied a valid API access "
            "key: `tickersim api-key --stage S` prints this stage's key.",
        )


def envelope(records, limit, offset):
    """One page of `records` (all of them, in order) in Marketstack's pagination envelope."""
    chosen = records[offset : offset + limit]
    return {
        "pagination": {
            "limit": limit,
            "offset": offset,
            "count": len(chosen),
            "total": len(records),
        },
        "data": chosen,
    }


def date_text(minute):
    return datetime.fromtimestamp(minute * 60, UTC).strftime(DATE_FORMAT)


def _volume(volume):
    # Marketstack sends volumes as numbers with a fraction (32668138.0); null when unknown.
    return None if volume is None else float(volume)


def intraday_record(bar, mic):
    return {
        "open": bar.open,
        "high": bar.high,
        "low": bar.low,
        "close": bar.close,
        "last": bar.close,
        "volume": _volume(bar.volume),
        "date": date_text(bar.start),
        "symbol": bar.symbol,
        "exchange": mic,
    }


def eod_record(bar, mic):
    """No splits or dividends in a simulated market: adjusted values equal the raw ones."""
    volume = _volume(bar.volume)
    return {
        "open": bar.open,
        "high": bar.high,
        "low": bar.low,
        "close": bar.close,
        "volume": volume,
        "adj_open": bar.open,
        "adj_high": bar.high,
        "adj_low": bar.low,
        "adj_close": bar.close,
        "adj_volume": volume,
        "split_factor": 1.0,
        "dividend": 0.0,
        "symbol": bar.symbol,
        "exchange": mic,
        "date": date_text(bar.start - bar.start % DAY),
    }


def ordered(bars, descending):
    """Newest first (Marketstack's default) or oldest first; symbols in name order within a
    time. The order is total, so a range no longer written pages without gaps or repeats."""
    if descending:
        return sorted(bars, key=lambda b: (-b.start, b.symbol))
    return sorted(bars, key=lambda b: (b.start, b.symbol))


# --- exchanges --------------------------------------------------------------------------
# The stock calendar is a real exchange; indices use Marketstack's own INDX; the simulated
# around-the-clock and FX-week markets have no MIC, so tickersim names them (TS24, TSFX).

_UTC = {"timezone": "UTC", "abbr": "UTC", "abbr_dst": "UTC"}
_NEW_YORK = {"timezone": "America/New_York", "abbr": "EST", "abbr_dst": "EDT"}
_USD = {"code": "USD", "symbol": "$", "name": "US Dollar"}


def _exchange(
    mic, name, acronym, timezone, country=None, country_code=None, city=None, website=None
):
    return {
        "name": name,
        "acronym": acronym,
        "mic": mic,
        "country": country,
        "country_code": country_code,
        "city": city,
        "website": website,
        "timezone": timezone,
        "currency": _USD,
    }


EXCHANGES = {
    e["mic"]: e
    for e in (
        _exchange(
            "XNYS",
            "New York Stock Exchange",
            "NYSE",
            _NEW_YORK,
            "USA",
            "US",
            "New York",
            "www.nyse.com",
        ),
        _exchange("INDX", "INDEX", "INDX", _UTC),
        _exchange("TSFX", "tickersim FX week (24x5)", "TSFX", _NEW_YORK),
        _exchange("TS24", "tickersim around the clock (24x7)", "TS24", _UTC),
    )
}
_BY_CALENDAR = {"XNYS": "XNYS", "24x5": "TSFX", "24x7": "TS24"}
_LISTING = ("name", "acronym", "mic", "country", "country_code", "city", "website")


def mic(kind, calendar_name):
    """The MIC a ticker of `kind` trading on `calendar_name` is listed on."""
    return "INDX" if kind == "index" else _BY_CALENDAR.get(calendar_name, "TS24")


def ticker_record(symbol, listed_on):
    """/v1/tickers' record: the feed knows symbols, not company names, so name is the symbol."""
    exchange = EXCHANGES[listed_on]
    return {
        "name": symbol,
        "symbol": symbol,
        "has_intraday": True,
        "has_eod": True,
        "country": exchange["country"],
        "stock_exchange": {field: exchange[field] for field in _LISTING},
    }
