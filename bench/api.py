"""The HTTP API against moto's server (as in the demo): a day of 5 tickers in the event-time
layout, one object a minute (Firehose's 60 s buffer), pages of 1,000 ticks.

Naive reader, same run: no object cache, so every page request reads the whole day again
(what a function without the cache, or a cold one, does). `python -m bench.api` runs just this.
"""
import gzip
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

from bench import cloud
from chalicelib.api import api, routes
from chalicelib.core import clients
from tickersim.base.seeds import seed_table

TICKERS, TICKS_PER_MINUTE, MINUTES = 5, 4, 24 * 60
DAY = "2026-12-01"
WARM_REQUESTS, NAIVE_REQUESTS = 15, 3
NAME = "tickersim-api-bench"


def fill_day(s3, bucket):
    def put(minute):
        hour, mm = divmod(minute, 60)
        lines = "".join(
            f'{{"ticker": "Index_{i}", "timestamp": "{DAY}T{hour:02d}:{mm:02d}:{s:02d}Z", '
            f'"price": {100 + i + minute / 1000:.4f}, "seq": {minute * TICKS_PER_MINUTE + k + 1}}}\n'
            for i in range(1, TICKERS + 1) for k, s in enumerate(range(0, 60, 15)))
        s3.put_object(Bucket=bucket, Key=f"ticks/dt={DAY}/hour={hour:02d}/{NAME}-{minute:04d}",
                      Body=lines.encode())
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(MINUTES)))


def measured(action):
    """(seconds, AWS calls by operation, bytes received) of one request."""
    received = []

    def on_reply(http_response=None, parsed=None, model=None, **_):
        if model.name == "GetObject":
            received.append((parsed or {}).get("ContentLength", 0))
        elif http_response is not None:
            received.append(len(http_response.content or b""))
    aws = (clients.get("s3"), clients.get("dynamodb"))
    for client in aws:
        client.meta.events.register("after-call", on_reply)
    try:
        with clients.counting(*aws) as (calls, _):
            start = time.perf_counter()
            action()
            elapsed = time.perf_counter() - start
    finally:
        for client in aws:
            client.meta.events.unregister("after-call", on_reply)
    return elapsed, dict(calls), sum(received)


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(log):
    with cloud.moto_server():
        ddb, s3 = boto3.client("dynamodb"), boto3.client("s3")
        seed_table(ddb, NAME, create=True)
        for i in range(1, TICKERS + 1):
            ddb.update_item(TableName=NAME, Key={"TickerName": {"S": f"Index_{i}"}},
                            UpdateExpression="SET LastTick = :t",
                            ExpressionAttributeValues={":t": {"S": f"{DAY}T23:59:45Z"}})
        s3.create_bucket(Bucket=NAME, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        log(f"API: writing a day of {TICKERS} tickers ({MINUTES} objects) to moto")
        fill_day(s3, NAME)
        config = api.ApiSettings(NAME, NAME, 60)
        params = {"date_from": [DAY], "date_to": [DAY], "limit": ["1000"]}

        def page(offset, cache):
            body = api.ticks_body(config, {**params, "offset": [str(offset)]}, cache=cache)
            assert body["pagination"]["count"] == 1000, body["pagination"]
            return body

        log(f"API: {NAIVE_REQUESTS} uncached and {WARM_REQUESTS} cached pages of 1,000 ticks")
        naive = [measured(lambda: page(i * 1000, api.ObjectCache())) for i in range(NAIVE_REQUESTS)]
        cache = api.ObjectCache()
        cold = measured(lambda: page(0, cache))
        warm = [measured(lambda i=i: page(i * 1000, cache)) for i in range(1, WARM_REQUESTS + 1)]
        tickers = [measured(lambda: api.tickers_body(config)) for _ in range(WARM_REQUESTS)]
        total = api.ticks_body(config, params, cache=cache)["pagination"]["total"]
    html = routes.page_html().encode()
    return {"naive": naive, "cold": cold, "warm": warm, "tickers": tickers, "total": total,
            "page": (len(html), len(gzip.compress(html, 9)))}


def _row(name, runs):
    times = [r[0] * 1000 for r in runs]
    calls = runs[-1][1]
    return (f"| {name} | {statistics.median(times):.0f} | {p95(times):.0f} | "
            f"{', '.join(f'{k} {v}' for k, v in sorted(calls.items()))} | {runs[-1][2]:,} |")


def section(log):
    m = measure(log)
    naive_ms = statistics.median(r[0] for r in m["naive"]) * 1000
    warm_ms = statistics.median(r[0] for r in m["warm"]) * 1000
    raw, packed = m["page"]
    return "\n".join([
        "", "## HTTP API (moto server, as in the demo)", "",
        f"A day of {TICKERS} tickers: {m['total']:,} ticks in {MINUTES} objects under "
        f"ticks/dt={DAY}/hour=HH/; each request asks for the whole day, 1,000 ticks a page.", "",
        "| request | median ms | p95 ms | AWS calls (last request) | bytes received |",
        "|---|---|---|---|---|",
        _row(f"/api/ticks, no cache (naive, {len(m['naive'])} runs)", m["naive"]),
        _row("/api/ticks, first request of a cold function", [m["cold"]]),
        _row(f"/api/ticks, warm function ({len(m['warm'])} pages)", m["warm"]),
        _row(f"/api/tickers ({len(m['tickers'])} runs)", m["tickers"]),
        "",
        f"Warm page vs naive: {naive_ms / warm_ms:.0f}x faster (cache of parsed objects, keyed "
        "by ETag). Listing is one ListObjectsV2 per day per 1,000 objects.", "",
        f"Page weight (HTML with uPlot and CSS inlined): {raw / 1024:.1f} KB, "
        f"{packed / 1024:.1f} KB gzipped (target ≤ 100 KB gzipped).", ""])


if __name__ == "__main__":
    print(section(lambda message: print(message, file=sys.stderr, flush=True)))
