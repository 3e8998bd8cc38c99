"""The move-alert rule: one alert per ticker per window, whatever the objects' order and
duplication; none below the threshold; subjects and bodies fit SNS."""
import json
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.alerts.alerts import MESSAGE_LIMIT
from chalicelib.walk.ticks import iso
from chalicelib.watch import moves
from chalicelib.watch.watch import objects
from tests.support import event
from tests.unit.test_alerts import valid_sns_subject

START = 1_764_600_000 // 300 * 300     # a window boundary for 5-minute windows


def line(name, seq, epoch, price):
    return json.dumps({"ticker": name, "timestamp": iso(epoch), "price": price, "seq": seq})


@st.composite
def histories(draw):
    """{ticker: [(seq, epoch, price)]}: ticks every 15 s over a few windows."""
    found = {}
    for name in draw(st.lists(st.sampled_from(["Index_1", "Index_2", "Ünï 3"]), min_size=1,
                              max_size=3, unique=True)):
        count = draw(st.integers(1, 60))
        prices = draw(st.lists(st.floats(95, 105, allow_nan=False), min_size=count,
                               max_size=count))
        found[name] = [(seq + 1, START + seq * 15, round(p, 4)) for seq, p in enumerate(prices)]
    return found


@st.composite
def deliveries(draw):
    """A history, cut into objects, some sent twice, in any order."""
    history = draw(histories())
    lines = [line(n, s, e, p) for n, ticks in history.items() for s, e, p in ticks]
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(lines) - 1)), max_size=8)))
    parts = [lines[a:b] for a, b in zip([0] + cuts, cuts + [len(lines)]) if lines[a:b]]
    again = draw(st.lists(st.sampled_from(parts), max_size=4))
    order = draw(st.permutations(parts + again))
    return history, [("\n".join(p) + "\n").encode() for p in order]


def watch(objects_data, percent, window_minutes):
    """The watcher's logic over objects in arrival order, with an in-memory state store."""
    store, alerts = {}, []
    for data in objects_data:
        for window, fresh in moves.ranges(moves.parse_ticks(data), window_minutes).items():
            store[window], alerted = moves.merge(store.get(window, {}), fresh, percent)
            alerts += [moves.Move(n, window, window_minutes, store[window][n]) for n in alerted]
    return alerts


