"""`tickersim export --format delta`: Delta tables partitioned by dt that deltalake and polars
read, with the JSON's rows; a later export adds only the new ticks."""

import json
from pathlib import Path

import deltalake
import polars as pl
import pyarrow as pa
import pytest

from tickersim.cli import main

FIELDS = ("ticker", "timestamp", "price", "seq")


def write(root, table, day, hour, name, ticks):
    folder = Path(root) / table / f"dt={day}" / f"hour={hour:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(t) + "\n" for t in ticks))


def tick(ticker, seq, stamp, price):
    return {"ticker": ticker, "timestamp": stamp, "price": price, "seq": seq, "volume": seq * 10}


def day_of_ticks(day, count, start=1):
    return [
        tick(name, seq, f"{day}T14:{seq % 60:02d}:00Z", 100.0 + seq / 8)
        for name in ("FB", "SNAP")
        for seq in range(start, start + count)
    ]


def keyed(rows):
    return {(str(r["dt"]), r["ticker"], r["seq"]): r["price"] for r in rows}


@pytest.fixture
def bucket_dir(tmp_path):
    first = day_of_ticks("2026-12-01", 30)
    write(tmp_path / "s3", "ticks", "2026-12-01", 14, "a", first)
    write(tmp_path / "s3", "ticks", "2026-12-01", 14, "a-again", first[:5])  # re-delivered
    # Two backfilled sessions, both starting at seq 1.
    for day in ("2020-05-14", "2020-05-15"):
        write(tmp_path / "s3", "history", day, 14, "h", day_of_ticks(day, 20))
    return tmp_path / "s3"


def source_rows(root):
    rows = []
    for path in Path(root).rglob("*"):
        if path.is_file():
            day = path.parent.parent.name.split("=")[1]
            rows += [{**json.loads(line), "dt": day} for line in path.read_text().splitlines()]
    return rows


def test_export_round_trips_with_parity_and_appends_only_new_ticks(bucket_dir, tmp_path, capsys):
    out = tmp_path / "delta"
    assert main(["export", "--format", "delta", "--dir", str(bucket_dir), "--out", str(out)]) == 0
    for table in ("ticks", "history"):
        expected = keyed(r for r in source_rows(bucket_dir / table))
        by_delta = deltalake.DeltaTable(str(out / table)).to_pyarrow_table().to_pylist()
        by_polars = pl.read_delta(str(out / table)).to_dicts()
        assert keyed(by_delta) == keyed(by_polars) == expected
        assert len(by_delta) == len(expected)  # one row per tick
        assert deltalake.DeltaTable(str(out / table)).metadata().partition_columns == ["dt"]

    more = day_of_ticks("2026-12-01", 10, start=31)
    write(bucket_dir, "ticks", "2026-12-01", 14, "b", more)
    capsys.readouterr()
    assert main(["export", "--format", "delta", "--dir", str(bucket_dir), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"ticks: {len(more)} new of" in said and "history: 0 new of" in said
    table = deltalake.DeltaTable(str(out / "ticks"))
    assert keyed(table.to_pyarrow_table().to_pylist()) == keyed(source_rows(bucket_dir / "ticks"))
    assert table.version() == 1  # history unchanged, ticks merged
    # An incremental reader (as the README shows) sees exactly the second export's ticks.
    added = pa.table(table.load_cdf(starting_version=1).read_all()).to_pylist()
    assert keyed(r for r in added if r["_change_type"] == "insert") == keyed(
        {**t, "dt": "2026-12-01"} for t in more
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        ([], "--out DIR is required with --dir"),
        (["--out", "FILE"], "is a file"),
    ],
)
def test_bad_destinations_are_refused_in_one_line_writing_nothing(
    bucket_dir, tmp_path, capsys, extra, message
):
    target = tmp_path / "a-file"
    target.write_text("x")
    args = [a if a != "FILE" else str(target) for a in extra]
    assert main(["export", "--format", "delta", "--dir", str(bucket_dir), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert target.read_text() == "x"


def test_a_stage_exports_into_its_bucket_over_s3(bucket_dir):
    """delta-rs talks to S3 itself: moto's server stands in for the stage's bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    from tickersim.data import delta
    from tickersim.data.location import Location

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1"
        )
        s3 = session.client("s3", endpoint_url=endpoint)
        s3.create_bucket(
            Bucket="stage-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        for path in bucket_dir.rglob("*"):
            if path.is_file():
                s3.upload_file(str(path), "stage-bucket", path.relative_to(bucket_dir).as_posix())
        location = Location(stage="dev", endpoint=endpoint, bucket="stage-bucket", session=session)
        done = delta.export(location)
        uri = delta.table_uri(location, None, "ticks")
        assert uri == "s3://stage-bucket/delta/ticks"
        read = deltalake.DeltaTable(uri, storage_options=delta.storage_options(location, None))
        assert keyed(read.to_pyarrow_table().to_pylist()) == keyed(
            source_rows(bucket_dir / "ticks")
        )
        assert done["ticks"][1] == read.to_pyarrow_table().num_rows
    finally:
        server.stop()
