"""The realistic price model: volatility with memory on several time scales, leverage, heavy
tails, rare jumps, and a market factor per asset class that every ticker of the class shares.

Volatility is a pure function of time: a sum of value-noise curves (knots a fixed time apart,
one normal draw per knot, interpolated), fast to slow, for the asset class (keyed by time
alone, so tickers share it without reading each other) and for each ticker. A ticker thus needs
no state beyond its price and seq, and any tick is a pure function of (seed, ticker, seq,
time). Leverage: a day's market shock is drawn against the next fast volatility knot, so falls
come with rising volatility. Only math, hashlib and struct: this runs in Lambda.
"""
import hashlib
import math
import struct
from dataclasses import dataclass
from functools import lru_cache

DAY_S = 86400
TRADING_DAYS = 252
# Knots of the fast curve sit at 13:00 UTC, before New York opens in either season: a
# session's volatility then follows the knot drawn against the previous day's market shock.
PHASE_S = 13 * 3600
# Market log-volatility: (knot spacing in days, standard deviation). The slow curves give
# the long memory of |returns| (still visible after 100 days).
MARKET_SCALES = ((1, 0.12), (6, 0.15), (30, 0.28), (150, 0.36), (700, 0.36))
TICKER_SCALES = ((1, 0.20), (30, 0.15), (400, 0.15))
FACTORS = {"index": "equity", "stock": "equity", "fx": "fx", "crypto": "crypto"}
_UNIT = 1.0 / (1 << 64)
_TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class Params:
    """One ticker's model parameters; `volatility` and `drift` are annual, long-run."""
    volatility: float
    drift: float
    beta: float = 0.9          # loading on its class's market factor (correlation = beta^2)
    leverage: float = 0.7      # how strongly a fall raises the next day's volatility
    tails: float = 0.35        # spread of the shock's variance mixture: 0 = normal shocks
    jumps: float = 0.6         # own jumps a year (market-wide jumps come on top)
    vol_of_vol: float = 1.0    # scales the ticker's own volatility curves
    factor: str = "equity"


# Defaults by kind: indices move together, stocks less so, FX and crypto on their own factors.
DEFAULTS = {
    "index": dict(beta=0.9, leverage=0.85, tails=0.2, jumps=0.3, vol_of_vol=0.6),
    "stock": dict(beta=0.6, jumps=1.5, vol_of_vol=1.3),
    "fx": dict(beta=0.5, leverage=0.2, jumps=0.5),
    "crypto": dict(beta=0.7, leverage=0.3, tails=0.45, jumps=3.0, vol_of_vol=1.5),
}
# Seed-file attribute -> (field, lowest, highest): what an item may set, checked on read.
ATTRIBUTES = {"Beta": ("beta", 0.0, 1.0), "Leverage": ("leverage", 0.0, 0.95),
              "Tails": ("tails", 0.0, 1.0), "Jumps": ("jumps", 0.0, 250.0),
              "VolOfVol": ("vol_of_vol", 0.0, 3.0)}
# Per factor: (leverage, tails, jumps a year, share of jumps that are falls).
MARKET = {"equity": (0.85, 0.1, 0.8, 0.7), "fx": (0.2, 0.3, 0.5, 0.5),
          "crypto": (0.4, 0.45, 2.0, 0.6)}
JUMP_SIZE = 3.0            # the smallest jump, in daily standard deviations


def calendar_days(name):
    """(open seconds a day, days a year) of a calendar: an exchange's regular session is
    6.5 hours on 252 days; the annual volatility spreads over these."""
    return {"24x7": (DAY_S, 365.25), "24x5": (DAY_S, 261.0)}.get(name, (23400, 252.0))


def params(kind, volatility, drift, overrides=None):
    """The parameters of a ticker of `kind`, its item's attributes (`overrides`, already
    numbers) over the kind's defaults; ValueError names an attribute out of range."""
    values = dict(DEFAULTS[kind])
    for attr, value in (overrides or {}).items():
        field, low, high = ATTRIBUTES[attr]
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"{attr} {value:g} is not between {low:g} and {high:g}")
        values[field] = value
    return Params(volatility=volatility, drift=drift, factor=FACTORS[kind], **values)


