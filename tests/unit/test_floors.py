"""The catch-up floors: a repeat re-sends the same ticks, and nobody holds the cap for others."""
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.walk import floors
from chalicelib.walk.items import parse_run_state
from chalicelib.walk.ticks import due_minutes, iso

NOW = 29_000_000          # a minute in 2025
CAP = 60


def starts(lasts, now, last_run, steps, cap=CAP):
    found, recorded = floors.plan(lasts, now, cap, last_run, steps)
    return [due_minutes(last * 60 + 45, now, f).start for last, f in zip(lasts, found)], recorded


def test_a_ticker_stuck_behind_keeps_its_floor_and_the_others_keep_the_cap():
    # Run at NOW: A is 3 hours behind (capped), B in step. A's commit then keeps failing.
    lasts = {"A": NOW - 180, "B": NOW - 1}
    first, steps = starts(list(lasts.values()), NOW, NOW - 1, ())
    assert first == [NOW - CAP + 1, NOW]
    # Two hours on, B was committed every run, then no run was claimed for 90 minutes.
    later = NOW + 120
    second, _ = starts([NOW - 180, later - 90], later, later - 90, steps)
    assert second[0] == NOW - CAP + 1          # A re-sends from where its first walk started
    assert second[1] == later - CAP + 1        # B is capped as if A did not exist


@settings(max_examples=300, deadline=None)   # pure; timing depends on the load
@given(st.lists(st.integers(min_value=NOW - 500, max_value=NOW - 1), min_size=1, max_size=8),
       st.integers(min_value=1, max_value=120), st.integers(min_value=0, max_value=400),
       st.integers(min_value=0, max_value=400), st.data())
def test_any_ticker_left_behind_walks_from_the_same_minute_in_every_later_run(
        lasts, cap, gap1, gap2, data):
    """Three claimed runs; after each, any subset of the walked tickers fails to commit.
    A ticker that did not commit starts its next walk at the same minute (identical ticks);
    a ticker that was in step with the last claimed run is capped at `cap` minutes."""
    last_run, steps = max(lasts), ()
    started = {}                     # ticker -> the minute its uncommitted walk started
    now = last_run
    for gap in (gap1, gap2, 0):
        now += gap + 1
        found, new_steps = floors.plan(lasts, now, cap, last_run, steps)
        for n, (last, floor) in enumerate(zip(lasts, found)):
            start = max(last + 1, floor)
            if n in started:
                assert start == started[n]
            if last >= last_run:
                assert now - start + 1 <= cap
        commits = data.draw(st.lists(st.booleans(), min_size=len(lasts), max_size=len(lasts)))
        for n, committed in enumerate(commits):
            if committed:
                lasts[n] = now
                started.pop(n, None)
            else:
                started.setdefault(n, max(lasts[n] + 1, found[n]))
        last_run, steps = now, new_steps


def test_steps_round_trip_through_the_run_item_and_old_items_still_read():
    steps = ((0, NOW - 59), (NOW - 10, floors.UNCAPPED), (NOW, NOW - 3))
    text = floors.encode(steps, lambda m: iso(m * 60))
    assert text.startswith("1970-01-01T00:00:00Z/") and "/-," in text
    read = parse_run_state({"Floors": {"S": text}, "Version": {"N": "3"}})
    assert read.floors == steps
    old = parse_run_state({"CatchupFrom": {"S": iso((NOW - 59) * 60)}})
    assert old.floors == ((0, NOW - 59),)


def test_a_ticker_behind_with_no_recorded_floor_is_re_walked_from_the_window_it_used():
    """Found by the property above: a ticker behind the last run but in no step was walked
    from the window, yet no step kept that window, so the next run started it elsewhere."""
    lasts = [NOW - 100, NOW - 1]            # the first is behind LastRun = NOW - 1, in no step
    first, steps = starts(lasts, NOW, NOW - 1, (), cap=10)
    assert first[0] == NOW - 9
    second, _ = starts(lasts, NOW + 1, NOW, steps, cap=10)   # neither was committed
    assert second[0] == NOW - 9
