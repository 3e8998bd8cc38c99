"""The price models: the realistic one (stochvol.py), geometric Brownian motion per ticker, or
the classic ±1 % uniform walk.

Every random draw is a pure function of (seed, ticker, seq), so any run, retry or replay of
the same state yields the same prices, bit for bit.
"""
import hashlib
import math
import struct
import sys
from dataclasses import dataclass

from chalicelib.walk import stochvol

SECONDS_PER_YEAR = 365.25 * 86400
PRICE_DECIMALS = 4           # at least this many decimals, as prices have always had
SIGNIFICANT_DIGITS = 6       # at least this many significant digits, however low the price
MAX_SIGNIFICANT_DIGITS = 15  # what a float holds exactly
STEP_UNITS = 10              # a typical step spans at least this many units in the last place
MIN_PRICE = sys.float_info.min  # only an underflowing walk meets it: prices stay > 0
UNIFORM_BAND = 0.01
_UNIT = 1.0 / (1 << 53)
_MARKET = "m"
_TICKER = "t"


def uniforms(seed, key, n):
    """Two independent uniform draws in (0, 1], fixed by (seed, key, n).

    blake2b rather than hash(): it is stable across processes and Python versions.
    """
    digest = hashlib.blake2b(f"{seed}\x1f{key}\x1f{n}".encode(), digest_size=16).digest()
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


def decimals(price, digits=SIGNIFICANT_DIGITS, least=PRICE_DECIMALS):
    """Decimals of a price: `least` (4), or more when the price is below
    1,000 / 10^(digits - 4), so a penny stock or a crypto pair far below 1 keeps its
    significant digits."""
    return max(least, digits - 1 - math.floor(math.log10(price)))


def price_text(price):
    """A price for people, with the digits it carries (0.0000123, not 0.0000)."""
    if isinstance(price, bool) or not isinstance(price, (int, float)) \
            or not math.isfinite(price) or price <= 0:
        return "?"
    return f"{price:,.{decimals(price)}f}"


def quantize(price, digits=SIGNIFICANT_DIGITS, least=PRICE_DECIMALS):
    """The price rounded to the precision that follows it; always > 0."""
    price = max(price, MIN_PRICE)
    return max(round(price, decimals(price, digits, least)), MIN_PRICE)


@dataclass(frozen=True)
class Shock:
    """What a scenario does to one tick: extra variance (seconds of walk, e.g. a market
    closed overnight), a volatility factor, and a log-return added to the step."""
    extra_seconds: float = 0.0
    vol_factor: float = 1.0
    log_move: float = 0.0


CALM = Shock()


@dataclass(frozen=True)
class Model:
    kind: str            # "realistic", "gbm" or "uniform"
    seed: int
    tick_seconds: int
    correlation: float = 0.0

    def precision(self, drift, volatility):
        """(significant digits, least decimals) so that rounding never freezes the walk."""
        if self.kind == "uniform":
            return significant_digits(UNIFORM_BAND / math.sqrt(3.0)), PRICE_DECIMALS
        dt = self.tick_seconds / SECONDS_PER_YEAR
        step = volatility * math.sqrt(dt) or abs(drift - 0.5 * volatility * volatility) * dt
        # A walk with no volatility still drifts: its step is then the mean.
        return significant_digits(step), PRICE_DECIMALS

    def stepper(self, ticker, drift, volatility, precision=None, kind="index",
                calendar="24x7", params=()):
        """Return next(price, seq, epoch, shock, shape=1.0) for one ticker, its constants
        worked out once; `precision` (digits, least decimals) is an instrument's convention,
        if it has one; kind, calendar and params ((attribute, value), ...) feed the realistic
        model; shape is the intraday variance profile at the tick, which only it follows."""
        seed, key = self.seed, _TICKER + ticker
        digits, least = precision or self.precision(drift, volatility)
        if self.kind == "realistic":
            return stochvol.stepper(seed, stochvol.params(kind, volatility, drift, dict(params)),
                                    ticker, self.tick_seconds, *stochvol.calendar_days(calendar),
                                    lambda price: quantize(price, digits, least))
        if self.kind == "uniform":
            def step_uniform(price, seq, epoch, shock=CALM, shape=1.0):
                u, _ = uniforms(seed, key, seq)
                move = (2.0 * u - 1.0) * UNIFORM_BAND * shock.vol_factor
                return quantize(price * (1.0 + move) * math.exp(shock.log_move), digits, least)
            return step_uniform

        dt = self.tick_seconds / SECONDS_PER_YEAR
        mean = (drift - 0.5 * volatility * volatility) * dt
        scale = volatility * math.sqrt(dt)
        common = math.sqrt(self.correlation)
        own = math.sqrt(1.0 - self.correlation)

        def step_gbm(price, seq, epoch, shock=CALM, shape=1.0):
            z = normal(seed, key, seq)
            if common:
                # The market factor is keyed by time, so all tickers share it at each tick.
                z = common * normal(seed, _MARKET, epoch) + own * z
            if shock is CALM:
                return quantize(price * math.exp(mean + scale * z), digits, least)
            span = dt + shock.extra_seconds / SECONDS_PER_YEAR
            vol = volatility * shock.vol_factor
            change = (drift - 0.5 * vol * vol) * span + vol * math.sqrt(span) * z
            return quantize(price * math.exp(change + shock.log_move), digits, least)
        return step_gbm

    def activity(self, ratio, volatility, shape, calendar):
        """Volume over its mean at a tick that moved the price by `ratio`: the realistic model
        trades more on big moves (and so in stormy times); the others keep volume apart."""
        if self.kind != "realistic":
            return 1.0
        day_seconds, days_a_year = stochvol.calendar_days(calendar)
        expected = volatility * math.sqrt(self.tick_seconds * shape / (day_seconds * days_a_year))
        return stochvol.activity(math.log(ratio), expected)
