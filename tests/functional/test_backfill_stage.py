"""`tickersim backfill --stage S`: the session's objects go to the stage's bucket, under
history/ only, the same bytes as a backfill into a directory."""
from pathlib import Path

from tests.functional.data_stage import OUTPUTS, stage  # noqa: F401 (fixture)
from tickersim.cli import main

ARGS = ["backfill", "--date", "2026-11-27", "--tickers", "NFLX,OKTA", "--seed", "3"]


def test_a_stage_backfill_writes_history_only_and_the_same_bytes_as_a_directory(stage,
                                                                                 tmp_path):
    bucket = OUTPUTS["BucketName"]
    stage.put_object(Bucket=bucket, Key="ticks/dt=2026-11-27/hour=15/live", Body=b"x\n")
    assert main([*ARGS, "--stage", "dev"]) == 0
    assert main([*ARGS, "--dir", str(tmp_path)]) == 0
    keys = [o["Key"] for o in stage.list_objects_v2(Bucket=bucket)["Contents"]]
    in_bucket = {k: stage.get_object(Bucket=bucket, Key=k)["Body"].read()
                 for k in keys if k.startswith("history/")}
    in_dir = {p.relative_to(tmp_path).as_posix(): p.read_bytes()
              for p in Path(tmp_path).rglob("*") if p.is_file()}
    # The day after Thanksgiving: 09:31-13:00 New York, ticks at minute ends in UTC hours 14-18.
    assert in_bucket == in_dir and len(in_bucket) == 5
    assert sorted(set(keys) - set(in_bucket)) == ["ticks/dt=2026-11-27/hour=15/live"]
