"""`tickersim tail --stage S`: follow the stage's Kinesis data stream and print ticks as they
arrive, every shard, resharding included (like `kcat -C`); `--json` prints the raw lines.

The stream is the stage's DATA_STREAM_NAME, else the one its owner's name gives
(tickersim/base/naming.py), as `tickersim demo|deploy --sink kinesis|both` creates it.
"""
import json
import sys

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.walk.market import price_text
from tickersim.base import endpoints, shards
from tickersim.base import stage as stages
from tickersim.base.args import check_region, local_stage_problem
from tickersim.base.naming import names_for
from tickersim.base.stage import session_for


class TailError(Exception):
    """The message says what to check."""


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="stage in .chalice/config.json")
    stages.add_aws_arguments(parser)
    parser.add_argument("--tickers", default=None, metavar="A,B",
                        help="only these tickers (default: all)")
    parser.add_argument("--from-start", action="store_true",
                        help="print what the stream holds first (up to 24 h), then follow")
    parser.add_argument("--json", action="store_true",
                        help="print each record's line as it is (JSON, one a line)")


def stream_name(stage):
    """The stage's data stream name, from its configuration."""
    try:
        env = stages.environment(stage, stages.STREAMING)
    except KeyError as exc:
        raise TailError(exc.args[0]) from None
    if env.get("DATA_STREAM_NAME"):
        return env["DATA_STREAM_NAME"]
    owner = stages.environment(stage, stages.NOTIFICATION).get("OWNER_NAME")
    if not owner:
        raise TailError(f"stage {stage!r} has no OWNER_NAME in .chalice/config.json, so its "
                        "stream's name is unknown: deploy it with `tickersim deploy --sink "
                        f"kinesis --stage {stage} ...`")
    return names_for(owner, stage).data_stream


def tickers_wanted(text):
    if text is None:
        return None
    wanted = {t.strip() for t in text.split(",") if t.strip()}
    if not wanted:
        raise TailError(f"--tickers {text!r} names no ticker: pass names like Index_1,Index_2")
    return wanted


def line_for(data, wanted, raw):
    """What to print for one record's line, or None to skip it."""
    try:
        record = json.loads(data)
    except ValueError:
        return None if wanted else data.rstrip("\n")     # not ours to judge: show it raw
    if not isinstance(record, dict) or (wanted and record.get("ticker") not in wanted):
        return None
    if raw:
        return data.rstrip("\n")
    if record.get("type", "tick") != "tick":
        return f"{record.get('timestamp', '?')}  {record.get('ticker', '?'):<12} " \
               f"NEWS {record.get('headline', '')}"
    return (f"{record.get('timestamp', '?')}  {record.get('ticker', '?'):<12} "
            f"{price_text(record.get('price')):>14}  "
            f"seq {record.get('seq', '?')}")


def main(args, out=sys.stdout, stop=lambda: False, sleep=None):
    problem = (check_region(args.region) or endpoints.problem(args.endpoint)
               or local_stage_problem(args.stage, args.endpoint))
    try:
        if problem:
            raise TailError(problem)
        wanted = tickers_wanted(args.tickers)
        name = stream_name(args.stage)
        kinesis = endpoints.client(session_for(args.stage), "kinesis", args.endpoint,
                                   args.region)
        if not shards.exists(kinesis, name):
            raise TailError(f"stage {args.stage!r} has no Kinesis data stream {name!r}: start "
                            "the demo with `--sink kinesis` (or both), or deploy the stage with "
                            f"`tickersim deploy --stage {args.stage} --sink kinesis`")
        print(f"following {name} ({'from the start' if args.from_start else 'new records'}"
              "; Ctrl-C stops)", file=sys.stderr)
        options = {"sleep": sleep} if sleep else {}
        for _, record in shards.follow(kinesis, name, args.from_start, stop=stop, **options):
            text = line_for(record["data"], wanted, args.json)
            if text is not None:
                print(text, file=out, flush=True)
    except TailError as exc:
        print(f"tickersim tail: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as exc:
        print(f"tickersim tail: cannot read the stream ({exc}); check --endpoint, --region "
              "and your AWS credentials", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0
