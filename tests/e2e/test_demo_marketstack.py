"""A new user's Marketstack stand-in: a demo of the ten stocks with a known key, a backfilled
session, and the producer example paging through all of it, unchanged but for URL and key."""

import json
import subprocess
import sys
from collections import Counter

import boto3
import pandas as pd

from tests.e2e.conftest import PROJECT

KEY = "e2e-known-key-42"
STOCKS = "FB,SHOP,BYND,NFLX,PINS,SQ,TTD,OKTA,SNAP,DDOG"


def tickersim(*args):
    done = subprocess.run(
        [sys.executable, "-m", "tickersim", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def bucket_minutes(endpoint, prefix):
    """(ticker, minute) of every tick under the prefix, read straight from the bucket."""
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    (bucket,) = [
        b["Name"]
        for b in s3.list_buckets()["Buckets"]
        if b["Name"].endswith("deliverystream-s3-local")
    ]
    found = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read().decode()
            found |= {
                (t["ticker"], t["timestamp"][:16]) for t in map(json.loads, body.splitlines())
            }
    return found


def test_the_producer_pages_a_backfilled_session_and_the_live_demo_without_error(
    start_demo, tmp_path
):
    demo = start_demo(
        "--tickers",
        "seed/stocks.json",
        "--start",
        "2026-12-01T14:30Z",
        "--interval",
        2,
        "--runs",
        30,
        "--web-port",
        0,
        "--access-key",
        KEY,
        "--out",
        tmp_path / "out",
    )
    base, shown = demo.wait_for(r"Marketstack API: (\S+)\s+access key: (\S+)").groups()
    endpoint = demo.wait_for(r"local AWS at (http://127\.0\.0\.1:\d+)")[1]
    demo.wait_for(r"run 3 ok")
    assert shown == KEY
    assert tickersim("api-key", "--stage", "local", "--endpoint", endpoint).strip() == KEY
    tickersim("backfill", "--date", "2020-05-14", "--stage", "local", "--endpoint", endpoint)

    out = tmp_path / "bars.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            "examples/marketstack_producer.py",
            "--base-url",
            base,
            "--access-key",
            KEY,
            "--symbols",
            STOCKS,
            "--date-from",
            "2020-05-14",
            "--out",
            str(out),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    bars = [json.loads(line) for line in out.read_text().splitlines()]
    assert max(Counter((b["symbol"], b["date"]) for b in bars).values()) == 1
    assert pd.to_datetime([b["date"] for b in bars]).notna().all()
    backfilled = {(b["symbol"], b["date"][:16]) for b in bars if b["date"].startswith("2020-05-14")}
    assert backfilled == bucket_minutes(endpoint, "history/dt=2020-05-14/")
    live = {(b["symbol"], b["date"][:16]) for b in bars if b["date"].startswith("2026")}
    assert live and live <= bucket_minutes(endpoint, "ticks/")
