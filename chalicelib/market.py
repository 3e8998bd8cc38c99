"""The price model: geometric Brownian motion per ticker, or the classic ±1 % uniform walk.

Every random draw is a pure function of (seed, ticker, seq), so any run, retry or replay of
the same state yields the same prices, bit for bit.
"""
import hashlib
import math
import struct
from dataclasses import dataclass

SECONDS_PER_YEAR = 365.25 * 86400
PRICE_DECIMALS = 4           # at least this many decimals, as prices have always had
SIGNIFICANT_DIGITS = 6       # at least this many significant digits, however low the price
MAX_SIGNIFICANT_DIGITS = 15  # what a float holds exactly
STEP_UNITS = 10              # a typical step spans at least this many units in the last place
MIN_PRICE = 1e-12            # only an underflowing walk meets it; prices stay > 0
UNIFORM_BAND = 0.01
_UNIT = 1.0 / (1 << 53)
_MARKET = "m"
_TICKER = "t"


def uniforms(seed, key, n):
    """Two independent uniform draws in (0, 1], fixed by (seed, key, n).

    blake2b rather than hash(): it is stable across processes and Python versions.
    """
    digest = hashlib.blake2b(f"{seed}\x1f{key}\x1f{n}".encode("utf-8"), digest_size=16).digest()
    a, b = struct.unpack("<QQ", digest)
    return ((a >> 11) + 1) * _UNIT, ((b >> 11) + 1) * _UNIT


def normal(seed, key, n):
    """A standard normal draw (Box-Muller) fixed by (seed, key, n)."""
    u1, u2 = uniforms(seed, key, n)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def significant_digits(step):
    """Digits a price needs so that a typical relative step (a fraction of the price) spans
    STEP_UNITS units in its last place: rounding then never swallows the walk."""
    if step <= 0:
        return SIGNIFICANT_DIGITS
    needed = math.ceil(-math.log10(step)) + 1 + math.ceil(math.log10(STEP_UNITS))
    return min(max(needed, SIGNIFICANT_DIGITS), MAX_SIGNIFICANT_DIGITS)


def decimals(price, digits=SIGNIFICANT_DIGITS):
    """Decimals of a price: 4, or more when the price is below 1,000 / 10^(digits - 4),
    so a penny stock or a crypto pair far below 1 keeps its significant digits."""
    return max(PRICE_DECIMALS, digits - 1 - math.floor(math.log10(price)))


def price_text(price):
    """A price for people, with the digits it carries (0.0000123, not 0.0000)."""
    if isinstance(price, bool) or not isinstance(price, (int, float)) \
            or not math.isfinite(price) or price <= 0:
        return "?"
    return f"{price:,.{decimals(price)}f}"


def quantize(price, digits=SIGNIFICANT_DIGITS, places=None):
    """The price rounded to `places` decimals (an instrument's convention) or to the
    precision that follows the price; always > 0."""
    price = max(price, MIN_PRICE)
    return max(round(price, decimals(price, digits) if places is None else places), MIN_PRICE)


@dataclass(frozen=True)
class Model:
    kind: str            # "gbm" or "uniform"
    seed: int
    tick_seconds: int
    correlation: float = 0.0

    def stepper(self, ticker, drift, volatility):
        """Return next(price, seq, epoch) for one ticker, with its constants worked out once."""
        seed, key = self.seed, _TICKER + ticker
        if self.kind == "uniform":
            digits = significant_digits(UNIFORM_BAND / math.sqrt(3.0))

            def step_uniform(price, seq, epoch):
                u, _ = uniforms(seed, key, seq)
                return quantize(price * (1.0 + (2.0 * u - 1.0) * UNIFORM_BAND), digits)
            return step_uniform

        dt = self.tick_seconds / SECONDS_PER_YEAR
        mean = (drift - 0.5 * volatility * volatility) * dt
        scale = volatility * math.sqrt(dt)
        # A walk with no volatility still drifts: its step is the mean.
        digits = significant_digits(scale or abs(mean))
        common = math.sqrt(self.correlation)
        own = math.sqrt(1.0 - self.correlation)

        def step_gbm(price, seq, epoch):
            z = normal(seed, key, seq)
            if common:
                # The market factor is keyed by time, so all tickers share it at each tick.
                z = common * normal(seed, _MARKET, epoch) + own * z
            return quantize(price * math.exp(mean + scale * z), digits)
        return step_gbm
