"""`tickersim export --format parquet|json`: the tables as Parquet (Snappy) or JSON lines,
same partitions.

DuckDB reads the stage's bucket or a directory as `tickersim query` does and writes
TO/ticks/dt=YYYY-MM-DD/hour=HH/*.parquet (or *.json) and the same for history; `tickersim
query --dir TO` then runs the same SQL over the copy. JSON lines are the records as the bucket
holds them (times as ...Z, no dt/hour inside), without the lines that are not ticks.
"""
import json
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from tickersim.data import location as locations
from tickersim.data.schema import COLUMNS, TABLES


class ExportError(Exception):
    """The message says which option to change."""


def add_arguments(parser):
    parser.add_argument("--format", choices=("json", "parquet", "delta"), required=True,
                        help="json (JSON lines, as the bucket holds them), parquet "
                             "(Snappy-compressed), or delta (Delta Lake tables, "
                             "partitioned by dt; a later export adds only new ticks)")
    parser.add_argument("--to", "--out", dest="to", default=None, metavar="DIR",
                        help="where to write ticks/ and history/ (parquet: must not hold them "
                             "yet, json: the same; delta: merged into; default for delta with --stage: "
                             "s3://BUCKET/delta/)")
    locations.add_arguments(parser)


def export(location, target, fmt="parquet"):
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
            if fmt == "json":
                _write_json_lines(con, table, target / table)
            else:
                # The files keep dt and hour too, typed: a reader of one file (pyarrow,
                # pandas) sees the schema's date and integer, not folder-name text.
                con.execute(f"COPY (SELECT {columns}, dt, hour FROM {table}) TO '{path}' "
                            f"(FORMAT parquet, COMPRESSION snappy, PARTITION_BY (dt, hour), "
                            f"WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN '{table}_{{i}}')")
            _two_digit_hours(target / table)
            written[table] = rows
    except duckdb.Error as exc:
        raise ExportError(str(exc).strip().splitlines()[0]) from None
    return written


def _write_json_lines(con, table, root, batch=10_000):
    """The records as the bucket holds them: one JSON object a line, times as ...Z, absent
    fields left out, dt and hour in the folder names only (DuckDB's JSON COPY cannot
    partition)."""
    names = [n for n, _ in COLUMNS]
    select = ", ".join(f"strftime(\"{n}\", '%Y-%m-%dT%H:%M:%SZ')" if n == "timestamp"
                       else f'"{n}"' for n in names)
    cursor = con.execute(f"SELECT dt, hour, {select} FROM {table} ORDER BY dt, hour, "
                         '"timestamp", ticker, seq')
    current, handle = None, None
    try:
        while rows := cursor.fetchmany(batch):
            for dt, hour, *values in rows:
                if (dt, hour) != current:       # rows come partition by partition
                    if handle:
                        handle.close()
                    folder = root / f"dt={dt}" / f"hour={int(hour):02d}"
                    folder.mkdir(parents=True, exist_ok=True)
                    current, handle = (dt, hour), open(folder / f"{table}_0.json", "w")  # noqa: SIM115
                handle.write(json.dumps(
                    {n: v for n, v in zip(names, values, strict=True) if v is not None},
                    separators=(",", ":")) + "\n")
    finally:
        if handle:
            handle.close()


def _two_digit_hours(root):
    """hour=9 -> hour=09: the folder names Firehose and the backfill write."""
    for folder in root.glob("dt=*/hour=*"):
        hour = folder.name.split("=", 1)[1]
        if len(hour) == 1:
            folder.rename(folder.with_name(f"hour={int(hour):02d}"))


def main(args):
    if args.format == "delta":
        return delta_main(args)
    try:
        if args.to is None:
            raise ExportError(f"--to DIR is required for {args.format}")
        written = export(locations.resolve(args, reading=True), args.to, args.format)
    except (ExportError, locations.LocationError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"export: AWS refused: {exc}", file=sys.stderr)
        return 1
    if not written:
        print("export: nothing to export: ticks/ and history/ hold no records yet")
        return 0
    print(f"exported {', '.join(f'{t} ({n:,} rows)' for t, n in written.items())} as "
          f"{'Parquet' if args.format == 'parquet' else 'JSON lines'} "
          f"to {Path(args.to).resolve()}")
    return 0


def delta_main(args):
    from deltalake.exceptions import DeltaError

    from tickersim.data import delta

    try:
        if args.to is None and args.dir is not None:
            raise ExportError("--out DIR is required with --dir (only a stage has a bucket "
                              "to write to)")
        if args.to is not None and Path(args.to).exists() and not Path(args.to).is_dir():
            raise ExportError(f"--out {args.to}: is a file; give a directory")
        location = locations.resolve(args, reading=True)
        done = delta.export(location, args.to)
    except (ExportError, locations.LocationError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError, DeltaError, OSError) as exc:
        print(f"export: could not write the Delta table: {str(exc).splitlines()[0]}",
              file=sys.stderr)
        return 1
    if not done:
        print("export: nothing to export: ticks/ and history/ hold no records yet")
        return 0
    for table, (read, added) in done.items():
        print(f"{table}: {added:,} new of {read:,} rows -> "
              f"{delta.table_uri(location, args.to, table)}")
    return 0
