"""`tickersim export --format delta`: the tables as Delta Lake tables (delta-rs), partitioned
by dt, written locally (--out DIR) or into the stage's bucket (s3://BUCKET/delta/<table>).

DuckDB reads the records as `tickersim query` does (same columns as the Glue tables); each
export MERGEs them on (dt, ticker, seq) and inserts only the rows the table lacks, so
running it again after new ticks landed adds just those (a backfilled session's seq starts at
1 each day, hence dt in the key). Readable by `deltalake` and `polars`.
"""

from pathlib import Path

from tickersim.data import duck
from tickersim.data.schema import COLUMNS, TABLES

DELTA_PREFIX = "delta"
KEY = ("dt", "ticker", "seq")


def table_uri(location, out, table):
    """Where the table goes: DIR/<table> with --out, else the stage's bucket."""
    if out is not None:
        return str(Path(out).resolve() / table)
    return f"s3://{location.bucket}/{DELTA_PREFIX}/{table}"


def storage_options(location, out):
    """What delta-rs needs to reach the bucket (nothing for a directory)."""
    if out is not None:
        return None
    credentials = location.session.get_credentials().get_frozen_credentials()
    options = {
        "AWS_ACCESS_KEY_ID": credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_key,
        "AWS_REGION": location.region,
    }
    if credentials.token:
        options["AWS_SESSION_TOKEN"] = credentials.token
    if location.endpoint:
        options.update(
            AWS_ENDPOINT_URL=location.endpoint,
            AWS_ALLOW_HTTP="true",
            AWS_S3_ALLOW_UNSAFE_RENAME="true",
        )
    return options


def export(location, out=None):
    """Merge every table that has rows; returns {table: (rows read, rows added)}."""
    import deltalake

    con = duck.connect(location)
    columns = ", ".join(f'"{n}"' for n, _ in COLUMNS)
    options = storage_options(location, out)
    done = {}
    for table in TABLES:
        # A tick Firehose delivered twice is one row (the same bytes both times).
        rows = con.execute(
            f"SELECT DISTINCT ON (dt, ticker, seq) {columns}, dt, "
            f"CAST(hour AS INTEGER) AS hour FROM {table} "
            "ORDER BY dt, ticker, seq"
        ).to_arrow_table()
        if not rows.num_rows:
            continue
        uri = table_uri(location, out, table)
        try:
            target = deltalake.DeltaTable(uri, storage_options=options)
        except deltalake.exceptions.TableNotFoundError:
            # The change data feed lets a consumer read only what each export added.
            deltalake.write_deltalake(
                uri,
                rows,
                partition_by=["dt"],
                storage_options=options,
                configuration={"delta.enableChangeDataFeed": "true"},
            )
            done[table] = (rows.num_rows, rows.num_rows)
            continue
        metrics = (
            target.merge(
                rows,
                predicate=" AND ".join(f"t.{k} = s.{k}" for k in KEY),
                source_alias="s",
                target_alias="t",
            )
            .when_not_matched_insert_all()
            .execute()
        )
        done[table] = (rows.num_rows, metrics.get("num_target_rows_inserted", 0))
    return done
