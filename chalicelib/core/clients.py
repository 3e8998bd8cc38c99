"""AWS clients, created on first use and kept for warm invocations; and a per-run call counter."""
from collections import Counter
from contextlib import contextmanager

import boto3
from botocore.config import Config

# Standard mode retries throttling and 5xx answers a few times before our own resend loops.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3},
                 connect_timeout=5, read_timeout=15)
_cache = {}


def get(service):
    if service not in _cache:
        _cache[service] = boto3.client(service, config=_CONFIG)
    return _cache[service]


def reset():
    """Forget cached clients (tests switch endpoints and credentials between cases)."""
    _cache.clear()


@contextmanager
def counting(*clients):
    """Count the API calls made through the clients, by `Service.Operation`, while open.

    Botocore's own retries are counted too, as the attempts beyond the first.
    """
    calls, retries = Counter(), Counter()

    def on_call(model, **_):
        calls[f"{model.service_model.service_id.replace(' ', '')}.{model.name}"] += 1

    def on_reply(model, parsed=None, **_):
        attempts = ((parsed or {}).get("ResponseMetadata") or {}).get("RetryAttempts", 0)
        if attempts:
            retries[model.name] += attempts

    for client in clients:
        client.meta.events.register("before-call", on_call)
        client.meta.events.register("after-call", on_reply)
    try:
        yield calls, retries
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", on_call)
            client.meta.events.unregister("after-call", on_reply)
