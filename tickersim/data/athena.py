"""Athena for a deployed stage: start the query in the stage's workgroup, wait, page results.

The workgroup (infra/data.yaml) fixes where results go and enforces it; the Glue database
holds the tables `ticks` and `history`.
"""
import time

PRICE_PER_TB = 5.0                  # USD per TB scanned (eu-west-1, as us-east-1)
MIN_BILLED_BYTES = 10 * 2 ** 20     # every query is billed at least 10 MB
TB = 2 ** 40
DONE = {"SUCCEEDED", "FAILED", "CANCELLED"}


class QueryFailed(Exception):
    """Athena's own message for a query it refused or could not run."""


def cost(scanned_bytes):
    return max(scanned_bytes, MIN_BILLED_BYTES) / TB * PRICE_PER_TB


def run(athena, sql, database, workgroup, progress=None, poll_s=1.0, sleep=time.sleep):
    """(column names, rows as lists of strings or None, scanned bytes)."""
    query_id = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": database},
        WorkGroup=workgroup)["QueryExecutionId"]
    waited = 0.0
    while True:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        state = execution["Status"]["State"]
        if state in DONE:
            break
        if progress:
            progress(f"{state.lower()} {query_id} ({waited:.0f} s)")
        sleep(poll_s)
        waited += poll_s
    if state != "SUCCEEDED":
        raise QueryFailed(execution["Status"].get("StateChangeReason") or f"query {state}")
    scanned = execution.get("Statistics", {}).get("DataScannedInBytes", 0)
    columns, rows = None, []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        result = page["ResultSet"]
        if columns is None:
            columns = [c["Name"] for c in result.get("ResultSetMetadata", {}).get("ColumnInfo", [])]
            page_rows = result.get("Rows", [])[1:]       # the first row repeats the header
        else:
            page_rows = result.get("Rows", [])
        rows += [[cell.get("VarCharValue") for cell in row["Data"]] for row in page_rows]
    return columns or [], rows, scanned
