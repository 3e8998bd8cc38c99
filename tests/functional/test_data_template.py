"""infra/data.yaml, the parts moto's CloudFormation skips, checked by other means.

The e2e deploy test creates the stack on moto's server, but moto's CloudFormation silently
skips AWS::KinesisFirehose::DeliveryStream, AWS::SNS::Subscription and AWS::Logs::LogStream
(the bucket policy is in test_bucket_policy.py), and creates the bucket and table without
their versioning, lifecycle, ownership, public access block or point-in-time recovery. Here
the delivery stream's properties are sent, resolved, to the real CreateDeliveryStream API
(botocore validates every field against the service model; moto stores them) and the rest is
checked in the template itself; cfn-lint (`make lint`) validates it against AWS's schemas.
"""
import fnmatch

import boto3
import pytest
from moto import mock_aws

from tickersim.aws import stack
from tickersim.base import data_template, naming
from tickersim.base.data_template import load_data_template
from tickersim.base.seeds import KEY
from tickersim.data.schema import TIMESTAMP_FORMAT

NAMES = naming.names_for("Kyle Maposa")
TEMPLATE = load_data_template()
RESOURCES = TEMPLATE["Resources"]
REFS = {**stack.example_refs(NAMES, account="123456789012"),
        "DeliveryRole.Arn": "arn:aws:iam::123456789012:role/tickersim-dev-data-DeliveryRole-X"}


def _refs(record_format):
    return {**REFS, "RecordFormat": record_format, "IsParquet": record_format == "parquet"}


def _created(record_format):
    """The delivery stream as Firehose describes it after CreateDeliveryStream."""
    properties = data_template.resolve(RESOURCES["DeliveryStream"]["Properties"], _refs(record_format))
    with mock_aws():
        firehose = boto3.client("firehose")
        firehose.create_delivery_stream(**properties)
        return firehose.describe_delivery_stream(
            DeliveryStreamName=NAMES.stream)["DeliveryStreamDescription"]


@pytest.fixture
def delivery_stream():
    return _created("json")


