"""`--sink firehose|kinesis|both` and `--shards N|on-demand`, as deploy and the demo take them:
each check returns None or one line naming the value at fault and what to pass instead."""
import re

from chalicelib.walk.sink import SINKS  # infra/data.yaml's Sink values; the first is the default

ON_DEMAND = "on-demand"
# Kinesis's default shard quota per account and region (provisioned streams): 500 in these
# three regions, 200 in every other.
SHARD_QUOTA = {"us-east-1": 500, "us-west-2": 500, "eu-west-1": 500}
OTHER_REGIONS_SHARD_QUOTA = 200


def sink_problem(name):
    if name is not None and name not in SINKS:
        return (f"--sink {name!r} is not a sink: give "
                + ", ".join(f"--sink {s}" for s in SINKS[:-1]) + f" or --sink {SINKS[-1]}")
    return None


def shards_problem(text, region, sink):
    """What is wrong with --shards TEXT for a stream in `region` (None: nothing)."""
    if text is None:
        return None
    if sink == SINKS[0]:
        return (f"--shards {text} sizes a data stream, which --sink firehose does not have: "
                "add --sink kinesis (or both), or drop --shards")
    if text == ON_DEMAND:
        return None
    quota = SHARD_QUOTA.get(region, OTHER_REGIONS_SHARD_QUOTA)
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()):
        return (f"--shards {text!r} is not a number of shards: give a whole number from 1 to "
                f"{quota}, or --shards {ON_DEMAND}")
    if int(text) < 1:
        return (f"--shards {text}: a stream needs at least 1 shard: give --shards 1 or more, "
                f"or --shards {ON_DEMAND}")
    if int(text) > quota:
        return (f"--shards {int(text)} is more than Kinesis's default shard quota of {quota} per "
                f"account in {region} (500 in us-east-1, us-west-2 and eu-west-1, 200 "
                f"elsewhere): ask for a quota increase in Service Quotas first, or use "
                f"--shards {ON_DEMAND}")
    return None


def shards_value(text):
    """A checked --shards as the stack keeps it: "N" without leading zeros, or on-demand."""
    if text is None or text == ON_DEMAND:
        return text
    return str(int(text))
