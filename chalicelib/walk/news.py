"""News records: a headline when a scenario starts, or when a ticker jumps in one tick.

Same stream as the ticks, told apart by `"type": "news"` (Firehose files them under news/).
Headlines come from templates, chosen by a draw keyed like the walk's: same seed, same news.
"""
import json
import math

from chalicelib.walk.market import SECONDS_PER_YEAR, uniforms

JUMP = 0.02               # a move of 2 % or more in one tick makes the news ...
SIGMAS = 6.0              # ... if it is also this many of the ticker's own tick deviations
_KEY = "n"
PREFIX = '{"type":"news"'   # how every news line starts
_UP = ("{ticker} jumps {move:.1f} % as buyers pile in",
       "{ticker} surges {move:.1f} % on heavy buying",
       "{ticker} spikes {move:.1f} % in a sudden rally")
_DOWN = ("{ticker} drops {move:.1f} % as sellers take over",
         "{ticker} slides {move:.1f} % in a sharp sell-off",
         "{ticker} tumbles {move:.1f} % on a wave of selling")


def encode(name_json, timestamp, headline, sentiment):
    return (f'{{"type":"news","ticker":{name_json},"timestamp":"{timestamp}",'
            f'"headline":{json.dumps(headline)},"sentiment":{sentiment!r}}}\n')


def scenario_line(name, name_json, timestamp, scenario):
    return encode(name_json, timestamp, scenario.headline.replace("{ticker}", name),
                  scenario.sentiment)


def jump_threshold(volatility, tick_seconds):
    """The one-tick move that is news for this ticker: unusual for it, and at least JUMP."""
    return max(JUMP, SIGMAS * volatility * math.sqrt(tick_seconds / SECONDS_PER_YEAR))


def jump_line(seed, name, name_json, seq, timestamp, change):
    """A headline for a one-tick move of `change` (a fraction)."""
    templates = _UP if change > 0 else _DOWN
    u, _ = uniforms(seed, _KEY + name, seq)
    headline = templates[int(u * len(templates)) % len(templates)].format(
        ticker=name, move=abs(change) * 100)
    return encode(name_json, timestamp, headline, round(max(-1.0, min(1.0, change * 10)), 2))


def is_news(record):
    """True for a news record among parsed lines of the bucket (anything typed non-tick)."""
    return isinstance(record, dict) and record.get("type", "tick") != "tick"
