"""The benchmark's cost arithmetic (bench/prices.py): sizes, units and monthly lines."""
import pytest

from tickersim.base import prices

ITEM = {"TickerName": {"S": "Index_1"}, "Price": {"N": "100"}}


def run(**changes):
    base = dict(billed_units=1, payload_bytes=1_000, read_units=1, write_units=6,
                lambda_s=0.1, log_bytes=0)
    return prices.PerRun(**{**base, **changes})


def test_item_size_follows_dynamodbs_rules():
    # names 10 + 5 bytes, "Index_1" 7 bytes, 100 -> one significant digit -> 2 bytes
    assert prices.item_bytes(ITEM) == 24
    assert prices.item_bytes({"P": {"N": "-123.45"}}) == 1 + 4


def test_only_strings_and_numbers_are_sized():
    with pytest.raises(ValueError):
        prices.item_bytes({"Tags": {"SS": ["a"]}})


def test_scan_reads_round_up_to_4_kb_and_halve_when_eventually_consistent():
    small = [{"K": {"S": "x" * 4095}}]                 # 1 + 4,095 bytes: exactly 4 KB
    assert prices.scan_read_units(small, consistent=True) == 1
    assert prices.scan_read_units(small, consistent=False) == 0.5
    assert prices.scan_read_units(small + [ITEM], consistent=True) == 2


def test_writes_are_1_kb_units_per_item_and_double_in_a_transaction():
    big = {"K": {"S": "x" * 1024}}                     # 1,025 bytes: two units
    assert prices.write_units([ITEM, ITEM]) == 2
    assert prices.write_units([big]) == 2
    assert prices.write_units([ITEM, big], transactional=True) == 6


def test_firehose_line_is_proportional_to_billed_units():
    buffering = (60, 2 ** 20)
    one = prices.monthly(run(billed_units=1), buffering)["Firehose ingestion"]
    twenty = prices.monthly(run(billed_units=20), buffering)["Firehose ingestion"]
    assert twenty == pytest.approx(20 * one)
    assert one == pytest.approx(5 * 1024 * prices.RUNS_PER_MONTH / 2 ** 30 * prices.FIREHOSE_PER_GB)


def test_s3_puts_follow_the_buffering():
    per_put = prices.S3_PER_THOUSAND_PUTS / 1000
    minute = prices.monthly(run(payload_bytes=1_000), (60, 2 ** 20))["S3 PUTs by Firehose"]
    assert minute == pytest.approx(prices.RUNS_PER_MONTH * per_put)
    by_size = prices.monthly(run(payload_bytes=int(2.5 * 2 ** 20)), (60, 2 ** 20))
    assert by_size["S3 PUTs by Firehose"] == pytest.approx(3 * prices.RUNS_PER_MONTH * per_put)
    five_minutes = prices.monthly(run(payload_bytes=1_000), (300, 2 ** 20))
    assert five_minutes["S3 PUTs by Firehose"] == pytest.approx(minute / 5)


def test_dynamodb_and_lambda_lines():
    month = prices.monthly(run(write_units=6, read_units=0.5, lambda_s=0.0101), (60, 2 ** 20))
    n = prices.RUNS_PER_MONTH
    assert month["DynamoDB writes"] == pytest.approx(6 * n / 1e6 * prices.DDB_PER_MILLION_WRITES)
    assert month["DynamoDB reads"] == pytest.approx(0.5 * n / 1e6 * prices.DDB_PER_MILLION_READS)
    # Lambda bills whole milliseconds: 10.1 ms -> 11 ms
    assert month["Lambda GB-seconds"] == pytest.approx(
        0.011 * 128 / 1024 * n * prices.LAMBDA_PER_GB_SECOND)


def test_lambda_duration_model():
    assert prices.lambda_seconds(0.0, 4) == pytest.approx(4 * prices.AWS_CALL_LATENCY_S)
    assert prices.lambda_seconds(1.0, 0) == pytest.approx(1769 / 128)


def test_buffering_is_read_from_the_stream_in_the_template(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n"
        "  Stream:\n"
        "    Type: AWS::KinesisFirehose::DeliveryStream\n"
        "    Properties:\n"
        "      ExtendedS3DestinationConfiguration:\n"
        "        BufferingHints: {IntervalInSeconds: 120, SizeInMBs: 5}\n")
    assert prices.firehose_buffering(template) == (120, 5 * 2 ** 20)
