"""infra/data.yaml's Glue tables and Athena workgroup (moto's CloudFormation skips both): sent,
resolved, to the real Glue and Athena APIs (botocore validates every field), and checked
against the schema DuckDB uses locally."""
import base64
import json
import re

import boto3
import pytest
import sqlglot
from moto import mock_aws

from tickersim.aws import stack
from tickersim.base import data_template, naming
from tickersim.base.data_template import load_data_template
from tickersim.data.schema import COLUMNS, PARTITIONS, TIMESTAMP_FORMAT

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
    if isinstance(node, dict) and set(node) == {"Fn::Base64"}:
        return base64.b64encode(resolve(node["Fn::Base64"]).encode()).decode()
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
        for name in ("TicksTable", "HistoryTable", "CourseView"):
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


@pytest.mark.parametrize("table", ["TicksTable", "HistoryTable"])
def test_the_serde_reads_the_records_times_as_utc_timestamps(table):
    """The ISO-8601 `Z` text of every record, parsed into the schema's timestamp column, by
    the tables and by Firehose's Parquet conversion alike."""
    serde = RESOURCES[table]["Properties"]["TableInput"]["StorageDescriptor"]["SerdeInfo"]
    assert serde["Parameters"] == {"timestamp.formats": TIMESTAMP_FORMAT}
    firehose = RESOURCES["DeliveryStream"]["Properties"]["ExtendedS3DestinationConfiguration"]
    deserializer = firehose["DataFormatConversionConfiguration"]["Fn::If"][1][
        "InputFormatConfiguration"]["Deserializer"]
    assert deserializer == {"HiveJsonSerDe": {"TimestampFormats": [TIMESTAMP_FORMAT]}}


def test_the_courses_table_is_an_athena_view_over_both_tables_with_duckdbs_columns(catalog,
                                                                                  tmp_path):
    """What Athena reads from Glue for a view: a VIRTUAL_VIEW whose original text is base64
    JSON in a comment. Its columns are the DuckDB view's, in its own database."""
    from tickersim.data.duck import connect
    from tickersim.data.location import Location
    glue, _, database = catalog
    got = glue.get_table(DatabaseName=database, Name="finance_stream_data")["Table"]
    assert got["TableType"] == "VIRTUAL_VIEW" and got["Parameters"]["presto_view"] == "true"
    text = got["ViewOriginalText"]
    assert text.startswith("/* Presto View: ") and text.endswith(" */")
    view = json.loads(base64.b64decode(text[len("/* Presto View: "):-len(" */")]))
    assert (view["catalog"], view["schema"]) == ("awsdatacatalog", database)
    local = connect(Location(directory=str(tmp_path))).execute(
        "SELECT * FROM finance_stream_data").description
    trino = {"VARCHAR": "varchar", "DOUBLE": "double"}
    assert [(c["name"], c["type"]) for c in view["columns"]] == [
        (d[0], trino[str(d[1])]) for d in local]
    assert [(c["Name"], c["Type"]) for c in got["StorageDescriptor"]["Columns"]] == [
        (c["name"], {"varchar": "string"}.get(c["type"], c["type"])) for c in view["columns"]]
    tree = sqlglot.parse_one(view["originalSql"], read="trino")
    assert {t.name for t in tree.find_all(sqlglot.exp.Table)} == {"ticks", "history"}
    assert "'America/New_York'" in view["originalSql"]
