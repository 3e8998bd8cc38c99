"""deploy --capacity provisioned: the table and its target-tracking auto scaling, sized from the
ticker count, sent resolved to the real APIs (botocore validates every field; moto stores
them, where its CloudFormation skips auto scaling)."""
import boto3
import pytest
from moto import mock_aws

from chalicelib.walk import fanout
from tickersim.aws import capacity, stack
from tickersim.base import data_template, naming
from tickersim.base.data_template import load_data_template

NAMES = naming.names_for("Kyle Maposa")
TEMPLATE = load_data_template()
RESOURCES = TEMPLATE["Resources"]


def refs_for(plan):
    """What CloudFormation resolves the template to with deploy's parameters for `plan`."""
    given = {p["ParameterKey"]: p["ParameterValue"]
             for p in stack.parameters(NAMES, ["a@x.io"], capacity=plan)}
    assert set(given) <= set(TEMPLATE["Parameters"])
    return {**stack.example_refs(NAMES, account="123456789012"), **given,
            "TableName": NAMES.table, "IsProvisioned": given["Capacity"] == "provisioned",
            **{f"{n}Scaling": f"{n.lower()}-target" for n in ("Write", "Read")}}


@pytest.mark.parametrize("tickers", [5, 10_000, 100_000])
def test_provisioned_capacity_is_created_with_the_sized_limits_and_targets(tickers):
    plan = capacity.provisioned_plan(tickers, fanout.segment_count(tickers, 5000))
    refs = refs_for(plan)
    table = data_template.resolve(RESOURCES["Table"]["Properties"], refs)
    assert table["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"] == {"ReadCapacityUnits": str(plan.min_rcu),
                                              "WriteCapacityUnits": str(plan.min_wcu)}
    with mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(TableName=table["TableName"], BillingMode=table["BillingMode"],
                         AttributeDefinitions=table["AttributeDefinitions"],
                         KeySchema=table["KeySchema"], ProvisionedThroughput={
                             k: int(v) for k, v in table["ProvisionedThroughput"].items()})
        scaling = boto3.client("application-autoscaling")
        for dimension, low, high in (("Write", plan.min_wcu, plan.max_wcu),
                                     ("Read", plan.min_rcu, plan.max_rcu)):
            target = data_template.resolve(RESOURCES[f"{dimension}Scaling"]["Properties"], refs)
            target.update(MinCapacity=int(target["MinCapacity"]),
                          MaxCapacity=int(target["MaxCapacity"]))
            scaling.register_scalable_target(**target)
            policy = data_template.resolve(RESOURCES[f"{dimension}ScalingPolicy"]["Properties"], refs)
            config = policy["TargetTrackingScalingPolicyConfiguration"]
            config["TargetValue"] = float(config["TargetValue"])
            scaling.put_scaling_policy(
                PolicyName=policy["PolicyName"], ServiceNamespace="dynamodb",
                ResourceId=target["ResourceId"], ScalableDimension=target["ScalableDimension"],
                PolicyType=policy["PolicyType"], TargetTrackingScalingPolicyConfiguration=config)
            (found,) = scaling.describe_scalable_targets(
                ServiceNamespace="dynamodb",
                ScalableDimension=target["ScalableDimension"])["ScalableTargets"]
            assert (found["MinCapacity"], found["MaxCapacity"]) == (low, high)
            assert found["ResourceId"] == f"table/{NAMES.table}"
            assert config["TargetValue"] == 100 * capacity.TARGET_UTILISATION


def test_on_demand_creates_no_auto_scaling():
    for name in ("WriteScaling", "ReadScaling", "WriteScalingPolicy", "ReadScalingPolicy"):
        assert RESOURCES[name]["Condition"] == "IsProvisioned"
    assert refs_for(None)["Capacity"] == "on-demand"
