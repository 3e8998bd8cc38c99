"""A window's move state split over MOVE_STATE_SHARDS items: each ticker in one item, every
item under DynamoDB's 400 KB item limit."""

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.settings import watch_settings
from chalicelib.watch import moves
from tickersim.base import prices, synthetic

WINDOW, MINUTES = 5_882_000, 5
START = WINDOW * MINUTES * 60
ITEM_LIMIT = 400 * 1024          # DynamoDB's maximum item size

ticks = st.builds(moves.Tick, st.integers(START, START + MINUTES * 60 - 1),
                  st.integers(0, 2**53), st.floats(1e-6, 1e9, allow_nan=False))
ranges = st.builds(moves.Range, ticks, ticks, st.booleans())


def stored(state, shards):
    """The items the watcher writes for `state`, read back and merged."""
    merged = {}
    for shard, part in moves.split(state, shards).items():
        key = moves.state_key(WINDOW, MINUTES, shard, shards)
        assert all(moves.shard_of(name, shards) == shard for name in part)
        version, found = moves.parse_state(moves.state_item(key, WINDOW, MINUTES, part, 1),
                                           WINDOW, MINUTES)
        assert version == 1 and not set(found) & set(merged)
        merged.update(found)
    return merged


@given(st.dictionaries(st.text(min_size=1, max_size=30).filter(lambda s: not s.isspace()),
                       ranges, max_size=60), st.integers(1, 40))
def test_any_ticker_set_split_into_shards_round_trips(state, shards):
    assert stored(state, shards) == state


@given(st.integers(1, 40))
def test_one_shard_keeps_the_plain_window_key_and_shards_have_their_own(shards):
    keys = {moves.state_key(WINDOW, MINUTES, s, shards) for s in range(shards)}
    assert len(keys) == shards
    assert all(k.startswith(moves.STATE_PREFIX) for k in keys)
    assert (moves.state_key(WINDOW, MINUTES, 0, 1) == moves.state_key(WINDOW, MINUTES)
            == moves.STATE_PREFIX + moves.iso(START))


def test_every_item_stays_under_the_limit_at_100000_tickers():
    count = 100_000
    shards = moves.shards_for(count)
    # The widest entries ticks give: 11-character prices (as a tick line's size allows for),
    # 11-digit seqs, the window's last second.
    tick = moves.Tick(START + MINUTES * 60 - 1, 10**10, 12345.67891)
    state = {synthetic.name(synthetic.DEFAULT_PREFIX, n): moves.Range(tick, tick, True)
             for n in range(count)}
    sizes = [prices.item_bytes(moves.state_item(moves.state_key(WINDOW, MINUTES, s, shards),
                                                WINDOW, MINUTES, part, 10**9))
             for s, part in moves.split(state, shards).items()]
    assert len(sizes) == shards and max(sizes) < ITEM_LIMIT
    # One item for all of them is what failed.
    assert prices.item_bytes(moves.state_item("k", WINDOW, MINUTES, state, 1)) > ITEM_LIMIT


@given(st.integers(0, 10**7))
def test_shards_for_keeps_each_item_to_its_share_of_tickers(count):
    shards = moves.shards_for(count)
    assert shards >= 1 and count <= shards * moves.TICKERS_PER_STATE_ITEM
    assert shards == 1 or count > (shards - 1) * moves.TICKERS_PER_STATE_ITEM


def test_move_state_shards_is_checked_like_the_other_whole_numbers():
    env = {"TABLE_NAME": "t", "MARKET_TOPIC_ARN": "arn"}
    assert watch_settings(env).state_shards == 1
    assert watch_settings({**env, "MOVE_STATE_SHARDS": "25"}).state_shards == 25
    for bad in ("0", "-1", "1.5", "many", "1001"):
        try:
            watch_settings({**env, "MOVE_STATE_SHARDS": bad})
        except Exception as exc:         # noqa: BLE001 -- the message is what is checked
            assert "MOVE_STATE_SHARDS" in str(exc) and "1 to 1000" in str(exc)
        else:
            raise AssertionError(f"MOVE_STATE_SHARDS={bad!r} was accepted")