def draws(seed, key, n):
    """(normal, normal, uniform, uniform), fixed by (seed, key, n): one hash, four draws."""
    digest = hashlib.blake2b(f"{seed}\x1f{key}\x1f{n}".encode(), digest_size=32).digest()
    a, b, c, d = struct.unpack("<QQQQ", digest)
    radius = math.sqrt(-2.0 * math.log((a + 1) * _UNIT))
    angle = _TWO_PI * b * _UNIT
    return (radius * math.cos(angle), radius * math.sin(angle),
            (c + 1) * _UNIT, (d + 1) * _UNIT)


@lru_cache(maxsize=1 << 16)
def cached_normal(seed, key, n):
    return draws(seed, key, n)[0]


def _curve(seed, key, scales, t, scale_by=1.0):
    """Sum of unit-variance value-noise curves at time t (epoch seconds), each times its sd."""
    total = 0.0
    for name, span, sd in _keys(key, scales):
        x = (t - PHASE_S) / span
        n = math.floor(x)
        f = x - n
        g = (1.0 - f) * cached_normal(seed, name, n) + f * cached_normal(seed, name, n + 1)
        # Between two knots the mix has less variance than either: scale it back to 1.
        total += sd * g / math.sqrt((1.0 - f) ** 2 + f * f)
    return total * scale_by


@lru_cache(maxsize=4096)
def _keys(key, scales):
    return tuple((f"{key}{k}", days * DAY_S, sd) for k, (days, sd) in enumerate(scales))


_MARKET_VARIANCE = sum(sd * sd for _, sd in MARKET_SCALES)
_TICKER_VARIANCE = sum(sd * sd for _, sd in TICKER_SCALES)


def day_index(t):
    """The fast knots' day a time falls in (days start at PHASE_S UTC)."""
    return (t - PHASE_S) // DAY_S


def vol_multiplier(seed, p, name, t):
    """Volatility at time t over its long-run level; its mean square over time is 1."""
    market = _curve(seed, "v" + p.factor, MARKET_SCALES, t)
    own = _curve(seed, "w" + name, TICKER_SCALES, t, p.vol_of_vol)
    return math.exp(market + own - _MARKET_VARIANCE - _TICKER_VARIANCE * p.vol_of_vol ** 2)


def day_sd(seed, p, name, day, years):
    """The standard deviation of the ticker's log-return over `years` of day `day`.

    Taken at the day's start, before the day's shock is known: leverage then only raises
    the next days' volatility and leaves the drift alone."""
    return p.volatility * vol_multiplier(seed, p, name, PHASE_S + day * DAY_S) \
        * math.sqrt(years)


def _heavy(z, mix, tails):
    """A unit-variance shock with heavy tails: z times a lognormal variance mixture."""
    return z * math.exp(tails * mix - tails * tails) if tails else z


def _day(seed, key, day, leverage, tails, jumps, down):
    """(shock, jump in daily sd, jump's place in the day 0-1) of one day of a curve family
    `key` (a market factor or a ticker). The shock is drawn against the family's next fast
    volatility knot: falls come with rising volatility (the leverage effect)."""
    z, mix, u, v = draws(seed, "d" + key, day)
    ahead = cached_normal(seed, key + "0", day + 1)
    shock = _heavy(-leverage * ahead + math.sqrt(1.0 - leverage * leverage) * z, mix, tails)
    rate = jumps / TRADING_DAYS
    if u >= rate:
        return shock, 0.0, 0.0
    # Given a jump, u / rate is uniform again: it places the jump in the day.
    size = JUMP_SIZE * (1.0 - 0.5 * max(math.log(v if v < down else 1.0 - v), -3.0))
    return shock, -size if v < down else size, u / rate


@lru_cache(maxsize=4096)
def market_day(seed, factor, day):
    """A factor's day, shared by every ticker of the factor."""
    return _day(seed, "v" + factor, day, *MARKET[factor])


