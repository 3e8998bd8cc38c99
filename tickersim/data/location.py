"""Where a stage's data lives: its bucket (and the AWS session to reach it), or a directory.

The local stage is the running demo's bucket, found as `browse` finds it (from the delivery
stream); a deployed stage's bucket, Glue database and Athena workgroup are its data stack's
outputs.
"""
import os
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from tickersim.base import endpoints, naming
from tickersim.base import stage as stages
from tickersim.data.browse import BrowseError, destination


class LocationError(Exception):
    """The message says which option to change."""


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


def resolve(args):
    """The Location args name; raises LocationError."""
    if args.dir is not None:
        return Location(directory=os.path.abspath(args.dir))
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
