"""One resolution of the endpoint: the flag, else the service's variable, else
AWS_ENDPOINT_URL, as botocore orders them; and the same for the chalice child process."""
import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickersim.base import endpoints

URLS = st.sampled_from(["http://127.0.0.1:1", "http://127.0.0.1:2", "https://example.test"])
MAYBE = st.none() | URLS


@given(flag=MAYBE, general=MAYBE, own=MAYBE, other=MAYBE)
def test_the_flag_beats_the_services_variable_which_beats_the_general_one(flag, general, own,
                                                                          other):
    environ = {name: value for name, value in {
        "AWS_ENDPOINT_URL": general, "AWS_ENDPOINT_URL_S3_CONTROL": own,
        "AWS_ENDPOINT_URL_DYNAMODB": other}.items() if value}
    assert endpoints.resolve("s3control", flag, environ) == (flag or own or general)
    assert endpoints.configured(flag, environ) == bool(flag or general or own or other)
    # botocore itself, told nothing, resolves a configured endpoint the same way.
    if not flag and (own or general):
        session = boto3.session.Session(region_name="eu-west-1", aws_access_key_id="x",
                                        aws_secret_access_key="y")
        with pytest.MonkeyPatch.context() as patch:
            for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3_CONTROL"):
                patch.delenv(name, raising=False)
            for name, value in environ.items():
                patch.setenv(name, value)
            assert session.client("s3control").meta.endpoint_url == (own or general)


def test_told_to_ignore_them_no_variable_counts_but_the_flag_does():
    environ = {"AWS_ENDPOINT_URL": "http://127.0.0.1:1",
               "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    assert endpoints.resolve("s3", None, environ) is None
    assert endpoints.resolve("s3", "http://h:2", environ) == "http://h:2"
    assert endpoints.problem(None, {**environ, "AWS_ENDPOINT_URL": "nope"}) is None


@pytest.mark.parametrize("flag, environ, named", [
    ("127.0.0.1:8765", {}, "--endpoint '127.0.0.1:8765'"),
    (None, {"AWS_ENDPOINT_URL": "localhost:4566"}, "AWS_ENDPOINT_URL 'localhost:4566'"),
    (None, {"AWS_ENDPOINT_URL": "http://h:1", "AWS_ENDPOINT_URL_S3_CONTROL": "ftp://h"},
     "AWS_ENDPOINT_URL_S3_CONTROL 'ftp://h'"),
    (None, {"AWS_ENDPOINT_URL": "http://127.0.0.1:99999"}, "AWS_ENDPOINT_URL 'http://127.0"),
])
def test_a_setting_that_is_not_a_url_is_named(flag, environ, named):
    problem = endpoints.problem(flag, environ)
    assert problem.startswith(named) and "is not an endpoint URL" in problem


def test_a_good_flag_overrides_bad_variables_and_good_ones_pass():
    assert endpoints.problem("http://127.0.0.1:1", {"AWS_ENDPOINT_URL": "bad"}) is None
    assert endpoints.problem(None, {"AWS_ENDPOINT_URL_S3": "https://s3.example.test"}) is None
    assert endpoints.problem(None, {}) is None


def test_the_child_gets_the_flag_for_every_service_or_the_variables_as_they_are():
    environ = {"AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_LAMBDA": "http://b:2",
               "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "HOME": "/home/x"}
    assert endpoints.subprocess_env(None, environ) == environ
    assert endpoints.subprocess_env("http://c:3", environ) == {"AWS_ENDPOINT_URL": "http://c:3",
                                                                "HOME": "/home/x"}


def test_s3_control_requests_go_to_the_endpoints_own_host(monkeypatch):
    """botocore puts the account id in front of the host; a local endpoint has no such host."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3_CONTROL", "http://127.0.0.1:9")
    session = boto3.session.Session(region_name="eu-west-1", aws_access_key_id="x",
                                    aws_secret_access_key="y")
    client = endpoints.client(session, "s3control")
    sent = []

    def capture(request, **_):
        sent.append(request.url)
        raise RuntimeError("captured")
    client.meta.events.register_last("before-send.s3-control", capture)
    with pytest.raises(RuntimeError, match="captured"):
        client.get_public_access_block(AccountId="123456789012")
    assert sent == ["http://127.0.0.1:9/v20180820/configuration/publicAccessBlock"]
