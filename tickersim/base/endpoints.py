"""Where every AWS client a command builds sends its requests: one resolution of the endpoint.

The order is botocore's own: `--endpoint URL` (every service at that address), else the
service's `AWS_ENDPOINT_URL_<SERVICE_ID>` (e.g. AWS_ENDPOINT_URL_S3_CONTROL), else
`AWS_ENDPOINT_URL`, else AWS itself; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns the
variables off. Resolving it here, and passing it to every client explicitly, is what lets the
fixes a local endpoint needs (S3 Control's account-id host prefix) apply however it was given.
"""
import functools
import os
from urllib.parse import urlsplit, urlunsplit

import botocore.loaders

ENV = "AWS_ENDPOINT_URL"
IGNORE_ENV = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"


@functools.cache
def service_id(service):
    """botocore's service id of a client name: "s3control" -> "S3 Control"."""
    model = botocore.loaders.create_loader().load_service_model(service, "service-2")
    return model["metadata"]["serviceId"]


def env_name(service):
    """The service's own variable: AWS_ENDPOINT_URL_ + its id, upper case, spaces as _."""
    return f"{ENV}_" + service_id(service).upper().replace(" ", "_").replace("-", "_")


def _variables(environ):
    """The endpoint variables botocore would read, by name (none when told to ignore them)."""
    if environ.get(IGNORE_ENV, "").strip().lower() == "true":
        return {}
    return {name: value for name, value in environ.items()
            if (name == ENV or name.startswith(f"{ENV}_")) and value}


def resolve(service, flag=None, environ=None):
    """The URL `service`'s client must use, or None for AWS itself."""
    if flag:
        return flag
    variables = _variables(os.environ if environ is None else environ)
    return variables.get(env_name(service)) or variables.get(ENV)


def configured(flag=None, environ=None):
    """Whether any endpoint is set (the flag, or a variable): a local cloud is meant."""
    return bool(flag or _variables(os.environ if environ is None else environ))


def _url_problem(value):
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return True
    return parts.scheme not in ("http", "https") or not parts.hostname or not port_ok


def problem(flag=None, environ=None):
    """None, or one line naming the endpoint setting that is not an http(s) URL: the flag when
    given (it overrides the variables), else each variable botocore would read."""
    settings = ({"--endpoint": flag} if flag else
                _variables(os.environ if environ is None else environ))
    for shown, value in sorted(settings.items()):
        if _url_problem(value):
            return (f"{shown} {value!r} is not an endpoint URL: pass it with its scheme, e.g. "
                    "http://127.0.0.1:8765")
    return None


def client(session, service, flag=None, region=None):
    """session.client(service) at the resolved endpoint. At a custom endpoint, S3 Control's
    requests go to that host itself: botocore puts the account id in front of the host
    (`<account>.<host>`), which a local cloud's address does not answer to."""
    url = resolve(service, flag)
    made = session.client(service, region_name=region, endpoint_url=url)
    if url and service == "s3control":
        target = urlsplit(url)

        def to_endpoint(request, **_):
            request.url = urlunsplit(urlsplit(request.url)._replace(
                scheme=target.scheme, netloc=target.netloc))
        made.meta.events.register("before-send.s3-control", to_endpoint)
    return made


def subprocess_env(flag=None, environ=None):
    """The environment for a child that makes AWS calls of its own (chalice): with the flag,
    every service at its address, as in this process; without it, the same variables."""
    env = dict(os.environ if environ is None else environ)
    if flag:
        for name in [n for n in env if n.startswith(f"{ENV}_")]:
            del env[name]
        env[ENV] = flag
        env.pop(IGNORE_ENV, None)
    return env
