"""`make package` for a stage recorded with a data stream: the sink is fixed in the template,
the watcher is an event source mapping, the function may only put records on the stream."""
import json

import pytest

from tickersim.aws import package
from tickersim.base import stage as stages
from tickersim.base.stage import copy_project


@pytest.mark.parametrize("delivery, sink", [("DEX-deliverystream", "both"), ("", "kinesis")])
def test_a_stream_stage_packages_its_mapping_and_its_policies(tmp_path, delivery, sink):
    project = copy_project(tmp_path / "p")
    config_file = project / ".chalice" / "config.json"
    config = json.loads(config_file.read_text())
    env = config["stages"]["dev"]["lambda_functions"][stages.STREAMING]["environment_variables"]
    env.update(DATA_STREAM_NAME="DEX-datastream", DELIVERY_STREAM_NAME=delivery)
    config_file.write_text(json.dumps(config))
    template = package.merge_template("dev", project)
    resources = template["Resources"]
    assert template["Parameters"]["Sink"]["AllowedValues"] == [sink]
    assert "Condition" not in resources["DataStream"]
    assert ("Condition" in resources["DeliveryStream"]) == (sink == "kinesis")
    mapping = resources["WatchStreamMapping"]
    assert mapping["Type"] == "AWS::Lambda::EventSourceMapping"
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": ["DataStream", "Arn"]}
    assert mapping["Properties"]["BisectBatchOnFunctionError"] is True
    assert "NotificationConfiguration" not in resources["Bucket"].get("Properties", {})
    variables = resources["StreamingLambda"]["Properties"]["Environment"]["Variables"]
    assert variables["DATA_STREAM_NAME"] == {"Ref": "DataStream"}
    (policy,) = resources["StreamingLambdaRole"]["Properties"]["Policies"]
    (deliver,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "DeliverTicks"]
    assert deliver["Action"] == "kinesis:PutRecords"
    assert deliver["Resource"]["Fn::Sub"].endswith(":stream/${DataStream}")
