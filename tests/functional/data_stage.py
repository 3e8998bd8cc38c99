"""A deployed stage as `query`, `backfill` and `export` find it: the data stack's outputs
(moto's CloudFormation), its bucket and its Athena workgroup."""
import json

import boto3
import pytest
from moto import mock_aws

from tickersim.base import naming

REGION = "eu-west-1"
OUTPUTS = {"BucketName": "tickersim-query-bucket", "GlueDatabase": "tickersim_dev",
           "AthenaWorkGroup": "tickersim-dev"}


@pytest.fixture
def stage():
    with mock_aws():
        template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": OUTPUTS["BucketName"]}}},
            "Outputs": {k: {"Value": v} for k, v in OUTPUTS.items()}}
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName=naming.stack_name("dev"), TemplateBody=json.dumps(template))
        boto3.client("athena", region_name=REGION).create_work_group(
            Name=OUTPUTS["AthenaWorkGroup"])
        yield boto3.client("s3", region_name=REGION)
