"""Editing the data under a running demo, as a user with the AWS CLI would: the streaming
function names what it cannot use, the demo keeps going and still writes its summary."""
import boto3

from tests.e2e.conftest import alerts_in, summary_of

TICKERS = 5


def test_a_malformed_item_and_a_stray_object_fail_runs_but_not_the_demo(start_demo, tmp_path):
    out = tmp_path / "out"
    # Several runs after the first: the edits below land before one of them, however loaded
    # the machine is, and the runs after the failing one show that the demo kept going.
    demo = start_demo("--runs", 6, "--interval", 1, "--retries", 0, "--out", out)
    endpoint, table, bucket = demo.wait_for(
        r"local AWS at (http://\S+) .*table (\S+), bucket (\S+),").groups()
    demo.wait_for(r"run 1 ok")
    boto3.client("dynamodb", endpoint_url=endpoint).put_item(
        TableName=table, Item={"TickerName": {"S": "Broken"}, "Price": {"S": "n/a"}})
    boto3.client("s3", endpoint_url=endpoint).put_object(
        Bucket=bucket, Key="ticks/by-hand.txt", Body=b"not a tick\n")
    demo.wait_for(r"run \d failed: MalformedItems: .*Broken: Price 'n/a' is not a number")
    demo.wait_for(r"alert e-mail: ")
    assert demo.finish() == 1, demo.text()     # unplanned failures: not as configured
    assert "Traceback" not in demo.text()

    mails = alerts_in(out)
    assert mails and all("Error type:      MalformedItems" in m.get_content() for m in mails)
    summary = summary_of(out)
    assert summary["runs"] == 6 and summary["failed"] == len(mails)
    assert sorted(summary["prices"]) == [f"Index_{n}" for n in range(1, TICKERS + 1)]
    assert summary["skipped_items"] == {"Broken": "Price 'n/a' is not a number"}
    assert summary["unreadable_lines"] == 1
    assert any("not ticks" in p for p in summary["problems"])
