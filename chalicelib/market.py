"""The price model: geometric Brownian motion per ticker, or the classic ±1 % uniform walk.

Every random draw is a pure function of (seed, ticker, seq), so any run, retry or replay of
the same state yields the same prices, bit for bit.
"""
import hashlib
import math
import struct
from dataclasses import dataclass

SECONDS_PER_YEAR = 365.25 * 86400
PRICE_DECIMALS = 4
MIN_PRICE = 0.0001
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


def quantize(price):
    """Prices carry 4 decimals and never reach zero."""
    return max(round(price, PRICE_DECIMALS), MIN_PRICE)


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
            def step_uniform(price, seq, epoch):
                u, _ = uniforms(seed, key, seq)
                return quantize(price * (1.0 + (2.0 * u - 1.0) * UNIFORM_BAND))
            return step_uniform

        dt = self.tick_seconds / SECONDS_PER_YEAR
        mean = (drift - 0.5 * volatility * volatility) * dt
        scale = volatility * math.sqrt(dt)
        common = math.sqrt(self.correlation)
        own = math.sqrt(1.0 - self.correlation)

        def step_gbm(price, seq, epoch):
            z = normal(seed, key, seq)
            if common:
                # The market factor is keyed by time, so all tickers share it at each tick.
                z = common * normal(seed, _MARKET, epoch) + own * z
            return quantize(price * math.exp(mean + scale * z))
        return step_gbm
