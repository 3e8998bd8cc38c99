"""History is one path per ticker and seed: slices agree, resolutions agree, seqs never repeat."""
import json
from datetime import date, timedelta

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from chalicelib.walk.ticks import Ticker
from tickersim.data import history
from tickersim.data.history import Span

TICKERS = (Ticker(name="Index_1", price=100.0, seq=0, last_tick=None, drift=0.05,
                  volatility=0.2),
           Ticker(name="FB", price=231.91, seq=0, last_tick=None, drift=0.12,
                  volatility=0.38, kind="stock", calendar="XNYS"),
           Ticker(name="EURUSD", price=1.09, seq=0, last_tick=None, drift=0.0,
                  volatility=0.08, kind="fx"))
days = st.dates(min_value=date(1999, 1, 4), max_value=date(2026, 11, 23))
seeds = st.integers(min_value=0, max_value=2**63 - 1)
# Own calendars need no exchange data; each example is a whole backfill, too slow to shrink.
own = st.sampled_from(["24x7", "24x5"])
heavy = settings(max_examples=4, deadline=None,
                 phases=(Phase.explicit, Phase.reuse, Phase.generate))


def ticks(span, tickers=TICKERS):
    return [json.loads(line) for _, body in history.objects(list(tickers), span)
            for line in body.decode("ascii").splitlines()]


def day_ticks(day, seed, calendar):
    try:
        return ticks(Span(day, day, "1min", seed, calendar))
    except history.HistoryError:      # a weekend of the FX calendar
        return []


def by_key(records):
    return {(t["ticker"], t["seq"]): t for t in records}


@given(seeds, days, own)
@heavy
def test_a_sessions_last_minute_is_its_daily_close_and_seconds_land_on_minutes(
        seed, day, calendar):
    span = Span(first=day, last=day + timedelta(days=3), resolution="1d", seed=seed,
                calendar=calendar)
    daily = ticks(span)
    minutes = by_key(ticks(Span(span.first, span.last, "1min", seed, calendar)))
    hours = ticks(Span(span.first, span.last, "1h", seed, calendar))
    for tick in daily + hours:       # the same (ticker, seq) is the same price at any zoom
        same = minutes[(tick["ticker"], tick["seq"])]
        assert (same["timestamp"], same["price"], same.get("bid")) == \
            (tick["timestamp"], tick["price"], tick.get("bid"))
    one = date.fromisoformat(daily[0]["timestamp"][:10])
    for tick in ticks(Span(one, one, "1s", seed, calendar), TICKERS[:1]):
        if tick["seq"] % 60 == 0:
            assert minutes[(tick["ticker"], tick["seq"])]["price"] == tick["price"]


@given(seeds, days, st.integers(min_value=1, max_value=6), own)
@heavy
def test_a_range_is_the_union_of_its_days_and_seqs_never_repeat(seed, day, length,
                                                                 calendar):
    whole = ticks(Span(day, day + timedelta(days=length), "1min", seed, calendar))
    parts = [t for n in range(length + 1)
             for t in day_ticks(day + timedelta(days=n), seed, calendar)]
    assert sorted(map(json.dumps, whole)) == sorted(map(json.dumps, parts))
    assert len(by_key(whole)) == len(whole)
    for name in {t["ticker"] for t in whole}:
        seqs = [t["seq"] for t in sorted(whole, key=lambda t: t["timestamp"])
                if t["ticker"] == name]
        assert seqs == sorted(seqs) and all(b - a == 60 for a, b in zip(seqs, seqs[1:]))


def test_the_next_session_opens_from_the_previous_close_not_from_the_seed_price():
    span = Span(date(2020, 5, 13), date(2020, 5, 15), "1min", 4, "XNYS")
    records = [t for t in ticks(span) if t["ticker"] == "FB"]
    per_day = {}
    for t in records:
        per_day.setdefault(t["timestamp"][:10], []).append(t)
    closes = [series[-1]["price"] for series in per_day.values()]
    opens = [series[0]["price"] for series in per_day.values()]
    assert len(set(opens)) == 3 and len(set(closes)) == 3
    # The seed price is the close of the anchor day; the others follow one path through it.
    assert closes[1] == 231.91
    for before, series in zip(closes, list(per_day.values())[1:]):
        assert abs(series[0]["price"] / before - 1) < 0.1


@given(seeds)
@heavy
def test_the_same_backfill_gives_the_same_bytes_at_the_same_keys(seed):
    span = Span(date(2021, 3, 1), date(2021, 3, 2), "1h", seed, "24x7")
    assert list(history.objects(list(TICKERS), span)) == \
        list(history.objects(list(TICKERS), span))
