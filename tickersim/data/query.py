"""`tickersim query`: SQL over the tables `ticks` and `history`, on Athena or DuckDB.

A deployed stage runs on Athena (its workgroup and Glue tables); the local demo's bucket
(`--stage local --endpoint URL`) and a directory in the bucket's layout (`--dir PATH`) run
on DuckDB. The same SQL (e.g. queries/*.sql) runs unchanged on both.
"""
import csv
import json
import os
import sys
from datetime import date, datetime, timedelta
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
        sql = args.sql
    else:
        try:
            sql = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise locations.LocationError(f"--file {args.file}: "
                                          f"{getattr(exc, 'strerror', None) or exc}") from None
    if not sql.strip(" \t\r\n;"):
        where = f"--file {args.file} is empty" if args.file else "the SQL is empty"
        raise locations.LocationError(f"{where}: give a query, e.g. 'SELECT * FROM ticks LIMIT "
                                      "5' or --file queries/latest.sql")
    return sql


def on_duckdb(location, sql):
    """(columns, rows). A line in the bucket that is not a tick fails DuckDB's JSON reader:
    then the query runs again without such lines (as the API skips them) and says how many."""
    import duckdb

    from tickersim.data import duck
    try:
        return _fetch(duck.connect(location), sql)
    except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        first = exc
    except duckdb.Error as exc:
        raise QueryError(_first_line(exc)) from None
    con = duck.connect(location, lenient=True)
    try:
        result = _fetch(con, sql)
    except duckdb.Error:
        raise QueryError(_first_line(first)) from None
    skipped = duck.malformed_lines(con)
    if not skipped:
        raise QueryError(_first_line(first))
    print("query: skipped " + ", ".join(f"{n:,} line(s) in {t}/" for t, n in skipped.items())
          + " that are not ticks (not JSON, or without ticker, timestamp, price and seq); "
          "the rows leave them out", file=sys.stderr)
    return result


def _fetch(con, sql):
    cursor = con.execute(sql)
    if cursor is None or cursor.description is None:
        raise QueryError("the SQL holds no statement that returns rows: give a SELECT, e.g. "
                         "'SELECT * FROM ticks LIMIT 5'")
    return [d[0] for d in cursor.description], cursor.fetchall()


def _first_line(exc):
    return str(exc).strip().splitlines()[0]


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


def _json_value(value):
    """Times as the records write them (ISO-8601, `Z` for UTC), dates as YYYY-MM-DD."""
    if isinstance(value, datetime) and value.utcoffset() == timedelta(0):
        return value.strftime("%Y-%m-%dT%H:%M:%S") + (
            f".{value.microsecond:06d}".rstrip("0") if value.microsecond else "") + "Z"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def write(columns, rows, fmt, out=None):
    out = out or sys.stdout
    if fmt == "json":
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row)), default=_json_value) + "\n")
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
        location = locations.resolve(args, reading=True)
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
