"""Scripted market events (crash, spike, halt, gap, ...): their shape, and what they do to a tick.

A scenario file (scenarios/NAME.json) holds one effect:
  effect      "move" (the price moves by `move` over `minutes`, spread evenly over the ticks),
              "volatility" (volatility times `volatility` for `minutes`),
              "halt" (no ticks for `minutes`), or
              "jump" (the price jumps by `move` at its first tick at or after the start, within
              `minutes`: a gap at the next open when the market is closed)
  minutes     whole minutes, 1 to 10080
  move        a fraction, -0.99 to 10 (-0.10 = down 10 %)    for move and jump
  volatility  a factor, 0 to 100                            for volatility; optional for move
  headline    the news headline; {ticker} is replaced by the ticker's name
  sentiment   -1 (bad news) to 1 (good news)
  description optional text for people
Applied scenarios live in the table's `#scenarios` item (readers of tickers skip `#` items),
each with its start time and tickers, and the file's content as it was when applied, so the
walk is a pure function of (seed, state, scenarios) and replays byte for byte.
"""
import json
import math
from dataclasses import dataclass

from chalicelib.core.errors import TickersimError
from chalicelib.walk.market import CALM, Shock

ITEM = "#scenarios"
ATTRIBUTE = "Applied"
EFFECTS = ("move", "volatility", "halt", "jump")
MAX_MINUTES = 7 * 1440
_FIELDS = {"effect", "minutes", "move", "volatility", "headline", "sentiment", "description"}
_NEEDS = {"move": ("move",), "volatility": ("volatility",), "halt": (), "jump": ("move",)}


class ScenarioInvalid(TickersimError):
    """A scenario file or the table's #scenarios item does not have the documented shape."""


def _number(spec, name, low, high, where):
    value = spec.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or not low <= value <= high:
        raise ScenarioInvalid(f"{where}: field {name!r} must be a number from {low} to {high}, "
                              f"not {value!r}")
    return float(value)


def check(spec, where="scenario"):
    """The spec, validated; ScenarioInvalid names the field at fault."""
    if not isinstance(spec, dict):
        raise ScenarioInvalid(f"{where} must be a JSON object")
    unknown = sorted(set(spec) - _FIELDS)
    if unknown:
        raise ScenarioInvalid(f"{where}: unknown field {unknown[0]!r} (fields: "
                              f"{', '.join(sorted(_FIELDS))})")
    effect = spec.get("effect")
    if effect not in EFFECTS:
        raise ScenarioInvalid(f"{where}: field 'effect' must be one of {', '.join(EFFECTS)}, "
                              f"not {effect!r}")
    minutes = spec.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) \
            or not 1 <= minutes <= MAX_MINUTES:
        raise ScenarioInvalid(f"{where}: field 'minutes' must be a whole number from 1 to "
                              f"{MAX_MINUTES}, not {minutes!r}")
    for name in _NEEDS[effect]:
        if name not in spec:
            raise ScenarioInvalid(f"{where}: effect {effect!r} needs field {name!r}")
    if "move" in spec:
        _number(spec, "move", -0.99, 10, where)
    if "volatility" in spec:
        _number(spec, "volatility", 0, 100, where)
    headline = spec.get("headline")
    if not isinstance(headline, str) or not 0 < len(headline.strip()) <= 200:
        raise ScenarioInvalid(f"{where}: field 'headline' must be text of 1 to 200 characters")
    _number(spec, "sentiment", -1, 1, where)
    if not isinstance(spec.get("description", ""), str):
        raise ScenarioInvalid(f"{where}: field 'description' must be text")
    return spec


@dataclass(frozen=True)
class Applied:
    name: str
    start: int                    # epoch second
    tickers: frozenset | None     # None: every ticker
    effect: str
    minutes: int
    move: float = 0.0
    volatility: float = 1.0
    headline: str = ""
    sentiment: float = 0.0

    @property
    def end(self):
        return self.start + self.minutes * 60

    def covers(self, name):
        return self.tickers is None or name in self.tickers


def applied(name, start, tickers, spec):
    """An applied scenario from a checked spec; start in epoch seconds."""
    return Applied(name=name, start=start, tickers=None if tickers is None else frozenset(tickers),
                   effect=spec["effect"], minutes=spec["minutes"],
                   move=float(spec.get("move", 0.0)),
                   volatility=float(spec.get("volatility", 1.0)),
                   headline=spec["headline"], sentiment=float(spec["sentiment"]))


def to_record(scenario, at_text, tickers, spec):
    """How the #scenarios item stores one applied scenario."""
    return {"name": scenario, "at": at_text,
            "tickers": None if tickers is None else sorted(tickers), "spec": spec}


def parse_item(item, parse_time):
    """The applied scenarios the table's #scenarios item holds (a tuple, oldest first)."""
    if item is None:
        return ()
    where = f"the table's {ITEM} item"
    try:
        records = json.loads(item[ATTRIBUTE]["S"])
        found = []
        for n, record in enumerate(records, 1):
            spec = check(record["spec"], f"{where}, scenario {n} ({record['name']})")
            tickers = record.get("tickers")
            if tickers is not None and not all(isinstance(t, str) for t in tickers):
                raise ScenarioInvalid(f"{where}, scenario {n}: tickers must be names")
            found.append(applied(record["name"], parse_time(record["at"]), tickers, spec))
    except ScenarioInvalid as exc:
        raise ScenarioInvalid(f"{exc}; fix it with `tickersim scenario clear`") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioInvalid(f"{where} is damaged ({type(exc).__name__}: {exc}); fix it "
                              "with `tickersim scenario clear`") from None
    return tuple(sorted(found, key=lambda s: s.start))


def relevant(scenarios, name, first, stop):
    """The scenarios touching this ticker between epoch seconds first and stop."""
    return tuple(s for s in scenarios if s.covers(name) and s.start < stop and s.end > first)


def tick_effect(scenarios, epoch, previous, ticks_per_minute, shock=CALM):
    """What the scenarios do to the tick at `epoch`, the previous walked tick being at
    `previous` (None before the first): (shock, halted, scenarios starting here)."""
    halted, starting = False, []
    extra, factor, log_move = shock.extra_seconds, shock.vol_factor, shock.log_move
    for s in scenarios:
        if not s.start <= epoch < s.end:
            continue
        first = previous is None or previous < s.start
        if first:
            starting.append(s)
        if s.effect == "halt":
            halted = True
        elif s.effect == "jump":
            log_move += math.log1p(s.move) if first else 0.0
        else:
            factor *= s.volatility
            log_move += math.log1p(s.move) / (s.minutes * ticks_per_minute)
    if (extra, factor, log_move) == (shock.extra_seconds, shock.vol_factor, shock.log_move):
        return shock, halted, starting
    return Shock(extra, factor, log_move), halted, starting
