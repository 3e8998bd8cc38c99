"""The tables `ticks` and `history`: one schema for DuckDB, the Parquet export and the Glue
tables, so every reader (Athena, DuckDB, pyarrow, pandas) sees the same types.

Types are Athena's (Hive DDL) names; DUCKDB maps them. `timestamp` is a UTC timestamp (the
Glue tables parse the records' ISO-8601 text with TIMESTAMP_FORMAT), `volume` an integer,
`dt` a date and `hour` an integer. bid, ask and volume are null for instruments that do not
quote them.
"""
TABLES = ("ticks", "history")
COLUMNS = (("ticker", "string"), ("timestamp", "timestamp"), ("price", "double"),
           ("seq", "bigint"), ("bid", "double"), ("ask", "double"), ("volume", "bigint"))
PARTITIONS = (("dt", "date"), ("hour", "int"))
DUCKDB = {"string": "VARCHAR", "double": "DOUBLE", "bigint": "BIGINT", "int": "INTEGER",
          "timestamp": "TIMESTAMPTZ", "date": "DATE"}
# How the Hive JSON SerDe (Athena, Firehose's Parquet conversion) reads the records' times.
TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss'Z'"


def partition_path(table, dt, hour):
    """The folder of one partition, as Firehose and the backfill write it."""
    return f"{table}/dt={dt}/hour={int(hour):02d}/"
