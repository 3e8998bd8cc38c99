"""An in-process moto account holding the dev stage's resources, seeded as a user would."""
import io
import json
import zipfile
from pathlib import Path

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.core import clients
from tickersim.base import stage as stages
from tickersim.base.seeds import seed_table

PROJECT = Path(__file__).resolve().parents[2]
STAGE = "dev"


def watch_function(lam, iam):
    """The dev stage's watch function as moto stores it (moto never runs it): its ARN."""
    role = iam.create_role(RoleName="w", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as bundle:
        bundle.writestr("app.py", "")
    return lam.create_function(FunctionName="tickersim-dev-watch-lambda", Runtime="python3.11",
                               Role=role, Handler="app.watch_moves",
                               Code={"ZipFile": code.getvalue()})["FunctionArn"]


class Cloud:
    """The stage's AWS resources, and readers for what landed in them."""

    def __init__(self):
        self.stream_env = stages.environment(STAGE, stages.STREAMING, PROJECT)
        self.alert_env = stages.environment(STAGE, stages.NOTIFICATION, PROJECT)
        self.table = self.stream_env["TABLE_NAME"]
        self.stream = self.stream_env["DELIVERY_STREAM_NAME"]
        self.topic_arn = self.alert_env["TOPIC_ARN"]
        self.bucket = "tickersim-functional-ticks"
        self.ddb = boto3.client("dynamodb")
        self.s3 = boto3.client("s3")
        self.sqs = boto3.client("sqs")
        self.firehose = boto3.client("firehose")

    def create(self):
        seed_table(self.ddb, self.table, create=True)
        self.s3.create_bucket(Bucket=self.bucket,
                              CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.firehose.create_delivery_stream(
            DeliveryStreamName=self.stream, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": f"arn:aws:s3:::{self.bucket}", "Prefix": "ticks/"})
        sns = boto3.client("sns")
        topic = sns.create_topic(Name=self.topic_arn.rsplit(":", 1)[1])["TopicArn"]
        assert topic == self.topic_arn
        self.queue_url = self.sqs.create_queue(QueueName="mailbox")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        return self

    def objects(self):
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    def raw_ticks(self):
        """Every byte that landed, object by object."""
        return [self.s3.get_object(Bucket=self.bucket, Key=k)["Body"].read()
                for k in self.objects()]

    def ticks(self):
        lines = b"".join(self.raw_ticks()).decode("utf-8").splitlines(keepends=True)
        assert all(line.endswith("\n") for line in lines)
        return [json.loads(line) for line in lines]

    def items(self):
        """Ticker items by name (the run-state item left out)."""
        found = self.ddb.scan(TableName=self.table, ConsistentRead=True)["Items"]
        return {i["TickerName"]["S"]: i for i in found if i["TickerName"]["S"] != "#run"}

    def run_item(self):
        return self.ddb.get_item(TableName=self.table, Key={"TickerName": {"S": "#run"}},
                                 ConsistentRead=True).get("Item")

    def alerts(self):
        messages = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            if not got.get("Messages"):
                return messages
            for m in got["Messages"]:
                messages.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url,
                                        ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture
def aws():
    with mock_aws():
        clients.reset()     # cached clients must not outlive the mock they were made in
        yield
        clients.reset()


@pytest.fixture
def cloud(aws):
    return Cloud().create()


@pytest.fixture
def lambdas(cloud):
    """Chalice's test client: each function gets its stage's environment variables."""
    from app import app
    with Client(app, stage_name=STAGE, project_dir=str(PROJECT)) as client:
        yield client.lambda_
