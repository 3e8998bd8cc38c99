"""`tickersim local-aws [--port P]`: a local AWS to try `tickersim deploy` on, no account needed.

moto's server on 127.0.0.1, with what moto 5.2.5 lacks for a deploy filled in: its API Gateway
imports OpenAPI 3 only, while Chalice (like AWS) sends Swagger 2.0, so the document is
converted on the way in; and Lambda stores functions without Docker. The e2e tests of deploy
run on this same server. It runs until Ctrl-C; everything in it goes with it.
"""
import contextlib
import json
import signal
import sys
import threading
import urllib.request

from moto.apigateway.models import APIGatewayBackend

from tickersim.base.args import count_problem
from tickersim.base.stage import FAKE_CREDENTIALS
from tickersim.local.localcloud import LocalCloud, LocalCloudError

_MAX_PORT = 65535


def as_openapi3(api_doc):
    """Chalice's Swagger 2.0 document in the form moto 5.2.5 accepts (OpenAPI 3 only, with an
    info.description): API Gateway takes both, and moto reads only paths and integrations."""
    api_doc.pop("swagger", None)
    api_doc.setdefault("openapi", "3.0.1")
    api_doc.setdefault("info", {}).setdefault("description", "")
    return api_doc


@contextlib.contextmanager
def swagger_accepted():
    """moto's ImportRestApi and PutRestApi take Swagger 2.0 while the block runs."""
    imported, put = APIGatewayBackend.import_rest_api, APIGatewayBackend.put_rest_api

    def import_rest_api(self, api_doc, fail_on_warnings):
        return imported(self, as_openapi3(api_doc), fail_on_warnings)

    def put_rest_api(self, function_id, api_doc, fail_on_warnings, mode="merge"):
        return put(self, function_id, as_openapi3(api_doc), fail_on_warnings, mode)

    APIGatewayBackend.import_rest_api, APIGatewayBackend.put_rest_api = import_rest_api, put_rest_api
    try:
        yield
    finally:
        APIGatewayBackend.import_rest_api, APIGatewayBackend.put_rest_api = imported, put


@contextlib.contextmanager
def local_aws(port=0, region="eu-west-1"):
    """The endpoint of a local AWS a deploy works on, for as long as the block runs."""
    with swagger_accepted(), LocalCloud(region, port) as cloud:
        # moto stores functions without Docker; nothing here invokes them.
        request = urllib.request.Request(
            f"{cloud.endpoint}/moto-api/config", method="POST",
            data=json.dumps({"lambda": {"use_docker": False}}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10):
            pass
        yield cloud.endpoint


def add_arguments(parser):
    parser.add_argument("--port", type=int, default=0, metavar="P",
                        help="port to listen on (default: a free one)")


def main(args):
    problem = (count_problem("--port", args.port, minimum=0)
               or (args.port > _MAX_PORT and f"--port {args.port} is too large: pass a port "
                                                 f"from 1 to {_MAX_PORT}, or leave it out"))
    if problem:
        print(f"local-aws: {problem}", file=sys.stderr)
        return 2
    try:
        with local_aws(args.port) as endpoint:
            credentials = " ".join(f"{k}={v}" for k, v in FAKE_CREDENTIALS.items())
            print(f"A local AWS (moto) answers at {endpoint}; Ctrl-C stops it and forgets "
                  "everything in it. In another terminal:\n"
                  f"  export AWS_ENDPOINT_URL={endpoint} {credentials}\n"
                  "  .venv/bin/tickersim deploy --stage try --owner \"Your Name\" "
                  "--email you@example.com\n"
                  "  .venv/bin/tickersim teardown --stage try --yes", flush=True)
            _wait_for_a_stop()
    except LocalCloudError as exc:
        print(f"local-aws: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:          # Ctrl-C is how it stops: the server is down by now
        pass
    print("local-aws: stopped")
    return 0


def _wait_for_a_stop():
    """Until SIGTERM, or Ctrl-C (KeyboardInterrupt)."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
