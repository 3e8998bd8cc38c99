"""`tickersim query`: SQL over the tables `ticks` and `history`, on Athena or DuckDB.

A deployed stage runs on Athena (its workgroup and Glue tables); the local demo's bucket
(`--stage local --endpoint URL`) and a directory in the bucket's layout (`--dir PATH`) run
on DuckDB. The same SQL (e.g. queries/*.sql) runs unchanged on both.
"""
import csv
import json
import os
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from tickersim.data import location as locations

FORMATS = ("table", "csv", "json")


def add_arguments(parser):
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("sql", nargs="?", help="the SQL to run")
    what.add_argument("--file", metavar="PATH", help="read the SQL from a file, e.g. "
                                                     "queries/hourly_high.sql")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="table (default), csv, or json (one object per row)")
    locations.add_arguments(parser)


def read_sql(args):
    if args.file is None:
        return args.sql
    try:
        return Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        raise locations.LocationError(f"--file {args.file}: {exc.strerror}") from None


def on_duckdb(location, sql):
    import duckdb
    try:
        cursor = duckdb_connect(location).execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip().splitlines()[0]) from None


def duckdb_connect(location):
    from tickersim.data import duck
    return duck.connect(location)


def on_athena(location, sql):
    from tickersim.data import athena
    database = location.outputs.get("GlueDatabase")
    workgroup = location.outputs.get("AthenaWorkGroup")
    if not database or not workgroup:
        raise locations.LocationError(
            f"stage {location.stage!r}: its data stack has no Glue database or Athena "
            "workgroup outputs: deploy it again with `tickersim deploy`")

    def progress(text):
        print(f"athena: {text}", file=sys.stderr, flush=True)
    try:
        columns, rows, scanned = athena.run(location.client("athena"), sql, database,
                                            workgroup, progress)
    except athena.QueryFailed as exc:
        raise QueryError(str(exc)) from None
    print(f"athena: scanned {scanned:,} bytes, about ${athena.cost(scanned):.6f}",
          file=sys.stderr)
    return columns, rows


class QueryError(Exception):
    """The engine's message for bad SQL or a missing table."""


def write(columns, rows, fmt, out=None):
    out = out or sys.stdout
    if fmt == "json":
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row)), default=str) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        text = [[("" if v is None else str(v)) for v in row] for row in rows]
        widths = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(columns)]
        out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip() + "\n")
        for row in text:
            out.write("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() + "\n")
        out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def main(args):
    try:
        sql = read_sql(args)
        location = locations.resolve(args)
        engine = on_duckdb if location.directory is not None or location.local else on_athena
        columns, rows = engine(location, sql)
    except (locations.LocationError, QueryError) as exc:
        print(f"query: {exc}", file=sys.stderr)
        return 2
    except EndpointConnectionError as exc:
        print(f"query: nothing answers at {exc.kwargs.get('endpoint_url')}: is `tickersim "
              "demo` still running?",
              file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"query: AWS refused: {exc}", file=sys.stderr)
        return 1
    try:
        write(columns, rows, args.format)
    except BrokenPipeError:          # e.g. piped into `head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - open until the process exits
    return 0