def test_the_delivery_stream_is_a_valid_direct_put_stream_into_the_bucket(delivery_stream):
    assert delivery_stream["DeliveryStreamType"] == "DirectPut"
    destination = delivery_stream["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert destination["BucketARN"] == f"arn:aws:s3:::{NAMES.bucket}"
    assert destination["RoleARN"] == REFS["DeliveryRole.Arn"]
    # Event time from each record (tests/unit/test_partitions.py evaluates the query).
    assert destination["Prefix"] == ("!{partitionKeyFromQuery:table}/dt=!{partitionKeyFromQuery:dt}"
                                     "/hour=!{partitionKeyFromQuery:hour}/")
    assert destination["DynamicPartitioningConfiguration"]["Enabled"] is True
    assert [p["Type"] for p in destination["ProcessingConfiguration"]["Processors"]] == [
        "RecordDeAggregation", "MetadataExtraction", "AppendDelimiterToRecord"]
    assert "!{firehose:error-output-type}" in destination["ErrorOutputPrefix"]
    # A live demo: ticks show up about a minute after each run (64 MiB: dynamic
    # partitioning's smallest buffer, which a minute of ticks never fills).
    assert destination["BufferingHints"] == {"IntervalInSeconds": 60, "SizeInMBs": 64}
    assert destination["CloudWatchLoggingOptions"] == {
        "Enabled": True, "LogGroupName": f"/aws/kinesisfirehose/{NAMES.stream}",
        "LogStreamName": "DestinationDelivery"}
    assert "DataFormatConversionConfiguration" not in destination     # JSON lines as sent


def test_a_parquet_stage_converts_each_record_with_the_ticks_table_schema():
    json_lines = _created("json")["Destinations"][0]["ExtendedS3DestinationDescription"]
    destination = _created("parquet")["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert destination["DataFormatConversionConfiguration"] == {
        "Enabled": True,
        # The Hive JSON SerDe, as the JSON tables read the records, times included.
        "InputFormatConfiguration": {"Deserializer": {"HiveJsonSerDe": {
            "TimestampFormats": [TIMESTAMP_FORMAT]}}},
        "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"Compression": "SNAPPY"}}},
        "SchemaConfiguration": {"CatalogId": "123456789012", "DatabaseName": "tickersim_dev_data",
                                "TableName": "ticks", "Region": "eu-west-1",
                                "RoleARN": REFS["DeliveryRole.Arn"], "VersionId": "LATEST"}}
    # No newline after a record that becomes a Parquet row; the rest as for JSON lines:
    # conversion keeps S3 compression off (Snappy is inside the files) and needs 64 MiB.
    assert [p["Type"] for p in destination["ProcessingConfiguration"]["Processors"]] == [
        "RecordDeAggregation", "MetadataExtraction"]
    assert destination["CompressionFormat"] == "UNCOMPRESSED"
    assert destination["BufferingHints"]["SizeInMBs"] >= 64
    same = ("Prefix", "ErrorOutputPrefix", "DynamicPartitioningConfiguration", "BufferingHints",
            "BucketARN", "RoleARN")
    assert {k: destination[k] for k in same} == {k: json_lines[k] for k in same}
    assert destination["ProcessingConfiguration"]["Processors"] == \
        json_lines["ProcessingConfiguration"]["Processors"][:2]


@pytest.mark.parametrize("record_format, input_format, serde", [
    ("json", "org.apache.hadoop.mapred.TextInputFormat",
     "org.apache.hive.hcatalog.data.JsonSerDe"),
    ("parquet", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
     "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")])
def test_the_ticks_table_reads_the_format_the_stream_writes_and_history_stays_json(
        record_format, input_format, serde):
    refs = {**_refs(record_format), "Bucket": NAMES.bucket}
    ticks = data_template.resolve(RESOURCES["TicksTable"]["Properties"], refs)["TableInput"]
    history = data_template.resolve(RESOURCES["HistoryTable"]["Properties"], refs)["TableInput"]
    assert ticks["StorageDescriptor"]["InputFormat"] == input_format
    times = {"timestamp.formats": TIMESTAMP_FORMAT}      # read by the JSON SerDe only
    assert ticks["StorageDescriptor"]["SerdeInfo"] == {"SerializationLibrary": serde,
                                                       "Parameters": times}
    assert ticks["Parameters"]["classification"] == record_format
    assert ticks["StorageDescriptor"]["Columns"] == history["StorageDescriptor"]["Columns"]
    assert history["StorageDescriptor"]["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hive.hcatalog.data.JsonSerDe", "Parameters": times}


def _statements(document):
    return document["Statement"]


def _allows(document, action, resource):
    return any(action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
               and any(fnmatch.fnmatchcase(resource, r)
                       for r in (s["Resource"] if isinstance(s["Resource"], list)
                                 else [s["Resource"]]))
               for s in _statements(document) if s["Effect"] == "Allow")


def test_the_delivery_role_writes_only_where_the_stream_writes():
    """For JSON lines; the Parquet role adds the schema read (next test)."""
    role = RESOURCES["DeliveryRole"]["Properties"]
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "firehose.amazonaws.com"}]
    assert data_template.resolve(trust[0]["Condition"], REFS) == {
        "StringEquals": {"sts:ExternalId": "123456789012"}}   # no confused deputy
    (policy,) = role["Policies"]
    document = data_template.resolve(policy["PolicyDocument"], _refs("json"))
    bucket = f"arn:aws:s3:::{NAMES.bucket}"
    assert _allows(document, "s3:PutObject", f"{bucket}/ticks/dt=2026-11-26/hour=09/x")
    assert _allows(document, "s3:PutObject", f"{bucket}/news/dt=2026-11-26/hour=09/x")
    assert not _allows(document, "s3:PutObject", f"{bucket}/history/dt=2026-11-26/hour=09/x")
    assert _allows(document, "s3:PutObject", f"{bucket}/errors/format-conversion-failed/x")
    assert not _allows(document, "s3:PutObject", f"{bucket}/elsewhere")
    assert not _allows(document, "s3:PutObject", "arn:aws:s3:::someone-elses-bucket/ticks/x")
    assert _allows(document, "logs:PutLogEvents",
                   f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/kinesisfirehose/"
                   f"{NAMES.stream}:log-stream:DestinationDelivery")
    assert {a for s in _statements(document) for a in
            (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])} == {
        "s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
        "s3:ListBucketMultipartUploads", "s3:PutObject", "logs:PutLogEvents"}


