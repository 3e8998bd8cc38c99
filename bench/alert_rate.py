"""How often 1 % move alerts fire at the default volatilities: a simulated month of live ticks.

    python -m bench.alert_rate        # prints a Markdown section (make bench appends it)

The live walk (chalicelib's, 4 ticks a minute) of the ready indices and stocks over 30 days,
for the realistic model and for plain GBM, cut into the watcher's windows (5 minutes) and
judged by the watcher's own rule (chalicelib/watch/moves.py: (high - low) / high >= 1 %).
"""
import json
import statistics
import sys
from collections import Counter

from chalicelib.walk.market import Model
from chalicelib.walk.ticks import walk
from chalicelib.watch.moves import Range, Tick
from tickersim.data.backfill import ready_tickers

START_MINUTE = 29_376_000 - 29_376_000 % 1440     # 2025-11-08 00:00 UTC, a Saturday
DAYS = 30
MONTHS = 6              # one month is one draw of the volatility's slow curves: show several
PERCENT, WINDOW = 1.0, 5
SEED = 2026
SETS = ("Index_1,Index_2,Index_3,Index_4,Index_5",
        "FB,SHOP,BYND,NFLX,PINS,SQ,TTD,OKTA,SNAP,DDOG")


def alerts(kind, month):
    """{(ticker, day): windows that moved} over the month'th month from START_MINUTE, and
    the ticker-days walked."""
    model = Model(kind=kind, seed=SEED, tick_seconds=15)
    moved, walked = Counter(), set()
    for names in SETS:
        for ticker in ready_tickers(names):
            for day in range(month * DAYS, (month + 1) * DAYS):
                first = START_MINUTE + day * 1440
                lines, ticker = walk(ticker, range(first, first + 1440), 4, model)
                windows = {}
                for line in lines:
                    tick = json.loads(line)
                    if tick.get("type"):
                        continue
                    walked.add((tick["ticker"], day))
                    point = Tick(0, tick["seq"], tick["price"])
                    key = int(tick["timestamp"][14:16]) // WINDOW + 12 * int(
                        tick["timestamp"][11:13])
                    seen = windows.get(key)
                    windows[key] = Range(point, point) if seen is None else \
                        seen.widened(Range(point, point))
                moved[(ticker.name, day)] = sum(r.moved(PERCENT) for r in windows.values())
    return moved, walked


def summary(kind, month=0):
    moved, walked = alerts(kind, month)
    per_day = [moved[k] for k in walked]
    busy = sorted(per_day, reverse=True)
    total = sum(per_day)
    top = sum(busy[:max(1, len(busy) // 10)])
    return {"alerts": total, "ticker_days": len(per_day),
            "quiet_share": sum(1 for n in per_day if n == 0) / len(per_day),
            "median": statistics.median(per_day), "max": busy[0],
            "top_decile_share": top / total if total else 0.0}


def render(log=lambda message: None):
    lines = ["", "## 1 % move alerts over a simulated month (`bench/alert_rate.py`)", "",
             f"The live walk of the five indices and the ten stocks at their seed "
             f"volatilities, {MONTHS} months of {DAYS} days in a row (GBM: the first), seed {SEED}, cut into the watcher's {WINDOW}-minute "
             f"windows; a window alerts when (high - low) / high >= {PERCENT:g} %. "
             "Without `--volatility`.", "",
             "| model | alerts | ticker-days | ticker-days without an alert | median a day "
             "| most in a day | share in the busiest 10 % of ticker-days |",
             "|---|---|---|---|---|---|---|"]
    for kind, month in [("realistic", m) for m in range(MONTHS)] + [("gbm", 0)]:
        log(f"alert rate: month {month + 1} of {kind}")
        s = summary(kind, month)
        lines.append(f"| {kind}, month {month + 1} | {s['alerts']:,} | {s['ticker_days']:,} | "
                     f"{s['quiet_share']:.0%} | {s['median']:g} | {s['max']} | "
                     f"{s['top_decile_share']:.0%} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(lambda message: print(message, file=sys.stderr)))
