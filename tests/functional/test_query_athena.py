"""`tickersim query --stage S`: Athena in the stage's workgroup, against moto (queued results)
and a Stubber (a failed query)."""
import json

import boto3
import pytest
import requests
from botocore.stub import Stubber

from tests.functional.data_stage import OUTPUTS, REGION, stage  # noqa: F401 (fixture)
from tickersim.cli import main
from tickersim.data import athena

HEADER = ["ticker", "dt", "hour", "high", "timestamp"]
ROW = ["Index_1", "2026-12-01", "9", "100.5", "2026-12-01T09:59:45Z"]


def queue_result(rows):
    column_info = [{"Name": name, "Type": "varchar"} for name in HEADER]
    answer = requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/athena/query-results",
        json={"region": REGION, "results": [{
            "rows": [{"Data": [{"VarCharValue": v} for v in row]} for row in [HEADER, *rows]],
            "column_info": column_info}]})
    assert answer.status_code == 201


def test_a_stage_query_runs_in_its_workgroup_and_prints_rows_and_the_scan(stage, capsys):
    queue_result([ROW])
    assert main(["query", "--file", "queries/hourly_high.sql", "--stage", "dev",
                 "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line) for line in out.splitlines()] == [dict(zip(HEADER, ROW))]
    assert "scanned" in err and "$" in err
    (execution,) = [boto3.client("athena", region_name=REGION).get_query_execution(
        QueryExecutionId=i)["QueryExecution"] for i in boto3.client(
            "athena", region_name=REGION).list_query_executions()["QueryExecutionIds"]]
    assert execution["WorkGroup"] == OUTPUTS["AthenaWorkGroup"]
    assert execution["QueryExecutionContext"]["Database"] == OUTPUTS["GlueDatabase"]
    assert execution["Query"].startswith("-- For each ticker and hour")


def test_an_unknown_stage_is_one_line_and_exit_2(stage, capsys):
    assert main(["query", "select 1", "--stage", "prod"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "tickersim-prod-data" in err[0]


def test_a_failed_query_gives_athenas_reason_and_exit_2_after_showing_progress():
    client = boto3.client("athena", region_name=REGION)
    stub = Stubber(client)
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"})
    stub.add_response("get_query_execution", {"QueryExecution": {
        "QueryExecutionId": "q1", "Status": {"State": "RUNNING"}}})
    reason = "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved"
    stub.add_response("get_query_execution", {"QueryExecution": {
        "QueryExecutionId": "q1", "Status": {"State": "FAILED", "StateChangeReason": reason}}})
    seen, slept = [], []
    with stub, pytest.raises(athena.QueryFailed, match="COLUMN_NOT_FOUND"):
        athena.run(client, "SELECT nope FROM ticks", "db", "wg", seen.append,
                   sleep=slept.append)
    assert seen == ["running q1 (0 s)"] and slept == [1.0]


def test_results_are_paged_and_the_header_row_dropped_once():
    client = boto3.client("athena", region_name=REGION)
    stub = Stubber(client)
    stub.add_response("start_query_execution", {"QueryExecutionId": "q2"})
    stub.add_response("get_query_execution", {"QueryExecution": {
        "QueryExecutionId": "q2", "Status": {"State": "SUCCEEDED"},
        "Statistics": {"DataScannedInBytes": 123456}}})

    def page(rows, token=None):
        reply = {"ResultSet": {"Rows": [{"Data": [{"VarCharValue": v} for v in r]} for r in rows],
                               "ResultSetMetadata": {"ColumnInfo": [
                                   {"Name": "ticker", "Type": "varchar"}]}}}
        return {**reply, "NextToken": token} if token else reply
    stub.add_response("get_query_results", page([["ticker"], ["A"]], "t1"))
    stub.add_response("get_query_results", page([["B"]]))
    with stub:
        assert athena.run(client, "SELECT ticker FROM ticks", "db", "wg") == (
            ["ticker"], [["A"], ["B"]], 123456)
    assert athena.cost(0) == athena.cost(athena.MIN_BILLED_BYTES) > 0
