"""The stage's access key in SSM: created once, kept across redeploys, replaced on demand."""

import boto3
import pytest

from tickersim.base import access_key
from tickersim.base.access_key import AccessKeyError


@pytest.fixture
def ssm(aws):
    return boto3.client("ssm", region_name="eu-west-1")


def test_a_stage_gets_one_key_that_a_redeploy_keeps(ssm):
    first = access_key.ensure(ssm, "dev")
    assert access_key.ensure(ssm, "dev") == first == access_key.read(ssm, "dev")
    assert access_key.ensure(ssm, "prod") != first  # each stage its own
    stored = ssm.get_parameter(Name=access_key.parameter_name("dev"))["Parameter"]
    assert stored["Type"] == "SecureString"


def test_a_given_key_replaces_the_stages_key(ssm):
    access_key.ensure(ssm, "dev")
    assert access_key.ensure(ssm, "dev", "my-known-key") == "my-known-key"
    assert access_key.read(ssm, "dev") == "my-known-key"


@pytest.mark.parametrize(
    "bad", ["", "short", "has space in it", "ключ-ключ-ключ", "a&b=c;d+e", "x" * 129]
)
def test_a_key_that_cannot_travel_in_a_url_is_refused_before_anything_is_written(ssm, bad):
    with pytest.raises(AccessKeyError, match="--access-key"):
        access_key.ensure(ssm, "dev", bad)
    with pytest.raises(AccessKeyError, match="tickersim deploy"):
        access_key.read(ssm, "dev")


def test_generated_keys_differ_and_fit_the_shape():
    keys = {access_key.generate() for _ in range(50)}
    assert len(keys) == 50 and all(access_key.check(k) == k for k in keys)


def test_teardown_removes_the_key_and_tolerates_none(ssm):
    access_key.ensure(ssm, "dev")
    assert access_key.delete(ssm, "dev") is True
    assert access_key.delete(ssm, "dev") is False
    with pytest.raises(AccessKeyError):
        access_key.read(ssm, "dev")


def test_the_cli_prints_the_stages_key_and_says_what_to_do_without_one(ssm, capsys):
    from tickersim.cli import main

    assert main(["api-key", "--stage", "dev"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tickersim deploy --stage dev" in err
    key = access_key.ensure(ssm, "dev")
    assert main(["api-key", "--stage", "dev"]) == 0
    assert capsys.readouterr().out == f"{key}\n"
    assert main(["api-key", "--stage", "dev", "--new"]) == 0
    new = capsys.readouterr().out.strip()
    assert new != key and access_key.read(ssm, "dev") == new


@pytest.mark.parametrize("stage", ["", "Dev", "../x", "ü"])
def test_the_cli_refuses_a_bad_stage_in_one_line(ssm, capsys, stage):
    from tickersim.cli import main

    assert main(["api-key", "--stage", stage]) == 2
    assert capsys.readouterr().err.count("\n") == 1
