"""`tickersim deploy --sink both --shards 2` end to end against moto's server: the data
stream, Firehose reading it (its template part is checked in test_data_template.py: moto's
CloudFormation skips delivery streams), the watcher's event source mapping, the function
writing to the stream, the sink kept on a redeploy, and teardown removing stream and mapping."""
import json

import boto3
import pytest

from chalicelib.core import clients
from tests.e2e.deploy_support import Account, moto_endpoint, tickersim  # noqa: F401
from tests.support import LambdaContext, scheduled
from tickersim.base import naming, shards, stream_trigger
from tickersim.base.stage import copy_project

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning")

OWNER, STAGE = "Ada Lovelace", "dev"
NAMES = naming.names_for(OWNER, STAGE)
WATCHER = "tickersim-dev-watch-lambda"


class Story:
    def __init__(self, endpoint, project, monkeypatch):
        self.account = Account(endpoint)
        session = boto3.session.Session(region_name="eu-west-1")
        self.kinesis = session.client("kinesis", endpoint_url=endpoint)
        common = ["--stage", STAGE, "--endpoint", endpoint, "--project-dir", str(project)]
        args = common + ["--owner", OWNER, "--email", "ada@example.com"]
        self.empty = self.account.snapshot()
        assert tickersim("deploy", *args, "--sink", "both", "--shards", "2") == 0
        self.summary = self.kinesis.describe_stream_summary(StreamName=NAMES.data_stream)[
            "StreamDescriptionSummary"]
        self.watcher_arn = self.account.lam.get_function(FunctionName=WATCHER)[
            "Configuration"]["FunctionArn"]
        self.mappings = self.account.lam.list_event_source_mappings(
            FunctionName=self.watcher_arn)["EventSourceMappings"]
        self.notification = self.account.s3.get_bucket_notification_configuration(
            Bucket=NAMES.bucket)
        config = json.loads((project / ".chalice" / "config.json").read_text())
        self.stream_env = config["stages"][STAGE]["lambda_functions"]["streaming-lambda"][
            "environment_variables"]
        self.policies = {p.name: json.loads(p.read_text())
                         for p in (project / ".chalice").glob("policy-dev-*.json")}
        self.report = self._run_once(endpoint, monkeypatch)
        self.records = shards.read_all(self.kinesis, NAMES.data_stream)
        self.kept_exit = tickersim("deploy", *args)            # no --sink: the stage's own
        self.mappings_after = self.account.lam.list_event_source_mappings(
            FunctionName=self.watcher_arn)["EventSourceMappings"]
        self.switch_exit = tickersim("deploy", *args, "--sink", "firehose")
        self.teardown_exit = tickersim("teardown", *common, "--yes")
        self.streams_after = self.kinesis.list_streams()["StreamNames"]
        self.mappings_left = self.account.lam.list_event_source_mappings()["EventSourceMappings"]
        self.after_teardown = self.account.snapshot()

    def _run_once(self, endpoint, monkeypatch):
        """The streaming handler, in process, with the stage's environment, on moto."""
        for key, value in {**self.stream_env, "AWS_ENDPOINT_URL": endpoint,
                           "AWS_DEFAULT_REGION": "eu-west-1"}.items():
            monkeypatch.setenv(key, value)
        clients.reset()
        from chalicelib import handlers
        try:
            return handlers.stream(scheduled("2026-12-04T10:00:00Z"), LambdaContext())
        finally:
            clients.reset()
            for key in list(self.stream_env) + ["AWS_ENDPOINT_URL"]:
                monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="module")
def story(moto_endpoint, tmp_path_factory):  # noqa: F811
    patch = pytest.MonkeyPatch()
    try:
        yield Story(moto_endpoint, copy_project(tmp_path_factory.mktemp("project")), patch)
    finally:
        patch.undo()


def test_the_stream_has_the_shards_asked_for_is_encrypted_and_keeps_24_h(story):
    assert story.summary["OpenShardCount"] == 2
    assert story.summary["RetentionPeriodHours"] == 24
    assert story.stream_env["DATA_STREAM_NAME"] == NAMES.data_stream == "DEADALOV-datastream"
    assert story.stream_env["DELIVERY_STREAM_NAME"] == NAMES.stream    # Firehose reads it


def test_the_function_writes_each_tick_to_the_stream_keyed_by_ticker(story):
    assert story.report["status"] == "ok" and story.report["ticks"] == 20
    assert story.report["calls"].get("Kinesis.PutRecords") == 4      # one per tick of a ticker
    records = [r for held in story.records.values() for r in held]
    assert len(records) == 20
    assert all(json.loads(r["data"])["ticker"] == r["partition_key"] for r in records)


def test_the_watcher_reads_the_stream_not_the_bucket(story):
    (mapping,) = story.mappings
    assert mapping["EventSourceArn"] == story.summary["StreamARN"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumBatchingWindowInSeconds"] == stream_trigger.BATCHING_WINDOW_S
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith(
        ":" + NAMES.topic)
    assert not story.notification.get("LambdaFunctionConfigurations")


def test_least_privilege_follows_the_sink(story):
    streaming = {s["Sid"]: s for s in story.policies["policy-dev-streaming.json"]["Statement"]}
    assert streaming["DeliverTicks"]["Action"] == "kinesis:PutRecords"
    assert streaming["DeliverTicks"]["Resource"] == story.summary["StreamARN"]
    watch = {s["Sid"]: s for s in story.policies["policy-dev-watch.json"]["Statement"]}
    assert watch["ReadStream"]["Resource"] == story.summary["StreamARN"]
    assert "ReadTicks" not in watch


def test_a_redeploy_keeps_the_sink_and_refuses_a_switch(story):
    assert story.kept_exit == 0
    assert [m["UUID"] for m in story.mappings_after] == [m["UUID"] for m in story.mappings]
    assert story.switch_exit == 2


def test_teardown_removes_the_stream_and_the_mapping(story):
    assert story.teardown_exit == 0
    assert NAMES.data_stream not in story.streams_after
    assert story.mappings_left == []
    assert story.after_teardown == story.empty
