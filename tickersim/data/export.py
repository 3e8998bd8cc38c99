"""`tickersim export --format parquet`: the tables as Parquet (Snappy), same partitions.

DuckDB reads the stage's bucket or a directory as `tickersim query` does and writes
TO/ticks/dt=YYYY-MM-DD/hour=HH/*.parquet and the same for history; `tickersim query --dir TO`
then runs the same SQL over the Parquet copy.
"""
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from tickersim.data import location as locations
from tickersim.data.schema import COLUMNS, TABLES


class ExportError(Exception):
    """The message says which option to change."""


def add_arguments(parser):
    parser.add_argument("--format", choices=("parquet",), required=True,
                        help="parquet (Snappy-compressed)")
    parser.add_argument("--to", required=True, metavar="DIR",
                        help="where to write ticks/ and history/ (must not hold them yet)")
    locations.add_arguments(parser)


def export(location, target):
    """Write every table that has rows; returns {table: rows written}."""
    import duckdb

    from tickersim.data import duck
    target = Path(target).resolve()
    taken = [t for t in TABLES if (target / t).exists() and any((target / t).iterdir())]
    if taken:
        raise ExportError(f"--to {target}: {', '.join(taken)}/ already hold files; pick a new "
                          "directory (export never overwrites)")
    con = duck.connect(location)
    target.mkdir(parents=True, exist_ok=True)
    columns = ", ".join(f'"{n}"' for n, _ in COLUMNS)
    written = {}
    try:
        for table in TABLES:
            rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if not rows:
                continue
            path = str(target / table).replace("'", "''")
            # hour as two digits in the folder name, as Firehose writes it; read back as int.
            con.execute(f"COPY (SELECT {columns}, dt, lpad(CAST(hour AS VARCHAR), 2, '0') AS hour "
                        f"FROM {table}) TO '{path}' (FORMAT parquet, COMPRESSION snappy, "
                        f"PARTITION_BY (dt, hour), FILENAME_PATTERN '{table}_{{i}}')")
            written[table] = rows
    except duckdb.Error as exc:
        raise ExportError(str(exc).strip().splitlines()[0]) from None
    return written


def main(args):
    try:
        written = export(locations.resolve(args), args.to)
    except (ExportError, locations.LocationError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"export: AWS refused: {exc}", file=sys.stderr)
        return 1
    if not written:
        print("export: nothing to export: ticks/ and history/ hold no records yet")
        return 0
    print(f"exported {', '.join(f'{t} ({n:,} rows)' for t, n in written.items())} as Parquet "
          f"to {Path(args.to).resolve()}")
    return 0
