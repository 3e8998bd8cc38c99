"""The stage's access key in SSM: created once, kept across redeploys, replaced on demand."""
import boto3
import pytest

from tickersim import access_key
from tickersim.access_key import AccessKeyError


@pytest.fixture
def ssm(aws):
    return boto3.client("ssm", region_name="eu-west-1")


def test_a_stage_gets_one_key_that_a_redeploy_keeps(ssm):
    first = access_key.ensure(ssm, "dev")
    assert access_key.ensure(ssm, "dev") == first == access_key.read(ssm, "dev")
    assert access_key.ensure(ssm, "prod") != first             # each stage its own
    stored = ssm.get_parameter(Name=access_key.parameter_name("dev"))["Parameter"]
    assert stored["Type"] == "SecureString"


def test_a_given_key_replaces_the_stages_key(ssm):
    access_key.ensure(ssm, "dev")
    assert access_key.ensure(ssm, "dev", "my-known-key") == "my-known-key"
    assert access_key.read(ssm, "dev") == "my-known-key"


@pytest.mark.parametrize("bad", ["", "short", "has space in it", "ключ-ключ-ключ", "a&b=c;d+e",
                                 "x" * 129])
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
    access_key.delete(ssm, "dev")
    access_key.delete(ssm, "dev")
    with pytest.raises(AccessKeyError):
        access_key.read(ssm, "dev")
