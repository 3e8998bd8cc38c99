"""`tickersim browse --stage S`: the latest ticks in the stage's bucket.

The bucket is found from the stage's own configuration: DELIVERY_STREAM_NAME, then the
delivery stream's S3 destination. Nothing else needs configuring, on AWS or locally.
"""
import sys

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from chalicelib.walk.market import price_text
from tickersim.base import endpoints
from tickersim.base import stage as stages
from tickersim.base.args import check_region, count_problem, local_stage_problem
from tickersim.base.records import ticks_in


class BrowseError(Exception):
    """The message says what to check."""


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="stage in .chalice/config.json")
    stages.add_aws_arguments(parser)
    parser.add_argument("--count", type=int, default=20, metavar="N",
                        help="how many of the latest ticks to show (default 20)")


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
            # An event-time prefix starts with the record type: ticks are under ticks/.
            prefix = (s3.get("Prefix") or "").split("!{", 1)[0] or "ticks/"
            return s3["BucketARN"].split(":::", 1)[1], prefix[:prefix.rfind("/") + 1]
    raise BrowseError(f"delivery stream {stream!r} has no S3 destination")


def newest_objects(s3, bucket, prefix):
    """The objects of the newest folder under prefix, oldest first.

    Keys are partitioned by the ticks' own time (dt=YYYY-MM-DD/hour=HH/), so descending into
    the newest folder at each level finds the latest ticks in a few calls, however full the
    bucket.
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
    """(the latest `count` ticks, lines skipped because they are not ticks)."""
    ticks, skipped = [], 0
    for entry in reversed(objects):
        found, bad = ticks_in(s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read())
        ticks, skipped = found + ticks, skipped + bad
        if len(ticks) >= count:
            break
    ticks.sort(key=lambda t: (str(t.get("timestamp", "")), t["ticker"]))
    return ticks[-count:], skipped


def main(args):
    problem = (count_problem("--count", args.count) or check_region(args.region)
               or endpoints.problem(args.endpoint)
               or local_stage_problem(args.stage, args.endpoint, stages.LOCAL))
    if problem:
        print(f"browse: {problem}", file=sys.stderr)
        return 2
    endpoint = endpoints.resolve("s3", args.endpoint)
    where = endpoint or f"AWS {args.region}"
    skipped = 0
    try:
        stream = stages.environment(args.stage, stages.STREAMING).get("DELIVERY_STREAM_NAME")
        if not stream:
            raise BrowseError(f"stage {args.stage!r} has no DELIVERY_STREAM_NAME in "
                              ".chalice/config.json: deploy it with `tickersim deploy`")
        session = stages.session_for(args.stage)
        firehose = endpoints.client(session, "firehose", args.endpoint, args.region)
        s3 = endpoints.client(session, "s3", args.endpoint, args.region)
        bucket, prefix = destination(firehose, stream)
        objects = newest_objects(s3, bucket, prefix)
        ticks, skipped = latest_ticks(s3, bucket, objects, args.count) if objects else ([], 0)
    except KeyError as exc:
        print(f"browse: {exc.args[0]}", file=sys.stderr)
        return 2
    except BrowseError as exc:
        print(f"browse ({where}): {exc}", file=sys.stderr)
        return 2
    except EndpointConnectionError as exc:
        if endpoint:
            print(f"browse: nothing answers at {endpoint}: is `tickersim demo` still running? "
                  "It prints its endpoint when it starts.", file=sys.stderr)
        else:
            print(f"browse: cannot reach AWS in {args.region} "
                  f"({exc.kwargs.get('endpoint_url')}): check the network and --region",
                  file=sys.stderr)
        return 1
    except NoCredentialsError:
        print(f"browse ({where}): no AWS credentials found: run `aws configure`, set "
              "AWS_PROFILE, or pass --endpoint of a running `tickersim demo`", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"browse ({where}): AWS refused: {exc}", file=sys.stderr)
        return 1
    if skipped:
        print(f"browse: skipped {skipped} line(s) that are not ticks", file=sys.stderr)
    if not ticks:
        print(f"s3://{bucket}/{prefix} holds no ticks yet: the first run delivers them")
        return 0
    print(f"s3://{bucket}/{objects[-1]['Key']} and earlier: the latest {len(ticks)} ticks")
    print(f"{'ticker':<12} {'timestamp':<21} {'price':>14} {'seq':>8}")
    for tick in ticks:
        print(f"{tick['ticker']:<12} {str(tick.get('timestamp', '?')):<21} "
              f"{price_text(tick['price']):>14} {tick['seq']:>8}")
    return 0
