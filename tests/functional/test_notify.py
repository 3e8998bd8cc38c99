"""The notification function on moto: every event becomes one named alert on the topic."""
import json

import boto3
import pytest

from chalicelib.alerts.alerts import MESSAGE_LIMIT
from tests.support import FAILURE_SHAPES, LambdaContext, event


def alert_of(cloud):
    alerts = cloud.alerts()
    assert len(alerts) == 1
    return alerts[0]


@pytest.mark.parametrize("shape", FAILURE_SHAPES)
def test_every_failure_shape_reaches_the_mailbox_named_and_explained(cloud, lambdas, shape):
    record = event(shape)
    lambdas.invoke("notification-lambda", record)
    alert = alert_of(cloud)
    assert alert["TopicArn"] == cloud.topic_arn
    assert alert["Subject"] == f"Failure: {cloud.alert_env['OWNER_NAME']}, could not generate " \
                               "stream"
    assert record["requestContext"]["condition"] in alert["Message"]
    assert record["requestPayload"]["time"] in alert["Message"]
    if "responsePayload" in record:
        assert record["responsePayload"]["errorMessage"] in alert["Message"]


@pytest.mark.parametrize("odd", [{}, {"key1": "value1"}, "a string", None, [1, 2, 3]])
def test_an_unrecognised_event_still_sends_an_alert_with_the_event_in_it(cloud, monkeypatch,
                                                                          odd):
    from app import notify_failure
    for name, value in cloud.alert_env.items():
        monkeypatch.setenv(name, value)
    notify_failure(odd, LambdaContext("tickersim-dev-notification-lambda"))
    alert = alert_of(cloud)
    assert alert["Subject"].startswith("Failure: ")
    assert "does not recognise" in alert["Message"]
    assert json.dumps(odd, indent=2, sort_keys=True) in alert["Message"]


def test_a_half_formed_failure_record_is_reported_with_what_it_has(cloud, lambdas):
    lambdas.invoke("notification-lambda", {"requestContext": {}, "requestPayload": "x"})
    message = alert_of(cloud)["Message"]
    assert "Condition:       unknown" in message and "Scheduled time:  unknown" in message


def test_a_huge_event_is_cut_to_fit_and_still_sent(cloud, lambdas):
    lambdas.invoke("notification-lambda", {"junk": "x" * 300_000})
    alert = alert_of(cloud)
    assert len(alert["Message"].encode("utf-8")) <= MESSAGE_LIMIT
    assert "cut to fit" in alert["Message"]


@pytest.mark.parametrize("owner, subject", [
    ("Zoë Ñúñez", "Failure: Zoe Nunez, could not generate stream"),
    ("", "Failure: unknown owner, could not generate stream"),
    ("Bob\nSmith", "Failure: Bob Smith, could not generate stream"),
])
def test_the_owner_name_is_made_safe_for_sns_and_never_blocks_the_alert(
        cloud, monkeypatch, owner, subject):
    from app import notify_failure
    monkeypatch.setenv("TOPIC_ARN", cloud.topic_arn)
    monkeypatch.setenv("OWNER_NAME", owner)
    notify_failure(event("failure-exception"), LambdaContext("tickersim-dev-notification-lambda"))
    assert alert_of(cloud)["Subject"] == subject


def test_an_unset_topic_is_an_error_that_names_the_variable(cloud, monkeypatch):
    from app import notify_failure
    from chalicelib.core.errors import ConfigError
    monkeypatch.delenv("TOPIC_ARN", raising=False)
    with pytest.raises(ConfigError, match="TOPIC_ARN is not set"):
        notify_failure(event("failure-exception"), LambdaContext())


def test_a_missing_topic_is_named_with_how_to_create_it(cloud, lambdas):
    from chalicelib.core.errors import TopicMissing
    boto3.client("sns").delete_topic(TopicArn=cloud.topic_arn)
    with pytest.raises(TopicMissing, match=f"SNS topic {cloud.topic_arn!r} does not exist.*"
                                           "tickersim deploy"):
        lambdas.invoke("notification-lambda", event("failure-exception"))
