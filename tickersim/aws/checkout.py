"""What deploy writes into the checkout for a stage: its entry in .chalice/config.json (the
stack's names, recorded) and its policy files. Kept so that a deploy that fails leaves the checkout as it was, and so that
teardown puts back what was there before the stage's first deploy (nothing, for a new stage).

The state before the first deploy is kept beside Chalice's own record of the stage, in
.chalice/deployed/ (not committed), and goes with it.
"""
import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from chalicelib.core.settings import DEFAULT_WORKER_TICKERS
from chalicelib.watch import moves
from tickersim.aws import capacity, policies
from tickersim.base import access_key, owner_ascii
from tickersim.base import stage as stages
from tickersim.base.naming import function_name

# A worker's memory from the peak `make bench` measures at WORKER_TICKERS (peak <= 70 %).
WORKER_MEMORY_MB = capacity.worker_memory_mb(capacity.worker_peak_mb(DEFAULT_WORKER_TICKERS))


def config_path(project_dir):
    return Path(project_dir) / ".chalice" / "config.json"


def record(project_dir, stage, owner, outputs, tickers=None):
    """Write the stack's names and ARNs into the stage's function environments (the Chalice
    `recordresources` pattern), and the watcher's state shards from the table's `tickers`;
    returns whether the file changed."""
    path = config_path(project_dir)
    before = path.read_text()
    config = json.loads(before)
    functions = config.setdefault("stages", {}).setdefault(stage, {}).setdefault(
        "lambda_functions", {})
    wanted = {
        # With a data stream the function writes to it; with `--sink kinesis` there is no
        # delivery stream (chalicelib/walk/sink.py reads the sink back from these two).
        stages.STREAMING: {"TABLE_NAME": outputs["TableName"],
                           "DELIVERY_STREAM_NAME": "" if outputs.get("Sink") == "kinesis"
                           else outputs["DeliveryStreamName"],
                           "BUCKET_NAME": outputs["BucketName"],
                           "TOPIC_ARN": outputs["TopicArn"], "OWNER_NAME": owner,
                           owner_ascii.ENV: owner_ascii.owner_ascii(owner),
                           "WORKER_FUNCTION_NAME": function_name(stage, stages.WORKER)},
        stages.WORKER: {"TABLE_NAME": outputs["TableName"],
                        "DELIVERY_STREAM_NAME": outputs["DeliveryStreamName"]},
        stages.NOTIFICATION: {"TOPIC_ARN": outputs["TopicArn"], "OWNER_NAME": owner,
                              owner_ascii.ENV: owner_ascii.owner_ascii(owner),
                              "TABLE_NAME": outputs["TableName"]},
        stages.WATCH: {"TABLE_NAME": outputs["TableName"],
                       "MARKET_TOPIC_ARN": outputs["MarketTopicArn"]},
        stages.API: {"TABLE_NAME": outputs["TableName"], "BUCKET_NAME": outputs["BucketName"],
                     "API_KEY_PARAMETER": access_key.parameter_name(stage)},
    }
    if tickers is not None and moves.shards_for(tickers) > 1:
        wanted[stages.WATCH]["MOVE_STATE_SHARDS"] = str(moves.shards_for(tickers))
    if outputs.get("DataStreamName"):
        for function in (stages.STREAMING, stages.WORKER):
            wanted[function]["DATA_STREAM_NAME"] = outputs["DataStreamName"]
    timeouts = {stages.STREAMING: 60, stages.NOTIFICATION: 30, stages.WATCH: 60, stages.API: 20,
                stages.WORKER: 60}
    memory = {stages.API: 256, stages.WORKER: WORKER_MEMORY_MB}
    for function, env in wanted.items():
        settings = functions.setdefault(function, {})
        settings.setdefault("iam_policy_file",
                            policies.policy_file(project_dir, stage, function).name)
        settings.setdefault("lambda_memory_size", memory.get(function, 128))
        if function == stages.WORKER:     # follows the measured peak at every deploy
            settings["lambda_memory_size"] = WORKER_MEMORY_MB
        settings.setdefault("lambda_timeout", timeouts[function])
        settings.setdefault("environment_variables", {}).update(env)
    after = json.dumps(config, indent=2, ensure_ascii=False) + "\n"
    if after != before:
        path.write_text(after)
    return after != before


def _kept(project_dir, stage):
    return Path(project_dir) / ".chalice" / "deployed" / f"{stage}.before-deploy.json"


@dataclass(frozen=True)
class Files:
    """The bytes of the config and of each of the stage's policy files (None: absent)."""
    texts: dict          # path -> text or None

    @classmethod
    def read(cls, paths):
        return cls({str(p): Path(p).read_text() if Path(p).exists() else None for p in paths})

    def put_back(self):
        for path, text in self.texts.items():
            if text is None:
                Path(path).unlink(missing_ok=True)
            elif not Path(path).exists() or Path(path).read_text() != text:
                Path(path).write_text(text)


@contextlib.contextmanager
def unchanged_on_failure(project_dir, stage, policy_paths, say=print):
    """The block's changes to the config and policy files stay only if it ends normally."""
    as_it_was = Files.read([config_path(project_dir), *policy_paths])
    remember_first(project_dir, stage, policy_paths)
    try:
        yield
    except BaseException:
        as_it_was.put_back()
        say(f"\ndeploy stopped: .chalice/config.json and the policy files of stage {stage!r} "
            "are as they were before it")
        raise


def remember_first(project_dir, stage, policy_paths):
    """Before a deploy writes anything: keep the stage's entry and policy files as they are,
    unless an earlier deploy of the stage kept them already."""
    kept = _kept(project_dir, stage)
    if kept.exists():
        return
    entry = json.loads(config_path(project_dir).read_text()).get("stages", {}).get(stage)
    policies = {Path(p).name: Path(p).read_text() if Path(p).exists() else None
                for p in policy_paths}
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps({"entry": entry, "policies": policies}, indent=2,
                               ensure_ascii=False) + "\n")


def restore_first(project_dir, stage):
    """Put the stage's entry and policy files back as they were before its first deploy;
    returns what changed in the checkout, [] when nothing was kept."""
    kept = _kept(project_dir, stage)
    if not kept.exists():
        return []
    before = json.loads(kept.read_text())
    path = config_path(project_dir)
    config = json.loads(path.read_text())
    stages = config.setdefault("stages", {})
    changed = []
    if stages.get(stage) != before["entry"]:
        if before["entry"] is None:
            stages.pop(stage, None)
        else:
            stages[stage] = before["entry"]
        path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
        changed.append(f"stage {stage!r} in .chalice/config.json "
                       + ("removed" if before["entry"] is None else "as it was before deploy"))
    for name, text in before["policies"].items():
        policy = path.parent / name
        current = policy.read_text() if policy.exists() else None
        if current != text:
            if text is None:
                policy.unlink()
            else:
                policy.write_text(text)
            changed.append(f".chalice/{name} " + ("removed" if text is None else "restored"))
    kept.unlink()
    return changed
