"""Owners whose names have no Latin letters: the subject says their name in ASCII as deploy
promised it, the body keeps the name as written."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.alerts.alerts import subject
from chalicelib.alerts.text import ascii_fold
from tests.support import LambdaContext, event
from tests.unit.test_alerts import valid_sns_subject
from tickersim.aws import checkout, deploy
from tickersim.base import stage as stages
from tickersim.base.naming import names_for
from tickersim.base.owner_ascii import ENV, alert_subject, owner_ascii


@pytest.mark.parametrize("owner, shown", [
    ("李小龍", "Li Xiao Long"),
    ("Владимир Набоков", "Vladimir Nabokov"),
    ("Ἀριστοτέλης", "Aristoteles"),
    ("Zoë Ñúñez", "Zoe Nunez"),
    ("Kyle Maposa", "Kyle Maposa"),
])
def test_non_latin_owner_names_are_transliterated_not_dropped(owner, shown):
    """Regression: `--owner "李小龍"` promised `Failure: 李小龍, ...` and sent `Failure: ???, ...`."""
    assert alert_subject(owner) == f"Failure: {shown}, could not generate stream"


@given(st.text(max_size=200))
def test_the_subject_is_valid_for_sns_whatever_the_name(owner):
    assert valid_sns_subject(subject(owner, owner_ascii(owner)))


@given(st.text(alphabet=st.characters(codec="latin-1", categories=("Lu", "Ll", "Zs")),
               max_size=60))
def test_latin_names_keep_the_subject_they_had(owner):
    """Where the built-in folding already knew the letters, nothing changes."""
    if "?" not in ascii_fold(owner):
        assert subject(owner, owner_ascii(owner)) == subject(owner)


def test_an_owner_ascii_that_is_not_ascii_is_ignored():
    assert subject("李小龍", "李") == subject("李小龍")


def test_the_notifier_sends_the_deploy_time_subject_and_the_full_name_in_the_body(
        cloud, monkeypatch):
    from app import notify_failure
    owner = "李小龍"
    for name, value in {**cloud.alert_env, "OWNER_NAME": owner,
                        ENV: owner_ascii(owner)}.items():
        monkeypatch.setenv(name, value)
    notify_failure(event("failure-exception"), LambdaContext("tickersim-dev-notification-lambda"))
    [alert] = cloud.alerts()
    assert alert["Subject"] == "Failure: Li Xiao Long, could not generate stream"
    assert alert["Message"].startswith(f"Hello {owner},")


def test_deploy_records_owner_ascii_and_prints_the_subject_as_it_will_be(tmp_path):
    project = stages.copy_project(tmp_path / "p", parts=(".chalice",))
    outputs = {"TableName": "t", "DeliveryStreamName": "s", "BucketName": "b",
               "TopicArn": "arn:aws:sns:eu-west-1:123456789012:t", "TicksPrefix": "ticks/",
               "MarketTopicArn": "arn:aws:sns:eu-west-1:123456789012:m"}
    checkout.record(project, "zh", "李小龍", outputs)
    env = json.loads((project / ".chalice" / "config.json").read_text())[
        "stages"]["zh"]["lambda_functions"][stages.NOTIFICATION]["environment_variables"]
    assert (env["OWNER_NAME"], env[ENV]) == ("李小龍", "Li Xiao Long")
    steps = deploy.next_steps(names_for("李小龍", "zh"), outputs, ["a@example.com"], "eu-west-1")
    assert "'Failure: Li Xiao Long, could not generate stream'" in steps
