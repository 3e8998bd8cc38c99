"""The recovery notice on moto: exactly one per outage, after the failure alerts; none when
nothing failed."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.alerts import recovery
from chalicelib.walk.ticks import iso
from tests.support import event, scheduled
from tests.unit.test_alerts import valid_sns_subject

T0 = 1_764_578_400   # 2025-12-01T08:40:00Z, a whole minute


def failure(minute):
    record = event("failure-exception")
    record["requestPayload"] = scheduled(iso(T0 + minute * 60))
    return record


def notices(messages):
    return [m for m in messages if m["Subject"].startswith("Recovered: ")]


def test_the_first_good_run_after_failures_sends_one_notice(cloud, lambdas):
    owner = cloud.alert_env["OWNER_NAME"]
    lambdas.invoke("streaming-lambda", scheduled(iso(T0)))
    lambdas.invoke("notification-lambda", failure(1))
    lambdas.invoke("notification-lambda", failure(2))
    assert [m["Subject"] for m in cloud.alerts()] == [
        f"Failure: {owner}, could not generate stream"] * 2
    lambdas.invoke("streaming-lambda", scheduled(iso(T0 + 3 * 60)))
    lambdas.invoke("streaming-lambda", scheduled(iso(T0 + 4 * 60)))
    (notice,) = cloud.alerts()
    assert notice["Subject"] == f"Recovered: {owner}, stream is flowing again"
    assert "Failure alerts:   2" in notice["Message"]
    assert f"First failed run: {iso(T0 + 60)}" in notice["Message"]
    assert "Minutes missed:   2" in notice["Message"]
    assert "Caught up:        2 minute(s)" in notice["Message"]
    assert cloud.ddb.get_item(TableName=cloud.table,
                              Key={"TickerName": {"S": "#outage"}}).get("Item") is None


def test_no_notice_when_nothing_failed(cloud, lambdas):
    for n in range(3):
        lambdas.invoke("streaming-lambda", scheduled(iso(T0 + n * 60)))
    assert cloud.alerts() == []


def test_a_run_with_nothing_due_is_not_the_recovery(cloud, lambdas):
    lambdas.invoke("streaming-lambda", scheduled(iso(T0)))
    lambdas.invoke("notification-lambda", failure(0))   # e.g. a late duplicate's failure
    cloud.alerts()
    lambdas.invoke("streaming-lambda", scheduled(iso(T0)))   # re-delivered: delivers nothing
    assert notices(cloud.alerts()) == []
    lambdas.invoke("streaming-lambda", scheduled(iso(T0 + 60)))
    assert len(notices(cloud.alerts())) == 1


def test_a_failure_recorded_after_the_scan_keeps_the_outage_open(cloud, lambdas, monkeypatch):
    """The conditional delete: a failure landing between the run's Scan and its notice
    means the outage goes on, so this run sends nothing and a later one sends the notice."""
    real = recovery.announce

    def racing(ddb, sns, table, topic, owner, item, report, **kwargs):
        recovery.record_failure(ddb, table, 5)
        return real(ddb, sns, table, topic, owner, item, report, **kwargs)

    lambdas.invoke("notification-lambda", failure(0))
    cloud.alerts()
    monkeypatch.setattr(recovery, "announce", racing)
    lambdas.invoke("streaming-lambda", scheduled(iso(T0 + 60)))
    assert notices(cloud.alerts()) == []
    monkeypatch.setattr(recovery, "announce", real)
    lambdas.invoke("streaming-lambda", scheduled(iso(T0 + 120)))
    (notice,) = notices(cloud.alerts())
    assert "Failure alerts:   2" in notice["Message"]


@given(st.one_of(st.none(), st.text(max_size=300)))
def test_the_notice_subject_is_valid_for_sns_whatever_the_owner(owner):
    text = recovery.subject(owner)
    assert valid_sns_subject(text)
    assert text.startswith("Recovered: ") and text.endswith(", stream is flowing again")


@pytest.mark.parametrize("item", [
    None, {"TickerName": {"S": "#outage"}}, {"Failures": {"N": "x"}, "FirstFailed": {"S": "?"}}])
def test_a_damaged_or_missing_record_parses_to_something_usable(item):
    outage = recovery.parse(item)
    assert outage is None if item is None else outage.failures == 1


@given(st.lists(st.sampled_from(["fail", "ok"]), max_size=12))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_exactly_one_notice_per_outage_in_any_sequence(cloud, lambdas, steps):
    """Any sequence of failed and good runs: one notice for each run of failures that a
    good run ends, and none otherwise."""
    cloud.ddb.delete_item(TableName=cloud.table, Key={"TickerName": {"S": "#outage"}})
    cloud.alerts()
    base = T0 + 10_000 * 60 * (1 + len(cloud.objects()))   # a fresh stretch of minutes
    sent, outages, failing = [], 0, False
    for n, step in enumerate(steps):
        if step == "fail":
            lambdas.invoke("notification-lambda", failure((base - T0) // 60 + n))
            failing = True
        else:
            lambdas.invoke("streaming-lambda", scheduled(iso(base + n * 60)))
            outages += failing
            failing = False
        sent += notices(cloud.alerts())
    assert len(sent) == outages
