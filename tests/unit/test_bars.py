"""The one aggregation behind /v1/intraday and /v1/eod: properties over random ticks, each
checked against a direct computation from the ticks themselves."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.api import bars
from chalicelib.api.bars import INTERVALS, Tick, eod_bars, interval_bars, minute_bars, session_day
from chalicelib.walk.calendars import DAY, new_york

START = 1_589_463_000  # 2020-05-14T13:30:00Z, the open of a New York session
SYMBOLS = ("FB", "SNAP", "Index_1")


@st.composite
def tick_sets(draw, span_s=3 * 86400):
    """Ticks of a few symbols: seq rising with time per symbol, some prices without volume."""
    ticks = []
    for symbol in draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=3, unique=True)):
        times = sorted(draw(st.lists(st.integers(0, span_s), min_size=1, max_size=40)))
        for seq, offset in enumerate(times, start=1):
            price = draw(st.floats(0.01, 1e6, allow_nan=False, allow_infinity=False))
            volume = None if symbol.startswith("Index") else draw(st.integers(0, 10**7))
            ticks.append(
                Tick(symbol, START + offset + draw(st.sampled_from((0, 0.25))), seq, price, volume)
            )
    return ticks


def _last(ticks):
    return max(ticks, key=lambda t: (t.epoch, t.seq))


def _volume(ticks):
    volumes = [t.volume for t in ticks if t.volume is not None]
    return sum(volumes) if volumes else None


def _groups(ticks, minutes):
    found = {}
    for tick in ticks:
        minute = int(tick.epoch // 60)
        found.setdefault((tick.symbol, minute - minute % minutes), []).append(tick)
    return found


@given(tick_sets(), st.sampled_from(sorted(INTERVALS.values())))
@settings(max_examples=150, deadline=None)
def test_a_bar_is_first_open_extremes_last_close_and_summed_volume_of_its_ticks(ticks, n):
    got = {(b.symbol, b.start): b for b in interval_bars(minute_bars(ticks), n)}
    expected = _groups(ticks, n)
    assert set(got) == set(expected)
    for key, group in expected.items():
        bar = got[key]
        assert bar.open == min(group, key=lambda t: (t.epoch, t.seq)).price
        assert bar.close == _last(group).price
        assert bar.high == max(t.price for t in group)
        assert bar.low == min(t.price for t in group)
        assert bar.volume == _volume(group)


@given(tick_sets(), st.randoms(use_true_random=False))
@settings(max_examples=80, deadline=None)
def test_order_and_resent_ticks_change_nothing(ticks, rnd):
    again = ticks + rnd.sample(ticks, k=len(ticks) // 2)  # Firehose re-deliveries
    rnd.shuffle(again)
    assert minute_bars(again) == minute_bars(ticks)


def test_backfilled_sessions_that_each_start_at_seq_1_all_count():
    day_one = [Tick("FB", START + 15 * i, i + 1, 10.0 + i, 5) for i in range(8)]
    day_two = [Tick("FB", t.epoch + 86400, t.seq, t.price * 2, 7) for t in day_one]
    got = eod_bars(minute_bars(day_one + day_two), lambda symbol: "XNYS")
    assert [(b.close, b.volume) for b in got] == [
        (day[-1].price, sum(t.volume for t in day)) for day in (day_one, day_two)
    ]


@given(tick_sets(span_s=86400 * 5), st.sampled_from(["24x7", "24x5", "XNYS"]))
@settings(max_examples=100, deadline=None)
def test_eod_close_is_the_sessions_last_intraday_close_and_volume_its_sum(ticks, name):
    ones = minute_bars(ticks)
    days = eod_bars(ones, lambda symbol: name)
    for day in days:
        inside = [
            b
            for b in ones
            if b.symbol == day.symbol and session_day(name, b.start) * DAY == day.start
        ]
        assert inside, "every eod bar comes from the session's bars"
        assert day.close == max(inside, key=lambda b: b.start).close
        assert day.open == min(inside, key=lambda b: b.start).open
        assert day.high == max(b.high for b in inside)
        assert day.low == min(b.low for b in inside)
        assert day.volume == _volume(
            [
                t
                for t in ticks
                if t.symbol == day.symbol
                and session_day(name, int(t.epoch // 60)) * DAY == day.start
            ]
        )
    # Every 1min bar lands in exactly one session.
    assert sum(
        len(
            [
                b
                for b in ones
                if b.symbol == d.symbol and session_day(name, b.start) * DAY == d.start
            ]
        )
        for d in days
    ) == len(ones)


@given(st.integers(0, 20_000))
def test_an_fx_day_turns_at_five_in_new_york_and_is_named_for_the_day_it_ends(day):
    turn = new_york(day, 17 * 60)
    assert session_day("24x5", turn - 1) == day
    assert session_day("24x5", turn) == day + 1


@given(st.integers(0, 20_000 * DAY), st.sampled_from(["24x7", "XNYS"]))
def test_stock_and_24x7_sessions_are_utc_days(minute, name):
    assert session_day(name, minute) == minute // DAY


def test_the_calendar_fold_is_the_intraday_fold():
    """eod uses fold() itself, so one change to the fold changes both (no second formula)."""
    ticks = [
        Tick("FB", START + i * 15, i + 1, 100.0 + random.Random(i).random(), 10) for i in range(400)
    ]
    ones = minute_bars(ticks)
    whole_day = bars.fold(ones, lambda b: b.start - b.start % DAY)
    assert eod_bars(ones, lambda s: "XNYS") == whole_day