def expected(history, percent, window_minutes):
    """Independently: the (ticker, window) whose ticks span at least percent of the high."""
    found = set()
    for name, ticks in history.items():
        windows = {}
        for _, epoch, price in ticks:
            windows.setdefault(epoch // 60 // window_minutes, []).append(price)
        found |= {(name, w) for w, prices in windows.items()
                  if (max(prices) - min(prices)) / max(prices) * 100 >= percent}
    return found


@given(deliveries(), st.sampled_from([0.5, 1.0, 2.0, 4.0]), st.sampled_from([1, 5, 15]))
@settings(max_examples=300, deadline=None)
def test_exactly_one_alert_per_moved_window_in_any_order_and_duplication(delivery, percent,
                                                                        window_minutes):
    history, data = delivery
    alerts = watch(data, percent, window_minutes)
    counts = Counter((m.ticker, m.window) for m in alerts)
    assert all(n == 1 for n in counts.values()), counts
    assert set(counts) == expected(history, percent, window_minutes)


@given(deliveries(), st.sampled_from([0.5, 1.0, 2.0]))
@settings(max_examples=200, deadline=None)
def test_every_alert_states_a_move_of_at_least_the_threshold(delivery, percent):
    for move in watch(delivery[1], percent, 5):
        first, last = move.first_last()
        assert first.seq < last.seq
        assert abs(move.range.change_percent()) >= percent
        assert (move.range.change_percent() > 0) == (last.price > first.price)


@given(histories())
@settings(max_examples=100, deadline=None)
def test_no_alert_when_every_window_stays_below_the_threshold(history):
    # Prices within 95..105 never span 11 % of the high.
    data = [("\n".join(line(n, s, e, p) for n, t in history.items() for s, e, p in t)
             + "\n").encode()]
    assert watch(data, 11.0, 60) == []


@given(st.lists(st.tuples(st.text(max_size=80), st.floats(-60, 60, allow_nan=False)),
                min_size=1, max_size=40), st.integers(1, 1440))
@settings(max_examples=300)
def test_the_subject_always_fits_sns_and_names_the_largest_move(entries, window_minutes):
    found = []
    for n, (name, change) in enumerate(entries):
        low, high = moves.Tick(START, 1, 100.0), moves.Tick(START + 15, 2, 100.0 * (1 + abs(change) / 100) + 1)
        rng = moves.Range(low, high) if change >= 0 else moves.Range(
            moves.Tick(START + 15, 2, low.price), moves.Tick(START, 1, high.price))
        found.append(moves.Move(name or "x", n, window_minutes, rng))
    text = moves.subject(found)
    assert valid_sns_subject(text)
    assert text.startswith("Move: " if len({m.ticker for m in found}) == 1 else "Moves: ")
    assert text.endswith(f" in {window_minutes} min")
    largest = max(found, key=lambda m: abs(m.range.change_percent()))
    assert f"{largest.range.change_percent():+.2f} %" in text


def test_the_body_fits_one_sns_message_however_many_moves():
    rng = moves.Range(moves.Tick(START, 1, 100.0), moves.Tick(START + 15, 2, 102.0))
    many = [moves.Move(f"Ticker_{n:05d}", w, 5, rng) for n in range(1000) for w in range(3)]
    text = moves.body(many, 1.0, moves.object_links([("bkt", "ticks/k")], "eu-west-1"))
    assert len(text.encode("utf-8")) <= MESSAGE_LIMIT
    assert text.startswith("3000 price move(s)") and "cut to fit" in text


def test_subject_and_body_read_as_the_issue_shows():
    rng = moves.Range(moves.Tick(START + 200, 14, 78.8636), moves.Tick(START + 15, 2, 80.0))
    move = moves.Move("Index_3", START // 300, 5, rng)
    assert moves.subject([move]) == "Move: Index_3 -1.42 % in 5 min"
    text = moves.body([move], 1.0, moves.object_links([("bkt", "ticks/2026/12/01/14/obj 1")],
                                                     "eu-west-1"))
    assert "80.0000 at " + iso(START + 15) in text and "78.8636 at " + iso(START + 200) in text
    assert "s3://bkt/ticks/2026/12/01/14/obj 1" in text
    assert "prefix=ticks%2F2026%2F12%2F01%2F14%2F" in text


def test_a_duplicate_object_leaves_the_state_as_it_was():
    data = ("\n".join(line("A", s, START + s * 15, 100 + s) for s in range(1, 5)) + "\n").encode()
    fresh = moves.ranges(moves.parse_ticks(data), 5)
    window = next(iter(fresh))
    stored, alerted = moves.merge({}, fresh[window], 1.0)
    assert alerted == ["A"]
    assert moves.merge(stored, fresh[window], 1.0) == (stored, [])


def test_the_state_item_round_trips_and_names_its_window():
    rng = moves.Range(moves.Tick(START, 1, 99.5), moves.Tick(START + 30, 3, 101.25), True)
    item = moves.state_item(moves.state_key(7, 5), 7, 5, {"Index_1": rng}, 3)
    assert item["TickerName"]["S"] == "#moves|" + iso(7 * 300)
    rng = moves.Range(moves.Tick(7 * 300 + 15, 1, 99.5), moves.Tick(7 * 300 + 30, 3, 101.25),
                      True)
    item = moves.state_item(moves.state_key(7, 5), 7, 5, {"Index_1": rng}, 3)
    assert moves.parse_state(item, 7, 5) == (3, {"Index_1": rng})
    item["Tickers"]["M"]["Index_2"] = {"S": "garbage"}
    assert moves.parse_state(item, 7, 5) == (3, {"Index_1": rng})
    assert moves.windows_kept(60, 5) == 13 and moves.windows_kept(7, 5) == 3


def test_lines_that_are_not_ticks_are_skipped():
    data = b"\n".join([
        line("A", 1, START, 100.0).encode(),
        b'{"type": "news", "ticker": "A", "seq": 2, "price": 1, "timestamp": "x"}',
        b"not json", b'{"ticker": "A", "seq": "3", "price": 1.0}',
        json.dumps({"ticker": "B", "seq": 1, "price": -1.0, "timestamp": iso(START)}).encode(),
        json.dumps({"ticker": "C", "seq": 1, "price": 5.0, "timestamp": iso(START),
                    "type": "tick"}).encode()])
    assert set(moves.parse_ticks(data)) == {("A", 1), ("C", 1)}


def test_the_s3_event_names_its_objects_decoded():
    shape = event("s3-object-created")
    shape["Records"][0]["s3"]["object"]["key"] = "ticks/dt%3D2026-11-26/hour%3D09/a+b"
    extra = json.loads(json.dumps(shape["Records"][0]))
    extra["s3"]["object"]["key"] = "errors/x"
    shape["Records"].append(extra)
    assert objects(shape) == [("dekylemaposa-deliverystream-s3", "ticks/dt=2026-11-26/hour=09/a b")]
    assert objects({"Event": "s3:TestEvent"}) == [] and objects(None) == []