def test_a_parquet_stages_role_also_reads_the_ticks_tables_schema_and_nothing_else():
    (policy,) = RESOURCES["DeliveryRole"]["Properties"]["Policies"]
    json_lines = data_template.resolve(policy["PolicyDocument"], _refs("json"))
    parquet = data_template.resolve(policy["PolicyDocument"], _refs("parquet"))
    (schema,) = [s for s in _statements(parquet) if s not in _statements(json_lines)]
    assert len(_statements(parquet)) == len(_statements(json_lines)) + 1
    assert schema["Action"] == ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"]
    glue = "arn:aws:glue:eu-west-1:123456789012"
    assert schema["Resource"] == [f"{glue}:catalog", f"{glue}:database/tickersim_dev_data",
                                  f"{glue}:table/tickersim_dev_data/ticks"]
    assert not _allows(parquet, "glue:GetTable", f"{glue}:table/tickersim_dev_data/history")


@pytest.mark.parametrize("topic, param, first", [("Topic", "AlertEmail", None),
                                                  ("MarketTopic", "MoveEmail", "HasMoveEmail")])
def test_each_address_gets_an_email_subscription_to_its_topic(topic, param, first):
    subscriptions = {name: r for name, r in RESOURCES.items()
                     if r["Type"] == "AWS::SNS::Subscription"
                     and r["Properties"]["TopicArn"] == {"Ref": topic}}
    endpoints = {r["Properties"]["Endpoint"]["Ref"]: r.get("Condition")
                 for r in subscriptions.values()}
    assert endpoints == {param: first, f"{param}2": f"Has{param}2", f"{param}3": f"Has{param}3"}
    for resource in subscriptions.values():
        assert resource["Properties"]["Protocol"] == "email"


@pytest.mark.parametrize("emails, expected", [
    (["a@x.io"], {"AlertEmail": "a@x.io", "AlertEmail2": "", "AlertEmail3": ""}),
    (["a@x.io", "b@x.io", "c@x.io"], {"AlertEmail": "a@x.io", "AlertEmail2": "b@x.io",
                                      "AlertEmail3": "c@x.io"}),
])
def test_deploy_passes_one_to_three_addresses(emails, expected):
    given = {p["ParameterKey"]: p["ParameterValue"] for p in stack.parameters(NAMES, emails)}
    assert {k: v for k, v in given.items() if k.startswith("AlertEmail")} == expected
    assert set(given) <= set(TEMPLATE["Parameters"])


@pytest.mark.parametrize("emails", [[], ["a@x.io"] * 4])
def test_deploy_refuses_no_address_or_more_than_the_template_takes(emails):
    with pytest.raises(ValueError, match="1 to 3 alert addresses"):
        stack.parameters(NAMES, emails)


def test_the_table_is_on_demand_with_point_in_time_recovery_keyed_as_the_seed_expects():
    table = data_template.resolve(RESOURCES["Table"]["Properties"], {**REFS, "IsProvisioned": False})
    assert table["BillingMode"] == "PAY_PER_REQUEST" and "ProvisionedThroughput" not in table
    assert TEMPLATE["Parameters"]["Capacity"]["Default"] == "on-demand"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["KeySchema"] == [{"AttributeName": KEY, "KeyType": "HASH"}]


