"""The embedded local AWS: moto's server on 127.0.0.1, and a stage's resources created in it.

The server runs in this process and stops with it: `LocalCloud` is a context manager, and
nothing outlives the `with` block (no thread, no listening port).
"""
import json
import logging
import socket
import threading
import urllib.request

import boto3
from botocore.config import Config
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from tickersim.base.seeds import SEED_FILE, seed_table
from tickersim.base.stage import FAKE_CREDENTIALS
from tickersim.base.wiring import wire_failure_destination
from tickersim.local import firehose as partitioning
from tickersim.local import partiql
from tickersim.local.lambdas import ACCOUNT, PYTHON_RUNTIME, bundle_zip

HOST = "127.0.0.1"


class LocalCloudError(Exception):
    """The local cloud could not start: the message says what to change."""


class LocalCloud:
    def __init__(self, region, port=0):
        self.region = region
        self.port = port
        self.endpoint = None
        self._server = self._thread = None
        self._clients = {}

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        # One log line per request would drown the demo's own output.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        partiql.install()     # DynamoDB's answer to a conditional PartiQL batch, not moto's
        # Bound here rather than by werkzeug, which exits the process on a busy port.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((HOST, self.port))
            listener.listen(128)
            self.port = listener.getsockname()[1]
            self._server = make_server(HOST, self.port, DomainDispatcherApplication(
                create_backend_app), threaded=True, request_handler=MotoRequestHandler,
                fd=listener.fileno())
        except OSError as exc:
            raise LocalCloudError(f"cannot listen on {HOST}:{self.port} ({exc.strerror}): "
                                  "pick another --port, or leave it out for a free one") from None
        finally:
            listener.close()      # the server holds its own duplicate of the socket
        self.endpoint = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="moto-server", daemon=True)
        self._thread.start()
        # moto stores the functions and tickersim.local.lambdas runs them: the coordinator's
        # Invoke calls are answered without Docker (which moto would otherwise try).
        urllib.request.urlopen(urllib.request.Request(
            f"{self.endpoint}/moto-api/config", method="POST",
            data=json.dumps({"lambda": {"use_docker": False}}).encode()), timeout=10).close()

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()     # release the port now, not at garbage collection
        self._thread.join()
        self._server = self._thread = None

    def environment(self):
        """What a process needs to reach this cloud: endpoint, region, fake credentials."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region, **FAKE_CREDENTIALS}

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service, region_name=self.region, endpoint_url=self.endpoint,
                aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
                config=Config(retries={"mode": "standard"}))
        return self._clients[service]

    def arn(self, service, resource):
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"

    # --- the stage's resources, named as on AWS -------------------------------------

    def create_data_resources(self, table, stream, bucket, topic_arn, tickers=SEED_FILE):
        """Table (seeded by the seed script's code), bucket, delivery stream, topic.

        Returns the ARN of the topic; it must be the one the stage's notifier publishes to.
        """
        seed_table(self.client("dynamodb"), table, create=True, path=tickers)
        self.client("s3").create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": self.region})
        role = self.client("iam").create_role(
            RoleName=f"{stream}-delivery", AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "firehose.amazonaws.com"}}]}))["Role"]["Arn"]
        # Configured as infra/data.yaml configures it; moto writes under the prefix taken
        # literally, and deliver_stream() moves the objects where AWS would write them.
        destination = partitioning.destination()
        self.partitioner = partitioning.Partitioner(destination)
        self.client("firehose").create_delivery_stream(
            DeliveryStreamName=stream, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": role, "BucketARN": f"arn:aws:s3:::{bucket}", **destination,
                "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 64},
                "CompressionFormat": "UNCOMPRESSED"})
        created = self.client("sns").create_topic(Name=topic_arn.rsplit(":", 1)[-1])["TopicArn"]
        if created != topic_arn:
            raise LocalCloudError(
                f"the notifier publishes to {topic_arn} (TOPIC_ARN of the stage in "
                f".chalice/config.json) but the local topic is {created}: set TOPIC_ARN to "
                f"{created} for this stage")
        return created

    def deliver_stream(self, bucket):
        """Firehose's event-time partitioning of what the stream received since the last call."""
        return self.partitioner.deliver(self.client("s3"), bucket)

    def subscribe_mailbox(self, topic_arn, queue_name):
        """A queue subscribed to the topic, standing in for the owner's inbox."""
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        return url

    def register_functions(self, streaming, notifier, retries, schedule="rate(1 minute)",
                           worker=None):
        """Record the functions, their schedule and the async config in the local Lambda,
        as `tickersim deploy` does on AWS, so the AWS CLI shows the same set-up.

        moto never runs them: tickersim.local.lambdas does.
        """
        iam, lam, events = self.client("iam"), self.client("lambda"), self.client("events")
        for function in (streaming, notifier, *([worker] if worker else [])):
            role = iam.create_role(RoleName=function.name, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
            lam.create_function(
                FunctionName=function.name, Runtime=PYTHON_RUNTIME, Role=role,
                Handler=function.handler, Code={"ZipFile": bundle_zip(function.code_dir)},
                Timeout=int(function.timeout), MemorySize=function.memory,
                Environment={"Variables": function.environment})
        for function in (streaming, *([worker] if worker else [])):
            wire_failure_destination(lam, function.arn, notifier.arn, retries)
        rule = f"{streaming.name}-event"
        events.put_rule(Name=rule, ScheduleExpression=schedule, State="ENABLED")
        events.put_targets(Rule=rule, Targets=[{"Id": "1", "Arn": streaming.arn}])
        return rule

