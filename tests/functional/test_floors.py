"""The catch-up cap holds for every ticker that is in step, whatever another one does."""
import json

import pytest

from chalicelib.core.errors import CommitFailed, DeliveryFailed
from tests.functional.test_faults import FlakyFirehose, StubbornTable, assert_one_walk, go

CAP = "5"


def at(minute):
    return f"2026-11-26T09:{minute:02d}:00Z"


def new_minutes_per_ticker(cloud, earlier_objects):
    """Distinct tick minutes each ticker got in the objects that landed since `earlier_objects`
    (by key, not position: moto names objects of the same second by a random id)."""
    keys = [k for k in cloud.objects() if k not in earlier_objects]
    found = {}
    for key in keys:
        body = cloud.s3.get_object(Bucket=cloud.bucket, Key=key)["Body"].read()
        for line in body.splitlines():
            tick = json.loads(line)
            found.setdefault(tick["ticker"], set()).add(tick["timestamp"][:16])
    return {name: len(minutes) for name, minutes in found.items()}


def test_a_ticker_whose_commit_keeps_failing_does_not_lift_the_cap_for_the_others(cloud):
    go(cloud, when=at(0), MARKET_SEED="6", MAX_CATCHUP_MINUTES=CAP)
    stuck = StubbornTable(cloud.ddb, {"Index_1"}, times=10**6)
    for minute in (1, 2):
        with pytest.raises(CommitFailed):
            go(cloud, when=at(minute), ddb=stuck, MARKET_SEED="6", MAX_CATCHUP_MINUTES=CAP)
    # No run for 20 minutes (the schedule was off), then one with Index_1 still stuck.
    before = set(cloud.objects())
    with pytest.raises(CommitFailed):
        go(cloud, when=at(23), ddb=stuck, MARKET_SEED="6", MAX_CATCHUP_MINUTES=CAP)
    walked = new_minutes_per_ticker(cloud, before)
    assert {walked[f"Index_{n}"] for n in range(2, 6)} == {int(CAP)}
    assert walked["Index_1"] == 23          # its own re-walk, from minute 1: the exception
    seen = {}
    for line in b"".join(cloud.raw_ticks()).splitlines():
        tick = json.loads(line)
        assert seen.setdefault((tick["ticker"], tick["seq"]), line) == line


def test_a_firehose_outage_longer_than_the_cap_does_not_lift_it(cloud):
    go(cloud, when=at(0), MARKET_SEED="6", MAX_CATCHUP_MINUTES=CAP)
    down = FlakyFirehose(cloud.firehose, plan=["all"] * 10**4)
    for minute in range(1, 12):
        with pytest.raises(DeliveryFailed):
            go(cloud, when=at(minute), firehose=down, MARKET_SEED="6", MAX_CATCHUP_MINUTES=CAP)
    before = set(cloud.objects())
    go(cloud, when=at(12), MARKET_SEED="6", MAX_CATCHUP_MINUTES=CAP)
    assert set(new_minutes_per_ticker(cloud, before).values()) == {int(CAP)}
    assert cloud.run_item()["LastRun"] == {"S": at(12)}
    assert_one_walk(cloud)
