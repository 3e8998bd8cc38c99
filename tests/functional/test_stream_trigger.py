"""The watcher's event source mapping on moto: created once, brought back to its definition
on a re-deploy, deleted by teardown."""

import boto3

from tests.functional.conftest import watch_function
from tickersim.base import stream_trigger


def test_wiring_twice_leaves_one_mapping_as_defined_and_unwire_removes_it(aws):
    lam, iam = boto3.client("lambda"), boto3.client("iam")
    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName="DEX-datastream", ShardCount=1)
    stream = kinesis.describe_stream_summary(StreamName="DEX-datastream")[
        "StreamDescriptionSummary"]["StreamARN"]
    function = watch_function(lam, iam)
    topic = "arn:aws:sns:eu-west-1:123456789012:alerts"
    first = stream_trigger.wire(lam, stream, function, topic)
    lam.update_event_source_mapping(UUID=first, BatchSize=500)      # drifted by hand
    assert stream_trigger.wire(lam, stream, function, topic) == first
    (found,) = lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
    assert found["BatchSize"] == stream_trigger.BATCH_SIZE
    assert found["BisectBatchOnFunctionError"] is True
    assert found["MaximumBatchingWindowInSeconds"] == stream_trigger.BATCHING_WINDOW_S
    assert found["DestinationConfig"]["OnFailure"]["Destination"] == topic
    assert stream_trigger.unwire(lam, "tickersim-dev-watch-lambda") == 1     # by name
    assert lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"] == []
    assert stream_trigger.unwire(lam, "arn:aws:lambda:eu-west-1:123456789012:function:gone") == 0