def test_the_bucket_is_versioned_unless_asked_and_old_ticks_and_versions_expire():
    bucket = RESOURCES["Bucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": {"Ref": "Versioning"}}
    assert TEMPLATE["Parameters"]["Versioning"]["Default"] == "Enabled"
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-old-ticks"]["Prefix"] == "ticks/"
    assert rules["expire-old-ticks"]["ExpirationInDays"] == {"Ref": "TickRetentionDays"}
    assert rules["tidy-versions-and-uploads"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": 1}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_the_outputs_name_everything_deploy_records():
    assert {"TableName", "TableArn", "DeliveryStreamName", "DeliveryStreamArn", "TopicArn",
            "BucketName", "TicksPrefix"} <= set(TEMPLATE["Outputs"])


@pytest.mark.parametrize("shards", ["2", stack.ON_DEMAND])
def test_the_data_stream_is_encrypted_kept_24_h_and_sized_as_asked(shards):
    refs = {**REFS, **stack.example_refs(NAMES, account="123456789012", sink="both",
                                         shards=shards),
            "DeliveryRole.Arn": REFS["DeliveryRole.Arn"]}
    assert RESOURCES["DataStream"]["Condition"] == "HasDataStream"
    props = data_template.resolve(RESOURCES["DataStream"]["Properties"], refs)
    assert props["StreamEncryption"] == {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
    assert props["RetentionPeriodHours"] == 24 and props["Name"] == NAMES.data_stream
    assert (props.get("ShardCount"), props["StreamModeDetails"]["StreamMode"]) == (
        (None, "ON_DEMAND") if shards == stack.ON_DEMAND else ("2", "PROVISIONED"))
    assert stack.shards_of(refs) == shards
    with mock_aws():      # the real API takes what the template would create
        kinesis = boto3.client("kinesis")
        kinesis.create_stream(StreamName=props["Name"], StreamModeDetails=props[
            "StreamModeDetails"], **({"ShardCount": int(props["ShardCount"])}
                                     if "ShardCount" in props else {}))
        kinesis.start_stream_encryption(StreamName=props["Name"], **props["StreamEncryption"])
        summary = kinesis.describe_stream_summary(StreamName=props["Name"])[
            "StreamDescriptionSummary"]
        assert summary["EncryptionType"] == "KMS" and summary["RetentionPeriodHours"] == 24


def test_with_sink_both_firehose_reads_the_stream_with_a_role_that_may():
    refs = {**stack.example_refs(NAMES, account="123456789012", sink="both"),
            "DeliveryRole.Arn": REFS["DeliveryRole.Arn"]}
    props = data_template.resolve(RESOURCES["DeliveryStream"]["Properties"], refs)
    assert props["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert "DeliveryStreamEncryptionConfigurationInput" not in props
    with mock_aws():
        firehose = boto3.client("firehose")
        firehose.create_delivery_stream(**props)
        source = firehose.describe_delivery_stream(DeliveryStreamName=NAMES.stream)[
            "DeliveryStreamDescription"]["Source"]["KinesisStreamSourceDescription"]
    assert source["KinesisStreamARN"] == refs["DataStream.Arn"]
    role = data_template.resolve(RESOURCES["DeliveryRole"]["Properties"], refs)
    (read,) = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]
               if s["Sid"] == "ReadDataStream"]
    assert read["Resource"] == refs["DataStream.Arn"] and "kinesis:GetRecords" in read["Action"]
    # Sink firehose: no stream, and Firehose takes records directly as before.
    plain = data_template.resolve(RESOURCES["DeliveryStream"]["Properties"],
                          {**REFS, **stack.example_refs(NAMES, account="123456789012")})
    assert plain["DeliveryStreamType"] == "DirectPut"
