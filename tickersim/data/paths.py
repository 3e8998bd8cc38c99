"""History as one path per ticker and seed, coarse to fine.

First the daily path: from the seed price at HISTORY_START, one close per session (the
session and the night before it), drawn by the realistic model. Then, inside a session, minute
prices as a bridge from the previous close to this close (the first minute carries the
overnight gap, the others the intraday U-shape of variance), and seconds as bridges between
minutes. A coarser resolution samples the finer path, so the last minute of a session is the
day's close, bit for bit, and any date range is a slice of the same path.

seq is the count of open seconds since HISTORY_START up to the tick: (ticker, seq) is unique
across all of a calendar's history, and the same tick at two resolutions carries the same seq.
"""
import math
from dataclasses import dataclass

from chalicelib.walk import stochvol
from chalicelib.walk.instruments import intraday_shape
from chalicelib.walk.stochvol import OVERNIGHT_SHARE

RESOLUTIONS = {"1s": 1, "1min": 60, "1h": 3600, "1d": 0}    # 0: one tick at the close


@dataclass(frozen=True)
class Day:
    close: float          # log-price at the session's close
    previous: float       # log-price at the previous close
    sd: float             # the day's standard deviation of log-return
    jump: float           # the part of the day's log-return that is a jump
    jump_at: float        # where in the session the jump falls, 0 to 1


def daily_path(seed, p, name, price, sessions, years, anchor):
    """[Day] for every session, in order, passing through `price` at the close of
    sessions[anchor] (the seed prices are the classic exercise's of ANCHOR_DAY)."""
    mean = stochvol.mean_log_return(p, years)
    # Jumps are sized on the long-run volatility, as in the live walk.
    jump_sd = p.volatility * math.sqrt(years)
    steps, level = [], 0.0
    for session in sessions:
        day = stochvol.day_index(session.open * 60)
        sd = stochvol.day_sd(seed, p, name, day, years)
        move = stochvol.day_move(seed, p, name, day)
        jump = jump_sd * move.jump
        steps.append((level, sd, jump, move.jump_at))
        level += mean + sd * move.shock + jump
    shift = math.log(price) - (steps[anchor + 1][0] if anchor + 1 < len(steps) else level)
    closes = [s[0] + shift for s in steps[1:]] + [level + shift]
    return [Day(close, previous + shift, sd, jump, at)
            for close, (previous, sd, jump, at) in zip(closes, steps)]


def bridge(start, end, variances, normals, jump=0.0, jump_at=None):
    """Log-prices after each step from `start`, Gaussian steps with these variances
    conditioned to end at `end` exactly (a jump at step `jump_at` rides on top)."""
    total = sum(variances)
    walked, free = [], 0.0
    for v, z in zip(variances, normals):
        free += math.sqrt(v) * z
        walked.append(free)
    gap = end - start - jump - free
    out, weight = [], 0.0
    for i, (v, w) in enumerate(zip(variances, walked)):
        weight += v
        jumped = jump if jump_at is not None and i >= jump_at else 0.0
        out.append(start + w + gap * weight / total + jumped)
    out[-1] = end
    return out


def _steps(seed, p, name, prefix, numbers):
    """Standard normal steps, the factor's common part keyed by time alone."""
    beta, rest = p.beta, math.sqrt(1.0 - p.beta * p.beta)
    market, own = prefix + p.factor, prefix + name
    return [beta * stochvol.cached_normal(seed, market, n)
            + rest * stochvol.draws(seed, own, n)[0] for n in numbers]


def minute_path(seed, p, name, session, day, night):
    """([(epoch minute at the end of each minute, log-price)], [variance of each minute]) of
    one session; the first minute also carries the night's `night` share of the day."""
    minutes = [m for start, stop in session.spans for m in range(start, stop)]
    total = len(minutes)
    day_variance = day.sd * day.sd
    variances = [day_variance * (1.0 - night) * intraday_shape((k + 0.5) / total) / total
                 for k in range(total)]
    variances[0] += day_variance * night
    logs = bridge(day.previous, day.close, variances, _steps(seed, p, name, "b", minutes),
                  day.jump, min(int(day.jump_at * total), total - 1))
    return list(zip((m + 1 for m in minutes), logs)), variances


def second_path(seed, p, name, minute_points, variances, start, night_variance):
    """[(epoch second, log-price, variance)] bridging each minute of a minute path in 60
    seconds; the night's variance falls on the session's first second."""
    out, level = [], start
    for k, ((end_minute, end), variance) in enumerate(zip(minute_points, variances)):
        first = (end_minute - 1) * 60
        seconds = range(first, first + 60)
        night = night_variance if k == 0 else 0.0
        spread = [(variance - night) / 60.0] * 60
        spread[0] += night
        logs = bridge(level, end, spread, _steps(seed, p, name, "s", seconds))
        out.extend(zip((s + 1 for s in seconds), logs, spread))
        level = end
    return out


def session_path(seed, p, name, session, day, resolution, closes=True):
    """[(epoch second, log-price, variance of the step to it)] of one session at
    `resolution`; `closes`: the market closes between sessions (a gap at the open)."""
    step = RESOLUTIONS[resolution]
    if step == 0:
        return [(session.close * 60, day.close, day.sd * day.sd)]
    night = OVERNIGHT_SHARE if closes else 0.0
    points, variances = minute_path(seed, p, name, session, day, night)
    if step == 1:
        return second_path(seed, p, name, points, variances, day.previous,
                           day.sd * day.sd * night)
    out, pending = [], 0.0
    for k, ((m, x), v) in enumerate(zip(points, variances)):
        pending += v
        # Hours: every 60th minute from the open, and the close.
        if (k + 1) % (step // 60) == 0 or k == len(points) - 1:
            out.append((m * 60, x, pending))
            pending = 0.0
    return out
