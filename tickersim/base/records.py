"""Reading the bucket's lines as a consumer does: a line that is not a tick is skipped, never
fatal (anyone with write access, or a bug, can put anything there)."""
import json

from chalicelib.walk import news


def parse_tick(line):
    """The tick a line of the bucket holds, or None for a line that is not one."""
    try:
        tick = json.loads(line)
    except ValueError:
        return None
    if (isinstance(tick, dict) and isinstance(tick.get("ticker"), str)
            and isinstance(tick.get("seq"), int) and not isinstance(tick.get("seq"), bool)
            and isinstance(tick.get("price"), (int, float))
            and not isinstance(tick.get("price"), bool)):
        return tick
    return None


def ticks_in(data):
    """(ticks, lines skipped) of one object's bytes; bytes that are not UTF-8 are lines that
    are not ticks, not an error."""
    ticks, skipped = [], 0
    for line in data.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        tick = parse_tick(line)
        if tick is None:
            skipped += 1
        else:
            ticks.append(tick)
    return ticks, skipped


def news_in(data):
    """The news records of one object's bytes: they share the stream with the ticks."""
    found = []
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if news.is_news(record):
            found.append(record)
    return found
