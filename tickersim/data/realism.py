"""`tickersim realism`: how much tickersim's history moves like a market, side by side with the
S&P 500 and the NASDAQ Composite of 1999-2018 (the daily data sets bundled in `arch`).

Daily closes of the chosen tickers come from the same path a `backfill --resolution 1d` writes
(XNYS sessions, ending where the real data end); the facts are those of issue 23's goals,
each the median over the tickers; a GJR-GARCH(1,1) with Student-t shocks fitted with `arch`
gives persistence and asymmetry for both. Prints a table, writes DIR/realism.md and
DIR/realism.png (four panels). numpy, arch and matplotlib: dev dependencies, never in Lambda.
"""
import json
import math
import statistics
import sys
from datetime import date
from pathlib import Path

from tickersim.data import history as histories
from tickersim.data import stylized
from tickersim.data.backfill import BackfillError, ready_tickers

REAL_LAST = date(2018, 12, 31)
DEFAULT_SEED = 42          # not among the seeds the model was tuned on (1-8)
DEFAULT_SET = "Index_1,Index_2,Index_3,Index_4,Index_5"
CALENDAR = "XNYS"
INTRADAY_SET = "FB,SHOP,BYND,NFLX,PINS,SQ,TTD,OKTA,SNAP,DDOG"
INTRADAY_SESSIONS = 20


def add_arguments(parser):
    parser.add_argument("--years", type=int, default=20, metavar="N",
                        help="years of daily closes, ending 2018-12-31 like the real data "
                             "(1 to 20, default 20)")
    parser.add_argument("--tickers", default=DEFAULT_SET, metavar="A,B",
                        help="tickers from the ready sets in seed/ (default the five indices)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="K",
                        help=f"market seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", default="realism", metavar="DIR",
                        help="folder for realism.md and realism.png (default ./realism)")


def simulated(tickers, seed, first):
    """{name: daily log-returns} from the history path, XNYS sessions first..REAL_LAST."""
    span = histories.Span(first=first, last=REAL_LAST, resolution="1d", seed=seed,
                          calendar=CALENDAR)
    history = histories.calendar_history(CALENDAR, max(span.last, histories.ANCHOR_DAY))
    out = {}
    for ticker in tickers:
        path = histories.daily(seed, histories.model_params(ticker), ticker.name,
                               ticker.price, history)
        out[ticker.name] = [path[i].close - path[i].previous for i in history.chosen(span)]
    return out


def real(first):
    """{name: daily log-returns of adjusted closes} of the bundled indices from `first`."""
    from arch.data import nasdaq, sp500
    out = {}
    for name, module in (("S&P 500", sp500), ("NASDAQ", nasdaq)):
        closes = module.load()["Adj Close"]
        closes = closes[closes.index.date >= first]
        out[name] = stylized.log_returns(closes.to_numpy()).tolist()
    return out


def garch(returns):
    """(persistence, asymmetry) of a GJR-GARCH(1,1) with Student-t shocks."""
    import numpy
    from arch import arch_model
    fit = arch_model(100 * numpy.asarray(returns), p=1, o=1, q=1, dist="t").fit(disp="off")
    a, g, b = (fit.params[k] for k in ("alpha[1]", "gamma[1]", "beta[1]"))
    return float(a + b + g / 2), float(g)


