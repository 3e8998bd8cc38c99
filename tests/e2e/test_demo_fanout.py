"""`tickersim demo --count N --workers K` on moto's server: the scheduled function fans the
minute out, each worker a Lambda process of its own; one worker fails on a damaged item and
alerts, naming its segment, while the others (and its own good tickers) commit."""
import re

import boto3

from tests.e2e.conftest import alerts_in, ticks_in
from tickersim.base.stage import FAKE_CREDENTIALS

COUNT, WORKERS = 60, 3
DEADLINE_S = 300          # a deadline, not a measurement: 2 shared cores run slowly


def test_three_workers_one_failing_and_alerting_while_the_others_commit(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--count", COUNT, "--workers", WORKERS, "--runs", 3, "--interval", 1,
                      "--retries", 0, "--no-web", "--out", out)
    endpoint, table = demo.wait_for(r"local AWS at (http://[\d.:]+) .*: table (\S+), bucket").groups()
    ddb = boto3.client("dynamodb", region_name="eu-west-1", endpoint_url=endpoint,
                       aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    # A console edit gone wrong: whichever worker's segment holds it fails every minute.
    ddb.put_item(TableName=table, Item={"TickerName": {"S": "Damaged"}, "Price": {"S": "abc"}})
    failed = demo.wait_for(r"worker (segment (\d) of 3) failed: MalformedItems",
                           timeout=DEADLINE_S).group(1)
    demo.finish(timeout=DEADLINE_S)
    text = demo.text()
    assert len(re.findall(r"run \d: the table is fanned out to 3 workers", text)) == 3
    succeeded = set(re.findall(r"worker (segment \d of 3): \d+ tickers", text))
    assert failed not in succeeded and len(succeeded) == 2
    # The alert names the stage, the minute and the segment.
    bodies = [m.get_body(("plain",)).get_content() for m in alerts_in(out)]
    mine = [b for b in bodies if f"Segment:         {failed}" in b]
    assert mine and all("Stage:           local" in b for b in mine)
    assert all(re.search(r"Scheduled time:  \d{4}-\d\d-\d\dT\d\d:\d\d:00Z", b) for b in mine)
    # Every good ticker walked every minute, the failed segment's included: its worker
    # commits its good tickers before it reports the damaged one.
    ticks = ticks_in(out)
    by_ticker = {}
    for tick in ticks:
        by_ticker.setdefault(tick["ticker"], []).append(tick["seq"])
    assert len(by_ticker) == 5 + COUNT and "Damaged" not in by_ticker
    assert all(sorted(seqs) == list(range(1, 13)) for seqs in by_ticker.values())
