"""Instruments, trading hours, scenarios and news: properties of the walk, no AWS."""
import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.walk import instruments, scenarios
from chalicelib.walk.calendars import CalendarExhausted, calendar, is_open, open_spans
from chalicelib.walk.market import Model
from chalicelib.walk.ticks import Ticker, parse_minute, walk

# exchange-calendars 4.13 calls pandas APIs that pandas 3.1 deprecates: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.*returning an ndarray:Warning")
SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
NEW_YORK = ZoneInfo("America/New_York")
# 2011-01-01 .. 2030-12-01, in epoch minutes: inside the XNYS table.
minutes_in_table = st.integers(min_value=parse_minute("2011-01-01T00:00:00Z"),
                               max_value=parse_minute("2030-12-01T00:00:00Z"))
seeds = st.integers(min_value=0, max_value=2**63 - 1)
kinds = st.sampled_from(instruments.KINDS)
fx_names = st.sampled_from(["EURUSD", "USDJPY", "GBPUSD", "EURJPY", "USDCHF"])


def records(lines):
    return [json.loads(line) for line in lines]


def ticks_of(lines):
    return [r for r in records(lines) if "type" not in r]


def spec_of(name):
    return json.loads((SCENARIO_DIR / f"{name}.json").read_text())


def at(name, start_minute, tickers=None):
    return scenarios.applied(name, start_minute * 60, tickers, spec_of(name))


def decimals_of(number):
    return max(0, -Decimal(repr(number)).as_tuple().exponent)


@given(kinds, st.floats(min_value=1e-6, max_value=1e6), st.floats(min_value=0, max_value=3),
       seeds, st.integers(min_value=1, max_value=30))
@settings(max_examples=80, deadline=None)
def test_tradable_ticks_quote_bid_below_price_below_ask_and_whole_volume(
        kind, price, volatility, seed, minutes):
    start = parse_minute("2026-12-02T15:00:00Z")         # a Wednesday: every market is open
    ticker = Ticker("EURUSD" if kind == "fx" else "X", price, 0, None, 0.0, volatility, kind)
    for tick in ticks_of(walk(ticker, range(start, start + minutes), 4,
                              Model("gbm", seed, 15))[0]):
        if kind == "index":
            assert set(tick) == {"ticker", "timestamp", "price", "seq"}   # as index feeds
            continue
        assert tick["bid"] < tick["price"] < tick["ask"] and tick["bid"] > 0
        assert isinstance(tick["volume"], int) and tick["volume"] >= 0


