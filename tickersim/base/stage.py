"""A stage's settings as Chalice itself resolves them from .chalice/config.json."""
import json
import shutil
from pathlib import Path

import boto3
from chalice.config import Config

from tickersim.base import endpoints
from tickersim.base.args import check_region, local_stage_problem

PROJECT_DIR = Path(__file__).resolve().parents[2]
CONFIG_FILE = PROJECT_DIR / ".chalice" / "config.json"
STREAMING = "streaming-lambda"
NOTIFICATION = "notification-lambda"
WATCH = "watch-lambda"
WORKER = "worker-lambda"    # walks one table segment when the table outgrows one function
API = "api_handler"         # Chalice's name for the function behind the REST API
DEFAULT_REGION = "eu-west-1"
DEFAULT_RETRIES = 1     # async retries of a failed run before the alert; AWS allows 0-2
LOCAL = "local"         # the demo's stage, on the local cloud; never deployed
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}


def add_aws_arguments(parser):
    """--region and --endpoint, alike for every command that talks to AWS."""
    parser.add_argument("--region", default=DEFAULT_REGION,
                        help=f"AWS region (default {DEFAULT_REGION})")
    parser.add_argument("--endpoint", default=None, metavar="URL",
                        help="AWS endpoint URL for every service, e.g. the one `tickersim "
                             "demo` prints (default: each service's AWS_ENDPOINT_URL_<SERVICE>, "
                             "else AWS_ENDPOINT_URL, else AWS itself)")


# What a deploy reads; tickersim/ itself comes along where a demo must run from the copy.
PROJECT_PARTS = ("app.py", "chalicelib", "requirements.txt", ".chalice", "seed", "infra",
                 "scenarios")


def copy_project(target, parts=PROJECT_PARTS, project_dir=PROJECT_DIR):
    """Copy the project's parts into target, without deploy state or bytecode; returns target."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for part in parts:
        source = Path(project_dir) / part
        if source.is_dir():
            shutil.copytree(source, target / part,
                            ignore=shutil.ignore_patterns("__pycache__", "deployed", "deployments"))
        else:
            shutil.copy2(source, target / part)
    return target


def read_config(project_dir=PROJECT_DIR):
    return json.loads((Path(project_dir) / ".chalice" / "config.json").read_text())


def function_config(stage, function, project_dir=PROJECT_DIR):
    """Chalice's scoped view of one function in one stage (env vars, memory, timeout...)."""
    raw = read_config(project_dir)
    if stage not in raw.get("stages", {}):
        raise KeyError(f"stage {stage!r} is not in .chalice/config.json: deploy it with "
                       f"`tickersim deploy --stage {stage} ...` first")
    config = Config(chalice_stage=stage, config_from_disk=raw,
                    user_provided_params={"project_dir": str(project_dir)})
    return config.scope(stage, function)


def environment(stage, function, project_dir=PROJECT_DIR):
    """The environment variables that Lambda gives `function` in `stage`."""
    return dict(function_config(stage, function, project_dir).environment_variables)


def session_for(stage):
    if stage == LOCAL:
        # The local cloud accepts any credentials; none need to be configured for it.
        return boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"])
    return boto3.session.Session()


def stage_table(args):
    """(DynamoDB client, table name) of the stage's streaming function, for the commands that
    edit the table (seed, scenario); ValueError says what is wrong with the arguments."""
    problem = (check_region(args.region) or endpoints.problem(args.endpoint)
               or local_stage_problem(args.stage, args.endpoint))
    if problem:
        raise ValueError(problem)
    try:
        table = environment(args.stage, STREAMING).get("TABLE_NAME")
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    if not table:
        raise ValueError(f"stage {args.stage!r} has no TABLE_NAME in .chalice/config.json: "
                         f"deploy it with `tickersim deploy --stage {args.stage} ...`")
    # The local stage's demo takes any credentials: none need configuring.
    ddb = endpoints.client(session_for(args.stage), "dynamodb", args.endpoint, args.region)
    return ddb, table
