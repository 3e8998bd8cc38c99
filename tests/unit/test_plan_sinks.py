"""The plan's cost per sink: the stream's lines appear with it, Firehose's go without it."""
import pytest

from tickersim.aws import bill as bills
from tickersim.base import prices as costs
from tickersim.base.seeds import read_seed


@pytest.mark.parametrize("sink, shards", [("kinesis", "1"), ("kinesis", "on-demand"),
                                          ("both", "2")])
def test_the_bill_has_the_streams_lines_and_firehose_only_where_it_runs(sink, shards):
    items = read_seed()
    bill = bills.monthly_cost(items, 4, sink, shards)
    plain = bills.monthly_cost(items, 4)
    stream_lines = {k for k in bill if k.startswith("Kinesis")}
    assert stream_lines == ({"Kinesis stream-hours", "Kinesis data in"} if shards == "on-demand"
                            else {"Kinesis shard-hours", "Kinesis PUT units"})
    assert ("Firehose ingestion" in bill) == (sink == "both")
    assert bill["DynamoDB writes"] == plain["DynamoDB writes"]
    if sink == "both":
        # Reading the stream, Firehose bills each tick as 5 KB; Direct PUT packs them.
        assert bill["Firehose ingestion"] > plain["Firehose ingestion"]


def test_shard_hours_scale_with_the_shards_and_put_units_with_the_records():
    one, two = costs.kinesis_monthly([100] * 20, "1"), costs.kinesis_monthly([100] * 20, "2")
    assert two["Kinesis shard-hours"] == 2 * one["Kinesis shard-hours"]
    assert costs.kinesis_monthly([100] * 40, "1")["Kinesis PUT units"] == \
        2 * one["Kinesis PUT units"]
    # A record of 25 KB + 1 byte is two PUT units.
    assert costs.kinesis_monthly([25 * 1024 + 1], "1")["Kinesis PUT units"] == \
        costs.kinesis_monthly([1, 1], "1")["Kinesis PUT units"]
