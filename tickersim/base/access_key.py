"""A stage's Marketstack access key: an SSM SecureString that only the API function may read
(`tickersim deploy` and the demo create it; `tickersim api-key --stage S` prints it).

The key never goes into .chalice/config.json or an environment variable: the function gets
the parameter's name and reads the value itself.
"""

import re
import secrets
import sys

from botocore.exceptions import BotoCoreError, ClientError

from tickersim.base import endpoints, naming
from tickersim.base import stage as stages
from tickersim.base.args import check_region, local_stage_problem

KEY_BYTES = 24  # 32 URL-safe characters, 192 bits
_SHAPE = re.compile(r"[A-Za-z0-9._~-]{8,128}")


class AccessKeyError(ValueError):
    """A key that cannot be used, or a stage without one: the message says what to do."""


def parameter_name(stage):
    return f"/tickersim/{stage}/api-access-key"


def check(key):
    """The key as given, if it can travel unencoded in a URL; AccessKeyError if not."""
    if not isinstance(key, str) or not _SHAPE.fullmatch(key):
        raise AccessKeyError(
            "--access-key must be 8 to 128 characters of A-Z, a-z, 0-9 and "
            ". _ ~ - (it travels in URLs as access_key=...)"
        )
    return key


def generate():
    return secrets.token_urlsafe(KEY_BYTES)


def read(ssm, stage):
    """The stage's key; AccessKeyError when the stage has none."""
    try:
        reply = ssm.get_parameter(Name=parameter_name(stage), WithDecryption=True)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ParameterNotFound":
            raise
        raise AccessKeyError(
            f"stage {stage!r} has no access key yet: run `tickersim deploy "
            f"--stage {stage} ...` (it creates one)"
        ) from None
    return reply["Parameter"]["Value"]


def ensure(ssm, stage, key=None):
    """The stage's key: `key` when given (stored, replacing any other), else the one the stage
    has, else a new one. A redeploy thus keeps the key that scripts already hold."""
    if key is None:
        try:
            return read(ssm, stage)
        except AccessKeyError:
            key = generate()
    ssm.put_parameter(
        Name=parameter_name(stage),
        Value=check(key),
        Type="SecureString",
        Overwrite=True,
        Description=f"tickersim {stage}: Marketstack access key",
    )
    return key


def delete(ssm, stage):
    """Remove the stage's key (teardown): True if there was one."""
    try:
        ssm.delete_parameter(Name=parameter_name(stage))
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ParameterNotFound":
            raise
        return False
    return True


# --- `tickersim api-key --stage S [--new]` ------------------------------------------------


def add_arguments(parser):
    parser.add_argument(
        "--stage", required=True, help="the stage (`local` for a running demo, with its --endpoint)"
    )
    parser.add_argument(
        "--new",
        action="store_true",
        help="replace the stage's key with a new one (the old one stops working within a minute)",
    )
    stages.add_aws_arguments(parser)


def main(args):
    try:
        naming.check_stage(args.stage)
        problem = (
            check_region(args.region)
            or endpoints.problem(args.endpoint)
            or local_stage_problem(args.stage, args.endpoint)
        )
        if problem:
            raise AccessKeyError(problem)
        # The local stage's demo takes any credentials: none need configuring.
        ssm = endpoints.client(stages.session_for(args.stage), "ssm", args.endpoint, args.region)
        print(ensure(ssm, args.stage, generate()) if args.new else read(ssm, args.stage))
    except (AccessKeyError, ValueError) as exc:
        print(f"api-key: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"api-key: AWS refused to read the key: {exc}", file=sys.stderr)
        return 1
    return 0
