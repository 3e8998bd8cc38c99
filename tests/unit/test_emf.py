"""The run's log line is CloudWatch Embedded Metric Format (checked against the spec's
rules) and still one flat JSON object for Logs Insights."""
import json

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import logs
from chalicelib.walk.pipeline import RUN_METRICS

# CloudWatch's units (the EMF specification refers to MetricDatum's Unit).
UNITS = {"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
         "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
         "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
         "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
         "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"}


def emf_metrics(line):
    """{metric name: value} the line declares; AssertionError where it breaks the spec."""
    doc = json.loads(line)
    meta = doc["_aws"]
    assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] > 0
    found = {}
    for directive in meta["CloudWatchMetrics"]:
        assert isinstance(directive["Namespace"], str) and 1 <= len(directive["Namespace"]) <= 255
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            for name in dimension_set:
                assert isinstance(doc[name], str) and doc[name]
        assert len(directive["Metrics"]) <= 100
        for metric in directive["Metrics"]:
            name = metric["Name"]
            assert metric.get("Unit", "None") in UNITS
            value = doc[name]
            assert isinstance(value, (int, float)) and not isinstance(value, bool), name
            found[name] = value
    return found


def test_a_metrics_line_is_valid_emf_with_every_declared_number(capsys):
    logs.metrics("run", {"ticks": 20, "duration_ms": 12.5, "lag_s": 3.0, "status": "ok"},
                 {"Table": "T"}, ("ticks", "duration_ms", "lag_s"), clock=lambda: 1000.5)
    line = capsys.readouterr().out.strip()
    assert emf_metrics(line) == {"ticks": 20, "duration_ms": 12.5, "lag_s": 3.0}
    doc = json.loads(line)
    assert doc["_aws"]["Timestamp"] == 1000500
    assert doc["message"] == "run" and doc["status"] == "ok" and doc["Table"] == "T"
    units = {m["Name"]: m["Unit"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert units == {"ticks": "Count", "duration_ms": "Milliseconds", "lag_s": "Seconds"}


@given(st.dictionaries(st.sampled_from(RUN_METRICS),
                       st.one_of(st.none(), st.text(max_size=3), st.booleans(),
                                 st.integers(-10**6, 10**6),
                                 st.floats(allow_nan=False, allow_infinity=False))))
def test_a_missing_or_non_numeric_field_is_never_declared(fields):
    import io
    import sys
    out, sys.stdout = sys.stdout, io.StringIO()
    try:
        logs.metrics("run", fields, {"Table": "T"}, RUN_METRICS)
        line = sys.stdout.getvalue()
    finally:
        sys.stdout = out
    declared = emf_metrics(line)
    assert set(declared) == {k for k, v in fields.items()
                             if isinstance(v, (int, float)) and not isinstance(v, bool)}
