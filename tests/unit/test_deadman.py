"""The demo's dead-man alarm reads its metric from the function's log as CloudWatch does."""
import io
import json
from contextlib import redirect_stdout

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import logs
from tickersim.local import deadman

RULE = {"Namespace": logs.NAMESPACE, "MetricName": "duration_ms", "Statistic": "SampleCount",
        "Dimensions": [{"Name": "Table", "Value": "mine"}], "EvaluationPeriods": 5,
        "DatapointsToAlarm": 5, "Threshold": 1, "ComparisonOperator": "LessThanThreshold",
        "TreatMissingData": "breaching"}


def run_line(table, duration, names=("duration_ms",), message="run"):
    out = io.StringIO()
    with redirect_stdout(out):
        logs.metrics(message, {"duration_ms": duration, "ticks": 0}, {"Table": table}, names)
    return out.getvalue()


@given(st.lists(st.tuples(st.sampled_from(["mine", "other"]), st.floats(0, 1e4),
                          st.booleans()), max_size=8))
def test_only_the_alarms_metric_of_its_table_counts(lines):
    log = "".join(run_line(table, duration, ("duration_ms",) if declared else ("ticks",))
                  + "not json at all\n" for table, duration, declared in lines)
    wanted = [d for table, d, declared in lines if table == "mine" and declared]
    assert deadman.samples(RULE, log) == wanted
    assert deadman.Alarm(RULE).datapoint(wanted) == (len(wanted) or None)


def test_other_namespaces_and_dimension_sets_do_not_count():
    line = json.loads(run_line("mine", 5.0))
    other_ns = {**line, "_aws": {**line["_aws"], "CloudWatchMetrics": [
        {**line["_aws"]["CloudWatchMetrics"][0], "Namespace": "elsewhere"}]}}
    more_dims = {**line, "Stage": "x", "_aws": {**line["_aws"], "CloudWatchMetrics": [
        {**line["_aws"]["CloudWatchMetrics"][0], "Dimensions": [["Table", "Stage"]]}]}}
    log = "\n".join(json.dumps(x) for x in (other_ns, more_dims))
    assert deadman.samples(RULE, log) == []
