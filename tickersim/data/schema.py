"""The tables `ticks` and `history`: one column list for DuckDB and for the Glue tables.

Types are Athena's (Hive DDL) names; DUCKDB maps them. `timestamp` stays the ISO-8601 text
the records carry (it sorts as time does, and Hive's JSON SerDe would not parse its `Z`).
bid, ask and volume are null for instruments that do not quote them.
"""
TABLES = ("ticks", "history")
COLUMNS = (("ticker", "string"), ("timestamp", "string"), ("price", "double"),
           ("seq", "bigint"), ("bid", "double"), ("ask", "double"), ("volume", "double"))
PARTITIONS = (("dt", "string"), ("hour", "int"))
DUCKDB = {"string": "VARCHAR", "double": "DOUBLE", "bigint": "BIGINT", "int": "INTEGER"}


def partition_path(table, dt, hour):
    """The folder of one partition, as Firehose and the backfill write it."""
    return f"{table}/dt={dt}/hour={int(hour):02d}/"
