"""A real run's log line on moto: EMF with all six metrics, and the fields Logs Insights
queries still at the top level."""
import json

from chalicelib.walk.pipeline import RUN_METRICS
from tests.support import scheduled
from tests.unit.test_emf import emf_metrics


def run_lines(capsys):
    return [l for l in capsys.readouterr().out.splitlines()
            if l.startswith("{") and json.loads(l).get("message") == "run"]


def test_the_run_line_declares_every_metric(cloud, lambdas, capsys):
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    capsys.readouterr()
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:03:00Z"))
    (line,) = run_lines(capsys)
    metrics = emf_metrics(line)
    assert set(metrics) == set(RUN_METRICS)
    assert metrics["ticks"] == 5 * 4 * 3 and metrics["catchup_minutes"] == 2
    assert metrics["calls_total"] >= 3 and metrics["lag_s"] > 0
    doc = json.loads(line)
    assert doc["status"] == "ok" and doc["Table"] == cloud.table
    assert isinstance(doc["calls"], dict)