@dataclass(frozen=True)
class DayMove:
    """One day of a ticker in daily standard deviations: the diffusive shock, the jump, and
    where in the day the jump falls (0 to 1)."""
    shock: float
    jump: float
    jump_at: float


def day_move(seed, p, name, day):
    """The ticker's day: its factor's shock and jump (beta of them), and its own."""
    market, market_jump, market_at = market_day(seed, p.factor, day)
    own, own_jump, own_at = _day(seed, "w" + name, day, p.leverage, p.tails, p.jumps, 0.5)
    rest = math.sqrt(1.0 - p.beta * p.beta)
    # A market-wide jump strikes every ticker of the factor at the same moment.
    return DayMove(p.beta * market + rest * own, p.beta * market_jump + rest * own_jump,
                   market_at if market_jump else own_at)


def mean_log_return(p, years):
    return (p.drift - 0.5 * p.volatility * p.volatility) * years


OVERNIGHT_SHARE = 0.2      # of a day's variance, for markets that close: the gap at the open
DAILY_SHARE = 0.5          # of a tick's variance that is its day's shock, spread over the day
_JUMP_WINDOW = (1800, 8 * 3600)   # jumps strike live ticks 13:30-21:30 UTC: New York's day


def stepper(seed, p, name, tick_seconds, day_seconds, days_a_year, rounding):
    """next(price, seq, epoch, shock, shape=1.0) for one ticker's live ticks.

    day_seconds: open seconds a day (DAY_S for markets that never close); shape: the intraday
    variance profile at the tick (mean 1 over a session); rounding(price) -> quantized price.
    A day's shock (its tails, leverage and shared jumps) is spread evenly over the day's
    ticks as DAILY_SHARE of the day's variance; each tick's own draw carries the rest."""
    own_key, tick_key = "o" + name, "t" + p.factor
    share = tick_seconds / day_seconds
    day_years = 1.0 / days_a_year
    mean = mean_log_return(p, day_years) * share
    # A market that closes spends OVERNIGHT_SHARE of the day's variance on the gap at the open.
    session = 1.0 - OVERNIGHT_SHARE if day_seconds < DAY_S else 1.0
    coherent = math.sqrt(DAILY_SHARE * session) * share
    spread = math.sqrt((1.0 - DAILY_SHARE) * session * share)
    gap = math.sqrt(OVERNIGHT_SHARE)
    # Jumps are sized on the long-run volatility: a calm day can meet one too.
    jump_sd = p.volatility * math.sqrt(day_years)
    beta, alone = p.beta, math.sqrt(1.0 - p.beta * p.beta)
    cache = {"day": None}

    def step(price, seq, epoch, shock, shape=1.0):
        day = day_index(epoch)
        if cache["day"] != day:
            move = day_move(seed, p, name, day)
            cache.update(day=day, move=move, sd=day_sd(seed, p, name, day, day_years),
                         jump_time=PHASE_S + day * DAY_S + _JUMP_WINDOW[0]
                         + move.jump_at * (_JUMP_WINDOW[1] - _JUMP_WINDOW[0]))
        move, sd = cache["move"], cache["sd"] * shock.vol_factor
        own, night, _, _ = draws(seed, own_key, seq)
        root = math.sqrt(shape)
        z = coherent * root * move.shock + spread * root * (
            beta * cached_normal(seed, tick_key, epoch) + alone * own)
        if shock.extra_seconds:
            z += gap * night
        change = mean + sd * z
        if move.jump and epoch - tick_seconds < cache["jump_time"] <= epoch:
            change += jump_sd * move.jump
        return rounding(price * math.exp(change + shock.log_move))
    return step


def activity(log_return, sd):
    """Volume relative to its mean for a move of `log_return` where `sd` was expected: more
    trading on big moves, and so in stormy times (mean about 1 for normal moves)."""
    return 0.4 + 0.75 * abs(log_return) / sd if sd > 0 else 1.0
