"""Where a stage's data lives: its bucket (and the AWS session to reach it), or a directory.

The local stage is the running demo's bucket, found as `browse` finds it (from the delivery
stream); a deployed stage's bucket, Glue database and Athena workgroup are its data stack's
outputs.
"""
import os
import sys
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from tickersim.base import endpoints, naming
from tickersim.base import stage as stages
from tickersim.data.browse import BrowseError, destination


class LocationError(Exception):
    """The message says which option to change."""


TABLE_FOLDERS = ("ticks", "history")
DEMO_COPY = "s3"        # a demo's --out DIR keeps its bucket's copy in DIR/s3


def _holds_tables(path):
    return any(os.path.isdir(os.path.join(path, t)) for t in TABLE_FOLDERS)


def readable(directory):
    """The absolute folder a --dir reads: DIR, or DIR/s3 for a demo's --out DIR (said on
    stderr); LocationError for a path that is missing or holds neither."""
    path = os.path.abspath(directory)
    if not os.path.exists(path):
        raise LocationError(f"--dir {directory}: no such directory: pass the folder that "
                            "holds ticks/ and history/, e.g. a demo's --out DIR/s3")
    if not os.path.isdir(path):
        raise LocationError(f"--dir {directory} is a file: pass the folder that holds ticks/ "
                            "and history/, e.g. a demo's --out DIR/s3")
    if _holds_tables(path):
        return path
    if _holds_tables(os.path.join(path, DEMO_COPY)):
        print(f"reading {os.path.join(directory, DEMO_COPY)} (the demo's copy of its bucket)",
              file=sys.stderr)
        return os.path.join(path, DEMO_COPY)
    raise LocationError(f"--dir {directory} holds no ticks/ or history/ folder: pass the "
                        "folder in the bucket's layout, e.g. a demo's --out DIR/s3, or a "
                        "--dir that `tickersim backfill` wrote")


@dataclass
class Location:
    stage: str | None = None
    endpoint: str | None = None      # --endpoint; without it, the AWS_ENDPOINT_URL* variables
    region: str = stages.DEFAULT_REGION
    directory: str | None = None
    bucket: str | None = None
    outputs: dict = field(default_factory=dict)      # the data stack's, for a deployed stage
    session: object = None

    @property
    def local(self):
        return self.stage == stages.LOCAL

    def client(self, service):
        return endpoints.client(self.session, service, self.endpoint, self.region)


def add_arguments(parser):
    """(--stage S [--endpoint URL] [--region R] | --dir PATH), alike for query/backfill/export."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stage", help="a deployed stage, or `local` for a running demo "
                                       "(with --endpoint)")
    where.add_argument("--dir", metavar="PATH",
                       help="a directory in the bucket's layout, e.g. a demo's --out DIR/s3")
    stages.add_aws_arguments(parser)


def resolve(args, reading=False):
    """The Location args name; raises LocationError. `reading`: a --dir must hold the
    tables already (or be a demo's --out, whose DIR/s3 holds them)."""
    if args.dir is not None:
        return Location(directory=readable(args.dir) if reading else os.path.abspath(args.dir))
    problem = endpoints.problem(args.endpoint)
    if problem:
        raise LocationError(problem)
    location = Location(stage=args.stage, endpoint=args.endpoint, region=args.region)
    try:
        location.session = stages.session_for(args.stage)
        if location.local:
            stream = stages.environment(stages.LOCAL, stages.STREAMING)["DELIVERY_STREAM_NAME"]
            location.bucket, _ = destination(location.client("firehose"), stream)
            return location
        stack = naming.stack_name(args.stage)
        try:
            (described,) = location.client("cloudformation").describe_stacks(
                StackName=stack)["Stacks"]
        except ClientError as exc:
            raise LocationError(f"stage {args.stage!r}: its data stack {stack} cannot be read "
                                f"({exc.response['Error'].get('Message', exc)}): deploy it "
                                "with `tickersim deploy`, or check --region") from None
        location.outputs = {o["OutputKey"]: o["OutputValue"]
                            for o in described.get("Outputs", [])}
        location.bucket = location.outputs.get("BucketName")
    except (BrowseError, KeyError, ValueError) as exc:
        raise LocationError(f"stage {args.stage!r}: {exc.args[0] if exc.args else exc}") \
            from None
    if not location.bucket:
        raise LocationError(f"stage {args.stage!r}: its data stack has no BucketName output: "
                            "deploy it again with `tickersim deploy`")
    return location
