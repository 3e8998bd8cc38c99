"""infra/data.yaml's Glue tables and Athena workgroup (moto's CloudFormation skips both): sent,
resolved, to the real Glue and Athena APIs (botocore validates every field), and checked
against the schema DuckDB uses locally."""
import re

import boto3
import pytest
from moto import mock_aws

from tickersim.aws import stack
from tickersim.base import data_template, naming
from tickersim.base.data_template import load_data_template
from tickersim.data.schema import COLUMNS, PARTITIONS

NAMES = naming.names_for("Kyle Maposa")
STACK = naming.stack_name("dev")
TEMPLATE = load_data_template()
RESOURCES = TEMPLATE["Resources"]
REFS = {**stack.example_refs(NAMES, account="123456789012"), "AWS::StackName": STACK,
        "QueryDatabase": "tickersim_dev_data"}


def resolve(node):
    """stack.resolve, plus the two functions and the ${!…} escape these resources use."""
    if isinstance(node, dict) and set(node) == {"Fn::Join"}:
        separator, parts = node["Fn::Join"]
        return separator.join(resolve(parts))
    if isinstance(node, dict) and set(node) == {"Fn::Split"}:
        separator, text = node["Fn::Split"]
        return resolve(text).split(separator)
    if isinstance(node, dict) and set(node) == {"Fn::Sub"}:
        return data_template.resolve(node, REFS).replace("${!", "${")
    if isinstance(node, dict) and set(node) not in ({"Ref"}, {"Fn::GetAtt"}, {"Fn::If"}):
        return {k: resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v) for v in node]
    return data_template.resolve(node, REFS)


@pytest.fixture
def catalog():
    with mock_aws():
        glue, athena = boto3.client("glue"), boto3.client("athena")
        database = resolve(RESOURCES["QueryDatabase"]["Properties"])
        glue.create_database(**database)
        for name in ("TicksTable", "HistoryTable"):
            glue.create_table(**resolve(RESOURCES[name]["Properties"]))
        group = resolve(RESOURCES["QueryWorkGroup"]["Properties"])
        # CloudFormation's WorkGroupConfiguration is the API's Configuration.
        athena.create_work_group(Name=group["Name"], Description=group["Description"],
                                 Configuration=group["WorkGroupConfiguration"])
        yield glue, athena, database["DatabaseInput"]["Name"]


def test_the_database_name_is_the_stacks_with_underscores_and_matches_the_output(catalog):
    _, _, database = catalog
    assert database == "tickersim_dev_data"
    assert re.fullmatch(r"[a-z0-9_]+", database)         # Athena takes no hyphens there
    assert resolve(TEMPLATE["Outputs"]["GlueDatabase"]["Value"]) == database
    assert resolve(TEMPLATE["Outputs"]["AthenaWorkGroup"]["Value"]) == STACK


def test_a_parquet_stages_ticks_table_is_a_valid_parquet_table(monkeypatch):
    monkeypatch.setitem(REFS, "IsParquet", True)
    with mock_aws():
        glue = boto3.client("glue")
        glue.create_database(**resolve(RESOURCES["QueryDatabase"]["Properties"]))
        glue.create_table(**resolve(RESOURCES["TicksTable"]["Properties"]))
        got = glue.get_table(DatabaseName="tickersim_dev_data", Name="ticks")["Table"]
    assert got["StorageDescriptor"]["OutputFormat"] == \
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    assert [(c["Name"], c["Type"]) for c in got["StorageDescriptor"]["Columns"]] == \
        list(COLUMNS)
    assert got["Parameters"]["classification"] == "parquet"


@pytest.mark.parametrize("table", ["ticks", "history"])
def test_each_table_has_the_schema_columns_and_projects_the_event_time_partitions(catalog,
                                                                                   table):
    glue, _, database = catalog
    got = glue.get_table(DatabaseName=database, Name=table)["Table"]
    assert [(c["Name"], c["Type"]) for c in got["StorageDescriptor"]["Columns"]] == \
        list(COLUMNS)
    assert [(c["Name"], c["Type"]) for c in got["PartitionKeys"]] == list(PARTITIONS)
    assert got["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == \
        "org.apache.hive.hcatalog.data.JsonSerDe"
    p = got["Parameters"]
    assert p["projection.enabled"] == "true"
    assert (p["projection.dt.type"], p["projection.dt.format"]) == ("date", "yyyy-MM-dd")
    assert p["projection.dt.range"].endswith(",NOW")
    assert (p["projection.hour.type"], p["projection.hour.range"],
            p["projection.hour.digits"]) == ("integer", "0,23", "2")
    # The same folders Firehose and the backfill write (tickersim/data/schema.py).
    assert p["storage.location.template"] == \
        f"s3://{NAMES.bucket}/{table}/dt=${{dt}}/hour=${{hour}}/"
    assert got["StorageDescriptor"]["Location"] == f"s3://{NAMES.bucket}/{table}/"


def test_the_workgroup_enforces_results_under_a_prefix_that_expires_in_a_day(catalog):
    _, athena, _ = catalog
    config = athena.get_work_group(WorkGroup=STACK)["WorkGroup"]["Configuration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["ResultConfiguration"]["OutputLocation"] == \
        f"s3://{NAMES.bucket}/athena-results/"
    rules = {r["Id"]: r for r in RESOURCES["Bucket"]["Properties"]["LifecycleConfiguration"][
        "Rules"]}
    assert rules["expire-query-results"]["Prefix"] == "athena-results/"
    assert rules["expire-query-results"]["ExpirationInDays"] == 1
    # Teardown deletes the stack: the workgroup goes even with a query history.
    assert RESOURCES["QueryWorkGroup"]["Properties"]["RecursiveDeleteOption"] is True
