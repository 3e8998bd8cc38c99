"""A price edited in the demo's table while a run is between its read and its commit.

On DynamoDB the run's conditional commit fails for that ticker, the edit stands, and only
Seq and LastTick follow the delivered ticks: the next run walks on from the edited price
with new seqs. The local cloud must answer the commit as DynamoDB does, or the next run
re-walks the same seqs from the edited price and (ticker, seq) forks.
"""
import itertools
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

from tests.e2e.conftest import RUN_TIMEOUT_S, summary_of, ticks_in

TICKER = "Index_2"
EDITS = ({"N": "500"}, {"N": "250"})       # alternate, so every edit changes the item
EDIT_RUNS = 12
EDITORS = 3     # a run's read-to-commit window is tens of ms: several edits in flight hit it


def conflict_in(log):
    return log.exists() and f'"conflicts": ["{TICKER}"]' in log.read_text()


def runs_in(log):
    return log.read_text().count("\nREPORT RequestId") if log.exists() else 0


def test_a_price_edited_between_delivery_and_commit_forks_no_seq(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", 16, "--interval", 1, "--seed", 7, "--no-web", "--out", out)
    found = demo.wait_for(r"local AWS at (http://\S+) \(stage \w+\): table (\S+),")
    endpoint, table = found.group(1), found.group(2)
    demo.wait_for(r"run 1 ok")
    ddb = boto3.client("dynamodb", endpoint_url=endpoint)
    log = Path(out) / "logs" / "tickersim-local-streaming-lambda.log"
    # Edit as fast as the local AWS takes it, from a few threads, until one edit landed
    # inside a run's window (the function logs the ticker as a conflict) or EDIT_RUNS runs
    # went by; then the later runs walk on.
    deadline, edits = time.monotonic() + 3 * RUN_TIMEOUT_S, itertools.count()

    def edit():
        while not (conflict_in(log) or runs_in(log) >= EDIT_RUNS):
            assert time.monotonic() < deadline and demo.process.poll() is None, \
                f"the demo ended or stalled while editing:\n{demo.text()}"
            ddb.update_item(TableName=table, Key={"TickerName": {"S": TICKER}},
                            UpdateExpression="SET Price = :p",
                            ExpressionAttributeValues={":p": EDITS[next(edits) % 2]})

    with ThreadPoolExecutor(EDITORS) as pool:
        for done in [pool.submit(edit) for _ in range(EDITORS)]:
            done.result()
    assert demo.finish() == 0, demo.text()

    content = defaultdict(set)
    for tick in ticks_in(out):
        if tick.get("type", "tick") != "tick":
            continue        # a news record
        content[tick["ticker"], tick["seq"]].add(tuple(sorted(tick.items())))
    forked = {key: len(seen) for key, seen in content.items() if len(seen) > 1}
    assert not forked, f"(ticker, seq) delivered with different content: {forked}"
    seqs = sorted(seq for ticker, seq in content if ticker == TICKER)
    assert seqs == list(range(1, len(seqs) + 1))
    assert conflict_in(log), f"no run saw one of {next(edits)} edits between its read and commit"
    summary = summary_of(out)
    assert summary["problems"] == []
    assert summary["ticks_delivered"] == len(content)
