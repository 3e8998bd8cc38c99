"""`chalice package`, offline: the bundle is tiny and the template wires what the contract says."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tickersim.aws import checkout
from tickersim.aws.chalice_run import drop_bytecode

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("package")
    chalice = Path(sys.executable).with_name("chalice")
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"}
    drop_bytecode(PROJECT)     # as deploy does: earlier tests leave caches in chalicelib/
    subprocess.run([str(chalice), "package", "--stage", "dev", str(out)], cwd=PROJECT, env=env,
                   check=True, capture_output=True, text=True, timeout=120)
    return out


def test_the_bundle_is_tiny_and_carries_no_sdk(packaged):
    bundle = packaged / "deployment.zip"
    # The chart page and its vendored library ship in the bundle too (target: under 150 KB).
    assert bundle.stat().st_size < 150 * 1024
    names = zipfile.ZipFile(bundle).namelist()
    assert "app.py" in names and "chalicelib/walk/pipeline.py" in names
    assert not any(n.startswith(("boto3/", "botocore/", "moto/", "tickersim/", "tests/"))
                   for n in names)


def test_the_template_has_both_functions_the_schedule_and_no_generated_policy(packaged):
    template = json.loads((packaged / "sam.json").read_text())
    resources = template["Resources"]
    functions = {name: r["Properties"] for name, r in resources.items()
                 if r["Type"] == "AWS::Serverless::Function"}
    assert {n: f["Handler"] for n, f in functions.items()} == {
        "StreamingLambda": "app.stream_ticks", "NotificationLambda": "app.notify_failure",
        "WatchLambda": "app.watch_moves", "APIHandler": "app.app",
        "WorkerLambda": "app.walk_segment"}
    assert "Events" not in functions["WorkerLambda"]     # the coordinator invokes it
    assert functions["WorkerLambda"]["MemorySize"] == checkout.WORKER_MEMORY_MB   # bench peak
    streaming = functions["StreamingLambda"]
    assert streaming["Runtime"].startswith("python3")
    assert streaming["Timeout"] == 60 and streaming["MemorySize"] == 128
    variables = streaming["Environment"]["Variables"]
    assert {"TABLE_NAME", "DELIVERY_STREAM_NAME", "TICKS_PER_RUN"} <= set(variables)
    # Each function sees only its own settings (the failure topic: for the recovery notice).
    assert "MARKET_TOPIC_ARN" not in variables and "TOPIC_ARN" in variables
    schedules = [e["Properties"]["Schedule"] for f in functions.values()
                 for e in f.get("Events", {}).values() if e["Type"] == "Schedule"]
    assert schedules == ["rate(1 minute)"]
    assert "Events" not in functions["NotificationLambda"]   # invoked only on failure
    assert "Events" not in functions["WatchLambda"]    # S3 invokes it: see watch_trigger
    policies = [p for r in resources.values() if r["Type"] == "AWS::IAM::Role"
                for p in r["Properties"].get("Policies", [])]
    actions = {a for p in policies for s in p["PolicyDocument"]["Statement"]
               for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert "*" not in actions and not any(a.endswith(":*") for a in actions)
