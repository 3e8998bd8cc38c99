"""`tickersim browse --stage S`: the latest ticks in the stage's bucket.

The bucket is found from the stage's own configuration: DELIVERY_STREAM_NAME, then the
delivery stream's S3 destination. Nothing else needs configuring, on AWS or locally.
"""
import json
import os
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from chalicelib import news
from chalicelib.market import price_text
from tickersim import stage as stages
from tickersim.local.localcloud import FAKE_CREDENTIALS

LOCAL_STAGE = "local"


class BrowseError(Exception):
    """The message says what to check."""


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="stage in .chalice/config.json")
    stages.add_aws_arguments(parser)
    parser.add_argument("--count", type=int, default=20, metavar="N",
                        help="how many of the latest ticks to show (default 20)")


def session_for(stage, endpoint):
    if stage == LOCAL_STAGE:
        if not endpoint:
            raise BrowseError("the local stage lives inside a running `tickersim demo`: pass "
                              "the endpoint it prints, e.g. --endpoint http://127.0.0.1:PORT")
        # The local cloud accepts any credentials; none need to be configured for it.
        return boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"])
    return boto3.session.Session()


def destination(firehose, stream):
    """(bucket, fixed key prefix) the delivery stream writes to."""
    try:
        description = firehose.describe_delivery_stream(DeliveryStreamName=stream)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            raise BrowseError(f"delivery stream {stream!r} does not exist there: deploy the "
                              "stage, or check DELIVERY_STREAM_NAME in .chalice/config.json") \
                from None
        raise
    for dest in description["DeliveryStreamDescription"]["Destinations"]:
        s3 = dest.get("ExtendedS3DestinationDescription") or dest.get("S3DestinationDescription")
        if s3:
            prefix = (s3.get("Prefix") or "").split("!{", 1)[0]
            return s3["BucketARN"].split(":::", 1)[1], prefix[:prefix.rfind("/") + 1]
    raise BrowseError(f"delivery stream {stream!r} has no S3 destination")


def newest_objects(s3, bucket, prefix):
    """The objects of the newest folder under prefix, oldest first.

    Firehose keys are partitioned by time (YYYY/MM/DD/HH/), so descending into the newest
    folder at each level finds the latest ticks in a few calls, however full the bucket.
    """
    while True:
        folders, objects = [], []
        for page in s3.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix, Delimiter="/"):
            folders += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            objects += page.get("Contents", [])
        if objects or not folders:
            return sorted(objects, key=lambda o: (o["LastModified"], o["Key"]))
        prefix = max(folders)


def latest_ticks(s3, bucket, objects, count):
    ticks = []
    for entry in reversed(objects):
        body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read().decode("utf-8")
        records = (json.loads(line) for line in body.splitlines() if line.strip())
        # News records share the stream (Firehose files them under news/): not ticks.
        ticks = [r for r in records if not news.is_news(r)] + ticks
        if len(ticks) >= count:
            break
    ticks.sort(key=lambda t: (t.get("timestamp", ""), t.get("ticker", "")))
    return ticks[-count:]


def main(args):
    endpoint = args.endpoint or os.environ.get("AWS_ENDPOINT_URL")
    where = endpoint or f"AWS {args.region}"
    try:
        stream = stages.environment(args.stage, stages.STREAMING).get("DELIVERY_STREAM_NAME")
        if not stream:
            raise BrowseError(f"stage {args.stage!r} has no DELIVERY_STREAM_NAME in "
                              ".chalice/config.json: deploy it with `tickersim deploy`")
        session = session_for(args.stage, endpoint)
        firehose = session.client("firehose", region_name=args.region, endpoint_url=endpoint)
        s3 = session.client("s3", region_name=args.region, endpoint_url=endpoint)
        bucket, prefix = destination(firehose, stream)
        objects = newest_objects(s3, bucket, prefix)
        ticks = latest_ticks(s3, bucket, objects, args.count) if objects else []
    except KeyError as exc:
        print(f"browse: {exc.args[0]}", file=sys.stderr)
        return 2
    except BrowseError as exc:
        print(f"browse ({where}): {exc}", file=sys.stderr)
        return 2
    except EndpointConnectionError:
        print(f"browse: nothing answers at {endpoint}: is `tickersim demo` still running? "
              "It prints its endpoint when it starts.", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"browse ({where}): AWS refused: {exc}", file=sys.stderr)
        return 1
    if not ticks:
        print(f"s3://{bucket}/{prefix} holds no ticks yet: the first run delivers them")
        return 0
    print(f"s3://{bucket}/{objects[-1]['Key']} and earlier: the latest {len(ticks)} ticks")
    print(f"{'ticker':<12} {'timestamp':<21} {'price':>14} {'seq':>8}")
    for tick in ticks:
        print(f"{tick.get('ticker', '?'):<12} {tick.get('timestamp', '?'):<21} "
              f"{price_text(tick.get('price')):>14} {tick.get('seq', '?'):>8}")
    return 0
