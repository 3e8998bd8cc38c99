"""DuckDB over the bucket's layout: a directory, or the local demo's bucket over httpfs.

Each table is a view over its own `dt=…/hour=…/` folders (hive partitioning), so a query
restricted to some partitions opens only their objects. JSON lines or Parquet (what
`tickersim export` writes), whichever the table's folder holds.
"""
import glob
import os
from urllib.parse import urlparse

from tickersim.base import endpoints
from tickersim.data import course
from tickersim.data.schema import COLUMNS, DUCKDB, PARTITIONS, TABLES

HIVE_TYPES = "{" + ", ".join(f"'{n}': '{DUCKDB[t]}'" for n, t in PARTITIONS) + "}"
JSON_COLUMNS = "{" + ", ".join(f"'{n}': '{DUCKDB[t]}'" for n, t in COLUMNS) + "}"
SELECT = ", ".join(f'"{n}"' for n, _ in COLUMNS + PARTITIONS)


def httpfs_extension():
    """The httpfs binary the duckdb-extension-httpfs wheel ships (DuckDB cannot download it
    here), for the installed DuckDB's version."""
    import duckdb
    import duckdb_extension_httpfs
    root = os.path.dirname(duckdb_extension_httpfs.__file__)
    path = os.path.join(root, "extensions", f"v{duckdb.__version__}", "httpfs.duckdb_extension")
    if not os.path.exists(path):
        raise RuntimeError(f"no httpfs extension for DuckDB {duckdb.__version__} in {root}: "
                           "pin duckdb-extension-httpfs to the same version as duckdb")
    return path


# What makes a line a tick (as the API reads them): the four fields that never change meaning.
TICK = " AND ".join(f'"{n}" IS NOT NULL' for n in ("ticker", "timestamp", "price", "seq"))
MALFORMED = "_malformed"        # lenient connections: lines skipped per table


def scan(root, table, parquet, lenient=False):
    pattern = f"{root}/{table}/dt=*/hour=*/*"
    if parquet:
        return (f"read_parquet('{pattern}.parquet', hive_partitioning = true, "
                f"hive_types = {HIVE_TYPES})")
    # ignore_errors: a line that is not JSON, or not of the schema's types, is a row of nulls.
    return (f"read_json('{pattern}', format = 'newline_delimited', columns = {JSON_COLUMNS}, "
            f"hive_partitioning = true, hive_types = {HIVE_TYPES}"
            f"{', ignore_errors = true' if lenient else ''})")


def empty():
    """A table of no rows with the schema, for a table nothing has been written to yet."""
    return "SELECT " + ", ".join(
        f'CAST(NULL AS {DUCKDB[t]}) AS "{n}"' for n, t in COLUMNS + PARTITIONS) + " WHERE false"


def connect(location, lenient=False):
    """A DuckDB connection with views `ticks` and `history` over the location's data, and the
    course's `finance_stream_data` over both. `lenient`: lines that are not ticks are left
    out of the views (the API skips them too) and counted by malformed_lines()."""
    import duckdb
    con = duckdb.connect()
    # Times are UTC whatever the machine's zone: dt, hour and date_trunc agree with Athena.
    con.execute("SET TimeZone = 'UTC'")
    if location.directory is not None:
        root = location.directory.replace("'", "''")
        kinds = {t: _dir_kind(location.directory, t) for t in TABLES}
    else:
        _attach_s3(con, location)
        root = f"s3://{location.bucket}"
        kinds = {t: _bucket_kind(location, t) for t in TABLES}
    counts = []
    for table, kind in kinds.items():
        source = (empty() if kind is None
                  else f"SELECT {SELECT} FROM {scan(root, table, kind == 'parquet', lenient)}")
        if kind == "json" and lenient:
            counts.append(f"SELECT '{table}' AS \"table\", count(*) AS lines FROM "
                          f"{scan(root, table, False, True)} WHERE NOT ({TICK})")
            source += f" WHERE {TICK}"
        elif kind == "json":
            # Every query reads the four fields, so a bad line fails it whatever it selects
            # (the caller then asks again leniently, and counts).
            source += (f" WHERE CASE WHEN {TICK} THEN true ELSE "
                       f"error('a line in {table}/ is not a tick') END")
        con.execute(f"CREATE VIEW {table} AS {source}")
    if counts:
        con.execute(f"CREATE VIEW {MALFORMED} AS {' UNION ALL '.join(counts)}")
    con.execute(course.DUCKDB_VIEW)
    return con


def malformed_lines(con):
    """{table: lines left out} of a lenient connection (tables with none left out)."""
    if not con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?",
                       [MALFORMED]).fetchone()[0]:
        return {}           # no table of JSON lines: nothing to leave out
    return {t: n for t, n in con.execute(f"SELECT * FROM {MALFORMED}").fetchall() if n}


def _dir_kind(directory, table):
    """'json', 'parquet', or None when the table's folder holds no objects yet."""
    files = [f for f in glob.iglob(os.path.join(glob.escape(directory), table, "dt=*", "hour=*",
                                                "*")) if os.path.isfile(f)]
    if not files:
        return None
    return "parquet" if files[0].endswith(".parquet") else "json"


def _bucket_kind(location, table):
    listed = location.client("s3").list_objects_v2(
        Bucket=location.bucket, Prefix=f"{table}/dt=", MaxKeys=1).get("Contents", [])
    if not listed:
        return None
    return "parquet" if listed[0]["Key"].endswith(".parquet") else "json"


def _attach_s3(con, location):
    con.execute(f"INSTALL '{httpfs_extension()}'")
    con.execute("LOAD httpfs")
    credentials = location.session.get_credentials().get_frozen_credentials()
    options = {"KEY_ID": credentials.access_key, "SECRET": credentials.secret_key,
               "REGION": location.region}
    if credentials.token:
        options["SESSION_TOKEN"] = credentials.token
    endpoint = endpoints.resolve("s3", location.endpoint)
    if endpoint:
        url = urlparse(endpoint)
        options.update(ENDPOINT=url.netloc, URL_STYLE="path",
                       USE_SSL="true" if url.scheme == "https" else "false")
    settings = ", ".join(f"{k} {v}" if v in ("true", "false") else
                         "{} '{}'".format(k, v.replace("'", "''")) for k, v in options.items())
    con.execute(f"CREATE SECRET bucket (TYPE s3, {settings})")