def test_stock_volume_is_higher_near_the_open_and_the_close():
    day = parse_minute("2026-12-02T14:30:00Z")            # 9:30 in New York
    ticker = Ticker("AAPL", 190.0, 0, None, 0.0, 0.25, "stock")
    ticks = ticks_of(walk(ticker, range(day, day + 390), 4, Model("gbm", 7, 15))[0])
    assert len(ticks) == 390 * 4
    hour = 60 * 4
    first, middle, last = (sum(t["volume"] for t in part) for part in (
        ticks[:hour // 2], ticks[len(ticks) // 2 - hour // 4:len(ticks) // 2 + hour // 4],
        ticks[-hour // 2:]))
    assert first > 2 * middle and last > 2 * middle


@given(fx_names, st.floats(min_value=0.5, max_value=3), seeds)
@settings(max_examples=50, deadline=None)
def test_fx_pairs_are_priced_to_5_decimals_or_3_for_yen(name, rate, seed):
    """Yen pairs trade near 100 times the others' rates: 3 decimals then, 5 otherwise."""
    start = parse_minute("2026-12-02T15:00:00Z")
    price = round(rate * 100, 3) if "JPY" in name else round(rate, 5)
    ticker = Ticker(name, price, 0, None, 0.0, 0.1, "fx")
    places = 3 if "JPY" in name else 5
    for tick in ticks_of(walk(ticker, range(start, start + 5), 4, Model("gbm", seed, 15))[0]):
        assert max(decimals_of(tick[f]) for f in ("price", "bid", "ask")) <= places


@given(minutes_in_table, st.integers(min_value=1, max_value=4 * 1440), seeds)
@settings(max_examples=60, deadline=None)
def test_no_stock_tick_falls_outside_an_exchange_session(first, length, seed):
    import exchange_calendars

    xnys = exchange_calendars.get_calendar("XNYS", start="2011-01-01", end="2030-12-31")
    ticker = Ticker("IBM", 150.0, 0, None, 0.0, 0.3, "stock")
    lines, moved = walk(ticker, range(first, first + length), 1, Model("gbm", seed, 60))
    for tick in ticks_of(lines):
        moment = datetime.strptime(tick["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        assert xnys.is_open_on_minute(moment.replace(tzinfo=UTC).isoformat())
    assert [t["seq"] for t in ticks_of(lines)] == list(range(1, moved.seq + 1))


@given(st.integers(min_value=parse_minute("2026-01-01T00:00:00Z"),
                   max_value=parse_minute("2030-01-01T00:00:00Z")))
@settings(max_examples=200)
def test_fx_trades_from_sunday_five_pm_to_friday_five_pm_new_york(minute):
    local = datetime.fromtimestamp(minute * 60, NEW_YORK)
    hour = local.hour * 60 + local.minute
    weekday = local.weekday()                  # Monday 0 .. Sunday 6
    expected = (weekday in (0, 1, 2, 3) or (weekday == 4 and hour < 17 * 60)
                or (weekday == 6 and hour >= 17 * 60))
    assert is_open("24x5", minute) == expected


def test_the_session_table_matches_exchange_calendars_day_by_day():
    import exchange_calendars

    schedule = exchange_calendars.get_calendar(
        "XNYS", start="2010-01-01", end="2030-12-31").schedule
    expected = {(int(row["open"].timestamp()) // 60, int(row["close"].timestamp()) // 60)
                for _, row in schedule.iterrows()}
    first, stop = parse_minute("2010-01-01T00:00:00Z"), parse_minute("2030-12-31T23:59:00Z")
    assert set(calendar("XNYS").sessions(first, stop)) == expected


def test_a_calendar_that_runs_out_says_so_and_how_to_extend_it():
    beyond = parse_minute("2031-01-02T15:00:00Z")
    with pytest.raises(CalendarExhausted, match=r"covers 2010-01-01 to 2030-12-31, not "
                                                r"2031-01-02: extend it with `python -m "
                                                r"tickersim.data.sessions"):
        open_spans("XNYS", beyond, beyond + 10)


def test_a_stock_gaps_at_the_open_by_more_than_it_moves_within_the_session():
    close = parse_minute("2026-12-01T20:59:00Z")
    opening = parse_minute("2026-12-02T14:30:00Z")
    overnight, inside = [], []
    for seed in range(60):
        model = Model("gbm", seed, 15)
        _, evening = walk(Ticker("IBM", 100.0, 0, None, 0.0, 0.3, "stock"),
                          range(close, close + 1), 4, model)
        ticks = ticks_of(walk(evening, range(opening, opening + 1), 4, model)[0])
        overnight.append(abs(math.log(ticks[0]["price"] / evening.price)))
        inside.append(abs(math.log(ticks[2]["price"] / ticks[1]["price"])))
    assert sum(overnight) > 10 * sum(inside)


# --- scenarios ------------------------------------------------------------------------

START = parse_minute("2026-12-02T15:00:00Z")
index_tickers = st.builds(Ticker, name=st.sampled_from(["Index_1", "Index_2", "X"]),
                          price=st.floats(min_value=1, max_value=1e5),
                          seq=st.integers(min_value=0, max_value=10**6), last_tick=st.none(),
                          drift=st.floats(min_value=-0.5, max_value=0.5),
                          volatility=st.floats(min_value=0, max_value=0.5))


@given(index_tickers, seeds, st.sampled_from(["halt", "luld"]),
       st.integers(min_value=0, max_value=20), st.sampled_from([1, 2, 4, 12]))
@settings(max_examples=60, deadline=None)
def test_a_halt_leaves_no_ticks_in_its_window_and_seq_has_no_gaps(
        ticker, seed, name, offset, per_minute):
    halt = at(name, START + offset)
    lines, moved = walk(ticker, range(START, START + 40), per_minute,
                        Model("gbm", seed, 60 // per_minute), (halt,))
    ticks = ticks_of(lines)
    stamps = [parse_minute(t["timestamp"]) * 60 + int(t["timestamp"][17:19]) for t in ticks]
    assert not any(halt.start <= s < halt.end for s in stamps)
    assert len(ticks) == (40 - halt.minutes) * per_minute
    assert [t["seq"] for t in ticks] == list(range(ticker.seq + 1, moved.seq + 1))


@given(index_tickers, seeds)
@settings(max_examples=60, deadline=None)
def test_the_crash_takes_ten_percent_off_over_thirty_minutes(ticker, seed):
    crash = at("crash", START)
    lines, moved = walk(ticker, range(START - 1, START + 30), 4, Model("gbm", seed, 15),
                        (crash,))
    ticks = ticks_of(lines)
    before, after = ticks[3]["price"], ticks[-1]["price"]
    # -10 %, give or take the walk's own noise: volatility 0.5 (x2 in the crash) over
    # 30 minutes is about 0.8 % a standard deviation; allow 5 of them.
    assert 0.86 < after / before < 0.94


@given(index_tickers, seeds, st.sampled_from(sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))),
       st.integers(min_value=-10, max_value=10), st.data())
@settings(max_examples=60, deadline=None)
def test_same_seed_and_scenario_give_the_same_bytes_in_one_run_or_several(
        ticker, seed, name, offset, data):
    applied = (at(name, START + offset),)
    model = Model("gbm", seed, 15)
    whole = walk(ticker, range(START - 15, START + 30), 4, model, applied)
    assert whole == walk(ticker, range(START - 15, START + 30), 4, model, applied)
    cut = data.draw(st.integers(min_value=START - 14, max_value=START + 29))
    first, middle = walk(ticker, range(START - 15, cut), 4, model, applied)
    second, end = walk(middle, range(cut, START + 30), 4, model, applied)
    assert first + second == whole[0] and end == whole[1]


def test_a_scenario_starts_with_a_news_record_for_each_ticker_it_touches():
    applied = (at("crash", START, ["A"]),)
    model = Model("gbm", 1, 15)
    a_lines, _ = walk(Ticker("A", 100.0, 0, None, 0.0, 0.2), range(START, START + 5), 4,
                      model, applied)
    b_lines, _ = walk(Ticker("B", 100.0, 0, None, 0.0, 0.2), range(START, START + 5), 4,
                      model, applied)
    news = [r for r in records(a_lines) if r.get("type") == "news"]
    assert news == [{"type": "news", "ticker": "A", "timestamp": "2026-12-02T15:00:00Z",
                     "headline": "A plunges as a wave of selling hits the market",
                     "sentiment": -0.9}]
    assert not [r for r in records(b_lines) if "type" in r]


def test_a_gap_waits_for_the_open_and_makes_the_news():
    friday_close = parse_minute("2026-12-04T20:59:00Z")
    monday_open = parse_minute("2026-12-07T14:30:00Z")
    model = Model("gbm", 2, 15)
    _, evening = walk(Ticker("IBM", 100.0, 0, None, 0.0, 0.0, "stock"),
                      range(friday_close, friday_close + 1), 4, model)
    gap = (at("gap", parse_minute("2026-12-05T12:00:00Z")),)
    lines, _ = walk(evening, range(friday_close + 1, monday_open + 2), 4, model, gap)
    ticks = ticks_of(lines)
    assert ticks[0]["timestamp"] == "2026-12-07T14:30:00Z"
    assert ticks[0]["price"] / evening.price == pytest.approx(0.95, abs=1e-4)
    kinds_of_news = [r["headline"] for r in records(lines) if r.get("type") == "news"]
    assert kinds_of_news[0] == "IBM gaps lower at the open after overnight news"


@pytest.mark.parametrize("change, field", [
    ({"effect": "melt"}, "'effect'"),
    ({"minutes": 0}, "'minutes'"),
    ({"minutes": 2.5}, "'minutes'"),
    ({"move": -1.5}, "'move'"),
    ({"move": "a lot"}, "'move'"),
    ({"sentiment": 2}, "'sentiment'"),
    ({"headline": ""}, "'headline'"),
    ({"volatility": -1}, "'volatility'"),
    ({"colour": "red"}, "'colour'"),
])
def test_a_bad_scenario_is_refused_naming_the_field(change, field):
    spec = {**spec_of("crash"), **change}
    with pytest.raises(scenarios.ScenarioInvalid, match=field):
        scenarios.check(spec, "scenario file crash.json")


def test_every_shipped_scenario_has_the_documented_shape():
    for path in SCENARIO_DIR.glob("*.json"):
        scenarios.check(json.loads(path.read_text()), path.name)
    assert {"crash", "spike", "halt", "luld", "gap", "recovery"} <= {
        p.stem for p in SCENARIO_DIR.glob("*.json")}
