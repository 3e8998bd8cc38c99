"""Synthetic tickers for load tests: names, prices and parameters drawn from a seed. Pure.

`seed --count N --prefix SIM --kind stock` makes SIM0000001 .. SIM000000N. Every value is a
function of (seed, name), so a second run (or a resumed one) writes the same items.
"""
import math
import re

from chalicelib.walk.instruments import CRYPTO, FX, INDEX, KINDS, STOCK
from chalicelib.walk.items import seed_item
from chalicelib.walk.market import uniforms

MAX_COUNT = 1_000_000
DIGITS = len(str(MAX_COUNT))
DEFAULT_PREFIX = "SIM"
DEFAULT_KIND = INDEX            # 24x7: a load test streams at any hour
DEFAULT_SEED = 1
_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,31}$")
# Per kind: (median price, price spread as a log-normal sigma, volatility range, drift range).
_SHAPES = {
    INDEX: (1000.0, 1.0, (0.10, 0.30), (0.00, 0.10)),
    STOCK: (50.0, 1.2, (0.20, 0.80), (-0.05, 0.25)),
    FX: (1.0, 0.6, (0.05, 0.15), (0.00, 0.00)),
    CRYPTO: (10.0, 2.0, (0.50, 1.20), (-0.20, 0.60)),
}


def prefix_problem(prefix):
    if not _PREFIX.match(prefix or ""):
        return (f"--prefix {prefix!r} cannot start a ticker name: pass 1-32 letters, digits, "
                "'.', '_' or '-', starting with a letter (e.g. SIM)")
    return None


def kind_problem(kind):
    if kind not in KINDS:
        return f"--kind {kind!r} is unknown: pass one of {', '.join(KINDS)}"
    return None


def name(prefix, number):
    return f"{prefix}{number:0{DIGITS}d}"


def is_synthetic(prefix, ticker):
    """Whether `ticker` is one of the names `--count` makes with this prefix."""
    tail = ticker[len(prefix):]
    return ticker.startswith(prefix) and len(tail) == DIGITS and tail.isdigit()


def item(prefix, number, kind, seed=DEFAULT_SEED):
    """The seed item of synthetic ticker `number` (from 1), checked as the walk checks items."""
    ticker = name(prefix, number)
    median, spread, (vol_low, vol_high), (drift_low, drift_high) = _SHAPES[kind]
    u1, u2 = uniforms(seed, "seed-price" + ticker, 0)
    u3, u4 = uniforms(seed, "seed-params" + ticker, 0)
    # Box-Muller: a log-normal price around the kind's median.
    z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    price = float(f"{median * math.exp(spread * z):.6g}")
    return seed_item({
        "TickerName": ticker, "Kind": kind, "Price": price,
        "Volatility": round(vol_low + (vol_high - vol_low) * u3, 4),
        "Drift": round(drift_low + (drift_high - drift_low) * u4, 4),
    })