def intraday(seed):
    """(U ratio, corr(volume, |r|)) of the ready stocks at 1min over some recent sessions:
    mean |1-min return| in the first and last 30 minutes over that of 12:00-14:00 New York."""
    from datetime import timedelta

    import numpy
    tickers = ready_tickers(INTRADAY_SET)
    span = histories.Span(first=REAL_LAST - timedelta(days=INTRADAY_SESSIONS * 7 // 5),
                          last=REAL_LAST, resolution="1min", seed=seed, calendar=CALENDAR)
    edges, middle, volumes, moves = [], [], [], []
    last = {}
    for _, body in histories.objects(tickers, span):
        for line in body.decode("ascii").splitlines():
            tick = json.loads(line)
            before = last.get(tick["ticker"])
            last[tick["ticker"]] = tick
            if before is None or before["timestamp"][:10] != tick["timestamp"][:10]:
                continue
            move = abs(math.log(tick["price"] / before["price"]))
            hhmm = int(tick["timestamp"][11:13]) * 60 + int(tick["timestamp"][14:16])
            local = hhmm - _new_york_offset(tick["timestamp"][:10])
            if local <= 10 * 60 or local > 15 * 60 + 30:
                edges.append(move)
            elif 12 * 60 < local <= 14 * 60:
                middle.append(move)
            volumes.append(tick["volume"])
            moves.append(move)
    return (float(numpy.mean(edges) / numpy.mean(middle)),
            float(numpy.corrcoef(volumes, moves)[0, 1]))


def _new_york_offset(day):
    from chalicelib.walk.calendars import new_york_offset
    return new_york_offset((date.fromisoformat(day) - date(1970, 1, 1)).days)


def table(sim, actual, intraday_facts, volatility):
    """The report's rows: (fact, tickersim median, S&P 500, NASDAQ); `volatility`: each
    simulated ticker's Volatility."""
    sim_facts = [stylized.facts(r) for r in sim.values()]
    real_facts = {name: stylized.facts(r) for name, r in actual.items()}
    rows = []
    for key in sim_facts[0]:
        rows.append((key, statistics.median(f[key] for f in sim_facts),
                     *(real_facts[n][key] for n in actual)))
    rows.append(("realized volatility / Volatility",
                 statistics.median(f["annual volatility"] / volatility[name]
                                   for f, name in zip(sim_facts, sim)),
                 float("nan"), float("nan")))
    length = min(len(r) for r in actual.values())
    rows.append(("mean correlation between the series",
                 stylized.mean_correlation([r[-length:] for r in sim.values()])
                 if len(sim) > 1 else float("nan"),
                 stylized.mean_correlation([r[-length:] for r in actual.values()]),
                 float("nan")))
    fits = [garch(r) for r in sim.values()]
    real_fits = [garch(r) for r in actual.values()]
    for k, label in enumerate(("GJR-GARCH persistence", "GJR-GARCH asymmetry (gamma)")):
        rows.append((label, statistics.median(f[k] for f in fits),
                     *(f[k] for f in real_fits)))
    ratio, corr = intraday_facts
    rows.append(("XNYS stocks 1min: |r| open+close / midday", ratio, float("nan"),
                 float("nan")))
    rows.append(("XNYS stocks 1min: corr(volume, |r|)", corr, float("nan"), float("nan")))
    return rows


def markdown(rows, names, seed, years):
    head = f"| fact | tickersim (median of {', '.join(names)}; seed {seed}) | S&P 500 | NASDAQ |"
    lines = [f"{years} years of daily closes to 2018-12-31.", "", head, "|---|---|---|---|"]
    for fact, *values in rows:
        shown = ["" if v != v else f"{v:,.3f}" if abs(v) < 1000 else f"{v:,.0f}"
                 for v in values]
        lines.append(f"| {fact.replace('|', chr(92) + '|')} | " + " | ".join(shown) + " |")
    return "\n".join(lines) + "\n"


def main(args):
    try:
        if not 1 <= args.years <= 20:
            raise BackfillError(f"--years {args.years}: the real data cover 1999-2018; "
                                "give 1 to 20")
        if not 0 <= args.seed < 2**63:
            raise BackfillError(f"--seed must be a whole number from 0 to {2**63 - 1}")
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise BackfillError(f"--out {args.out} is a file, not a folder")
        tickers = ready_tickers(args.tickers)
        first = date(REAL_LAST.year - args.years + 1, 1, 1)
        sim = simulated(tickers, args.seed, first)
    except BackfillError as exc:
        print(f"realism: {exc}", file=sys.stderr)
        return 2
    actual = real(first)
    rows = table(sim, actual, intraday(args.seed), {t.name: t.volatility for t in tickers})
    text = markdown(rows, list(sim), args.seed, args.years)
    out.mkdir(parents=True, exist_ok=True)
    (out / "realism.md").write_text(text, encoding="utf-8")
    from tickersim.data.realism_plot import plot
    plot(sim, actual, out / "realism.png")
    print(text)
    print(f"wrote {out / 'realism.md'} and {out / 'realism.png'}")
    return 0
