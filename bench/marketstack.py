"""/v1/intraday against moto's server (as in the demo): the same day as bench.api (5 tickers,
one object a minute), pages of 1,000 1min bars, newest first, as a producer walks them.

Naive reader, same run: a fresh object cache and listing for every page, so each page lists
and reads the whole day again. `python -m bench.marketstack` runs just this.
"""

import statistics
import sys

import boto3

from bench import cloud
from bench.api import DAY, MINUTES, NAME, TICKERS, _row, fill_day, measured
from chalicelib.api import api, msapi
from tickersim.base.seeds import seed_table

PAGES, NAIVE_PAGES = 7, 3
PARAMS = {
    "symbols": [",".join(f"Index_{i}" for i in range(1, TICKERS + 1))],
    "interval": ["1min"],
    "date_from": [DAY],
    "date_to": [DAY],
    "limit": ["1000"],
}


def measure(log):
    with cloud.moto_server():
        ddb, s3 = boto3.client("dynamodb"), boto3.client("s3")
        seed_table(ddb, NAME, create=True)
        s3.create_bucket(Bucket=NAME, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        log(f"Marketstack: writing a day of {TICKERS} tickers ({MINUTES} objects) to moto")
        fill_day(s3, NAME)
        config = api.ApiSettings(NAME, NAME, 60)

        def page(number, cache, cold=False):
            if cold:
                msapi._listings.clear()
            body = msapi.bars_body(
                config, {**PARAMS, "offset": [str(number * 1000)]}, "intraday", cache=cache
            )
            assert body["pagination"]["count"] == 1000, body["pagination"]
            return body

        log(f"Marketstack: {NAIVE_PAGES} uncached pages, {PAGES} warm ones, a walk of {PAGES}")
        naive = [
            measured(lambda i=i: page(i, api.ObjectCache(), cold=True)) for i in range(NAIVE_PAGES)
        ]
        cache = api.ObjectCache()
        cold = measured(lambda: page(0, cache, cold=True))
        # Objects parsed and kept, listing and aggregation redone: a new question each time.
        warm = [measured(lambda i=i: page(i, cache, cold=True)) for i in range(PAGES)]
        # A producer's walk: the first page aggregates, the next ones slice its bars.
        page(0, cache, cold=True)
        walk = [measured(lambda i=i: page(i, cache)) for i in range(1, PAGES)]
        total = page(0, cache)["pagination"]["total"]
    return {"naive": naive, "cold": cold, "warm": warm, "walk": walk, "total": total}


def section(log):
    m = measure(log)
    naive_ms = statistics.median(r[0] for r in m["naive"]) * 1000
    warm_ms = statistics.median(r[0] for r in m["warm"]) * 1000
    walk_ms = statistics.median(r[0] for r in m["walk"]) * 1000
    return "\n".join(
        [
            "",
            "## Marketstack /v1/intraday (moto server, as in the demo)",
            "",
            f"A day of {TICKERS} tickers, one object a minute, as 1min bars: {m['total']:,} "
            f"bars from {MINUTES} objects; each request "
            "aggregates the whole day and answers one page of 1,000 bars; a walk's next pages "
            "reuse the first one's bars for 30 s (target: p95 ≤ 1 s warm).",
            "",
            "| request | median ms | p95 ms | AWS calls (last request) | bytes received |",
            "|---|---|---|---|---|",
            _row(f"/v1/intraday, no cache (naive, {len(m['naive'])} runs)", m["naive"]),
            _row("/v1/intraday, first request of a cold function", [m["cold"]]),
            _row(
                f"/v1/intraday, warm objects, listed and aggregated ({len(m['warm'])} runs)",
                m["warm"],
            ),
            _row(f"/v1/intraday, next pages of a walk ({len(m['walk'])} pages)", m["walk"]),
            "",
            f"vs naive: the next page of a walk {naive_ms / walk_ms:.0f}x faster, a new question "
            f"over objects already parsed {naive_ms / warm_ms:.1f}x (on moto, listing 1,440 "
            "objects is most of it).",
            "",
        ]
    )


if __name__ == "__main__":
    print(section(lambda message: print(message, file=sys.stderr, flush=True)))
