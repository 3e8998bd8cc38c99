"""What kind of instrument a ticker is: its trading calendar, price convention, quotes and volume.

Pure functions; every draw is keyed by (seed, ticker, seq) like the price's, on a key of its
own, so adding quotes never changes a price.
"""
import math

from chalicelib.walk.market import decimals, normal

INDEX, STOCK, FX, CRYPTO = "index", "stock", "fx", "crypto"
KINDS = (INDEX, STOCK, FX, CRYPTO)
TRADABLE = frozenset((STOCK, FX, CRYPTO))     # index feeds carry neither quotes nor volume
DEFAULT_CALENDAR = {INDEX: "24x7", STOCK: "XNYS", FX: "24x5", CRYPTO: "24x7"}

# Half the bid-ask spread as a fraction of the price: a floor for the kind, plus a share of
# the annual volatility (a riskier book quotes wider).
_SPREAD = {STOCK: (0.00002, 0.0002), FX: (0.00001, 0.0001), CRYPTO: (0.00005, 0.0001)}
# Mean traded value per tick (in the quote currency; FX in units of the base currency).
_NOTIONAL = {STOCK: 200_000.0, CRYPTO: 1_000_000.0}
FX_UNITS = 1_000_000.0
_VOLUME_KEY = "v"
_VOLUME_SPREAD = 0.6       # lognormal noise around the mean, whose mean stays 1


def check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"Kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind


def precision(kind, name):
    """(significant digits, least decimals) by market convention, or None to follow the walk:
    FX pairs quote 5 decimals, 3 for yen pairs, and more only when the rate is very low."""
    if kind == FX:
        return 5, 3 if "JPY" in name.upper() else 5
    return None


def half_spread(kind, volatility):
    floor, share = _SPREAD[kind]
    return floor + share * volatility


def quote(price, half, digits, least):
    """(bid, ask) around the price on its own grid, at least one unit each side."""
    places = decimals(price, digits, least)
    unit = 10.0 ** -places
    bid = min(math.floor(price * (1.0 - half) / unit) * unit, price - unit)
    ask = max(math.ceil(price * (1.0 + half) / unit) * unit, price + unit)
    return round(bid, places), round(ask, places)


def intraday_shape(position):
    """Stocks trade most at the open and the close: a U over the session (0 = open, 1 = close),
    whose mean over the session is 1."""
    return (0.4 + 2.4 * (2.0 * position - 1.0) ** 2) / 1.2


def volume(seed, name, seq, kind, price, shape=1.0):
    """Units traded in the tick: an integer >= 0."""
    mean = FX_UNITS if kind == FX else _NOTIONAL[kind] / price
    z = normal(seed, _VOLUME_KEY + name, seq)
    spread = _VOLUME_SPREAD
    return int(mean * shape * math.exp(spread * z - 0.5 * spread * spread))
