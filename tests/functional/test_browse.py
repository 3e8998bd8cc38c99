"""`tickersim browse` on a bucket that also holds things that are not ticks."""
from tests.support import scheduled
from tickersim import cli


def test_browse_skips_and_counts_lines_that_are_not_ticks(cloud, lambdas, capsys):
    """Regression: a non-JSON object under ticks/ was a JSONDecodeError traceback."""
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    [key] = cloud.objects()
    folder = key.rsplit("/", 1)[0]
    stray = (b"not json\n[1, 2]\n5\n{\"ticker\": \"X\", \"seq\": \"one\", \"price\": 1}\n"
             b"{\"ticker\": \"X\", \"seq\": 1, \"price\": \"1\"}\n\xff\xfe\n")
    cloud.s3.put_object(Bucket=cloud.bucket, Key=f"{folder}/zz-stray", Body=stray)
    assert cli.main(["browse", "--stage", "dev", "--count", "7"]) == 0
    out, err = capsys.readouterr()
    rows = [line.split() for line in out.splitlines() if line.startswith("Index_")]
    assert len(rows) == 7 and "the latest 7 ticks" in out
    assert err == "browse: skipped 6 line(s) that are not ticks\n"


def test_browse_shows_as_many_ticks_as_asked_never_more(cloud, lambdas, capsys):
    """Regression: --count 0 showed 20 ticks and --count -3 "the latest 17"."""
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    for count, shown in ((1, 1), (20, 20), (500, 20)):
        assert cli.main(["browse", "--stage", "dev", "--count", str(count)]) == 0
        out = capsys.readouterr().out
        assert sum(line.startswith("Index_") for line in out.splitlines()) == shown
        assert f"the latest {shown} ticks" in out


def test_browse_with_nothing_answering_says_where_it_looked(capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert cli.main(["browse", "--stage", "dev"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing answers at http://127.0.0.1:9" in err
