"""The folder deploy's next steps tell people to list holds the ticks: filled in with a demo
run's date and hour, the printed prefix lists objects from that run (the layout is the same
locally and on AWS)."""
import re
from pathlib import Path

from tests.e2e.conftest import ticks_in
from tickersim.aws import deploy
from tickersim.base import naming

START = "2026-12-01T15:00Z"


def test_the_printed_ticks_prefix_lists_a_demo_runs_objects(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", 2, "--interval", 0, "--start", START, "--no-web", "--out", out)
    assert demo.finish() == 0, demo.text()
    names = naming.names_for("Ada Lovelace", "dev")
    printed = deploy.next_steps(names, {"BucketName": names.bucket, "TicksPrefix": "ticks/"},
                                ["ada@example.com"], "eu-west-1")
    [folder] = set(re.findall(rf"s3://{names.bucket}/(ticks/\S*YYYY\S*/)", printed))
    [first] = sorted(ticks_in(out), key=lambda t: t["timestamp"])[:1]
    day, hour = first["timestamp"][:10], first["timestamp"][11:13]
    listed = Path(out, "s3", folder.replace("YYYY-MM-DD", day).replace("HH", hour))
    objects = [p for p in listed.glob("*") if p.is_file()]
    assert objects, f"{folder} filled in as {listed} holds nothing"
    assert all(b"\"ticker\"" in p.read_bytes() for p in objects)
