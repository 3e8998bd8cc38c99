"""A Marketstack intraday producer: the paging loop a pipeline runs against the paid API,
pointed at tickersim instead by its base URL and key.

It asks for the first page from `--date-from`, reads the page size and the total from the
pagination block, works out how many pages there are, then fetches them from the last offset
back to offset 0 with the same parameters, and appends every record to a JSON-lines file (a
stand-in for the Kafka topic such a producer feeds). Each page's first record has its date
read with pandas, as the original does to track how far it has got.

    python examples/marketstack_producer.py --base-url http://127.0.0.1:8400/v1 \\
        --access-key KEY --symbols FB,SNAP --date-from 2020-05-14 --out bars.jsonl
"""

import argparse
import json
import math
import sys

import pandas as pd
import requests

TIMEOUT_S = 30


def fetch(session, base_url, params):
    reply = session.get(f"{base_url.rstrip('/')}/intraday", params=params, timeout=TIMEOUT_S)
    body = reply.json()
    if reply.status_code != 200:
        error = body.get("error", {})
        raise SystemExit(f"{reply.status_code} {error.get('code')}: {error.get('message')}")
    return body


def produce(base_url, access_key, symbols, date_from, interval, limit, out):
    """Page through every bar from date_from; returns (pages read, records written)."""
    params = {
        "limit": limit,
        "offset": 0,
        "symbols": symbols,
        "access_key": access_key,
        "date_from": date_from,
        "interval": interval,
    }
    with requests.Session() as session:
        first = fetch(session, base_url, params)
        size, total = first["pagination"]["limit"], first["pagination"]["total"]
        pages = max(1, math.ceil(total / size))
        written = 0
        for page in range(pages - 1, -1, -1):
            body = fetch(session, base_url, {**params, "offset": size * page})
            if body["data"]:
                newest = pd.to_datetime(body["data"][0]["date"])
                print(
                    f"offset {size * page}: {len(body['data'])} bars, first {newest}",
                    file=sys.stderr,
                )
            for record in body["data"]:
                out.write(json.dumps(record) + "\n")
                written += 1
        return pages, written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8400/v1")
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--symbols", required=True, help="comma list, e.g. FB,SNAP")
    parser.add_argument("--date-from", required=True, help="YYYY-MM-DD or ISO-8601 time")
    parser.add_argument("--interval", default="1min")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument(
        "--out",
        type=argparse.FileType("a", encoding="utf-8"),
        default="-",
        help="JSON-lines file the bars are appended to (default: stdout)",
    )
    args = parser.parse_args(argv)
    pages, written = produce(
        args.base_url,
        args.access_key,
        args.symbols,
        args.date_from,
        args.interval,
        args.limit,
        args.out,
    )
    print(f"{written} bars in {pages} pages", file=sys.stderr)


if __name__ == "__main__":
    main()
