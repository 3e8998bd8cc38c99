"""The demo's API and chart page on 127.0.0.1: the Chalice app's routes, served as API Gateway
would serve them, backed by the demo's local AWS.

The port is bound by the demo first thing (so its URL is known and printed before anything
else starts); the app then runs in a process of its own, as Lambda runs it, with the API
function's environment (table, bucket) and its AWS clients pointed at the local endpoint.
"""
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import boto3

from tickersim.base import access_key
from tickersim.base import stage as stages

HOST = "127.0.0.1"
DEFAULT_PORT = 8400
PORTS_TRIED = 50
STOP_WAIT_S = 5
PARENT_CHECK_S = 1


class WebError(Exception):
    """The page cannot be served as asked: the message says what to change."""


def add_arguments(parser):
    parser.add_argument("--web-port", type=int, default=None, metavar="P",
                        help=f"serve the API and the live chart on 127.0.0.1:P (default "
                             f"{DEFAULT_PORT}, or the next free port)")
    parser.add_argument("--no-web", dest="web", action="store_false",
                        help="do not serve the API and the chart page")
    parser.add_argument("--access-key", default=None, metavar="KEY",
                        help="the key the Marketstack routes (/v1/...) accept (default: a new "
                             "one, printed with the URL)")


def bind(port=None):
    """A listening socket on `port`, or on the first free one from DEFAULT_PORT."""
    if port is not None and not 0 <= port <= 65535:
        raise WebError("--web-port must be from 0 to 65535")
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + PORTS_TRIED)
    for candidate in candidates:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The port of a demo just stopped is in TIME_WAIT for a minute: reusable at once.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((HOST, candidate))
            listener.listen(64)
            return listener
        except OSError as exc:
            listener.close()
            reason = exc.strerror
    raise WebError(f"cannot listen on {HOST}:{candidates[0]}"
                   f"{'' if port is not None else f' to {candidates[-1]}'} ({reason}): "
                   "pick another --web-port (0 for any free one), or --no-web")


class Site:
    """`with Site(args) as site:` binds the port and prints the URL; site.start(...) serves."""

    def __init__(self, args, say=print):
        self.enabled = getattr(args, "web", True)
        self.port_asked = getattr(args, "web_port", None)
        self.say = say
        self.listener = self.process = self.url = None
        given = getattr(args, "access_key", None)
        try:
            self.access_key = access_key.generate() if given is None else access_key.check(given)
        except access_key.AccessKeyError as exc:
            raise WebError(str(exc)) from None

    def __enter__(self):
        if self.enabled:
            self.listener = bind(self.port_asked)
            self.url = f"http://{HOST}:{self.listener.getsockname()[1]}/"
            self.say(f"live chart and API: {self.url}  (api/tickers, api/ticks)", flush=True)
            self.say(f"Marketstack API: {self.url}v1  access key: {self.access_key}  (e.g. "
                     f"{self.url}v1/eod/latest?access_key={self.access_key}&symbols=...)",
                     flush=True)
        return self

    def start(self, aws_env, table, bucket, schedule_seconds, log_path, say,
              stage=stages.LOCAL):
        """Store the access key as the stage's, then serve the app from a process of its own,
        and say where."""
        if not self.enabled:
            return None
        ssm = boto3.client("ssm", endpoint_url=aws_env["AWS_ENDPOINT_URL"],
                           region_name=aws_env["AWS_REGION"],
                           aws_access_key_id=aws_env["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=aws_env["AWS_SECRET_ACCESS_KEY"],
                           aws_session_token=aws_env.get("AWS_SESSION_TOKEN"))
        access_key.ensure(ssm, stage, self.access_key)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "en_US.UTF-8",
               "TZ": "UTC", "PYTHONUNBUFFERED": "1", **aws_env, "TABLE_NAME": table,
               "BUCKET_NAME": bucket, "RUN_INTERVAL_SECONDS": f"{max(schedule_seconds, 1):g}",
               "API_KEY_PARAMETER": access_key.parameter_name(stage)}
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tickersim.local.web", str(self.listener.fileno())],
                cwd=stages.PROJECT_DIR, env=env, pass_fds=(self.listener.fileno(),),
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        say(f"live chart: {self.url}  API: {self.url}api/tickers, {self.url}api/ticks")

    def __exit__(self, *exc):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.listener is not None:
            self.listener.close()


# --- the serving process -------------------------------------------------------------------

def gateway_not_found(method, path):
    """What API Gateway answers, with the gateway responses `tickersim deploy` sets, for a
    method and path that no route has."""
    from chalicelib.api import api, routes

    return 404, routes.dumps(api.error_body(
        "not_found", api.NOT_FOUND_MESSAGE.format(method=method, path=path)))


def methods_for(routes):
    """path -> the methods its route allows, matching templated routes (/v1/tickers/{symbol})
    as API Gateway does: a literal route before a templated one."""
    from chalice.local import RouteMatcher

    matcher = RouteMatcher(list(routes))

    def allowed(path):
        try:
            return routes[matcher.match_route(path).route]
        except ValueError:
            return set()
    return allowed


_REFUSALS = {414: ("uri_too_long", "the URL is longer than 64 KB: ask for fewer symbols "
                                   "at a time"),
             431: ("headers_too_large", "a request header is longer than 64 KB")}


def refusal(code):
    """(status, JSON body) for a request the server refuses before any route sees it."""
    from http import HTTPStatus

    from chalicelib.api import api, routes

    try:
        described = HTTPStatus(code).description
    except ValueError:
        described = "the request could not be read"
    name, message = _REFUSALS.get(code, ("bad_request", described))
    return code, routes.dumps(api.error_body(name, message))


def handler_for(gateway, routes):
    allowed_for = methods_for(routes)

    class Handler(BaseHTTPRequestHandler):
        server_version = "tickersim-local"

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            path = urlsplit(self.path).path
            allowed = allowed_for(path)
            if self.command not in allowed and not (self.command == "HEAD" and "GET" in allowed):
                status, text = gateway_not_found(self.command, path)
                self._reply(status, {"Content-Type": "application/json"}, text.encode())
                return
            method = "GET" if self.command == "HEAD" else self.command
            reply = gateway.handle_request(method, self.path, dict(self.headers), body)
            payload = reply.get("body") or b""
            if isinstance(payload, str):
                payload = payload.encode("utf-8")
            headers = dict(reply.get("headers") or {})
            self._reply(reply["statusCode"], headers, payload)

        def _reply(self, status, headers, payload):
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve

        def send_error(self, code, message=None, explain=None):
            """http.server's own refusals (a URL over 64 KB, a malformed request) in the API's
            JSON error shape, not its HTML page."""
            status, body = refusal(code)
            self.close_connection = True
            self._reply(status, {"Content-Type": "application/json"}, body.encode())

        def log_message(self, *args):
            pass        # one line per request would fill the demo's log

    return Handler


def _exit_with(parent, server):
    """Stop serving when the demo is gone, even one killed without a chance to stop us."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    server.shutdown()


def serve(fd):
    from chalice.config import Config
    from chalice.local import LocalGateway

    from app import app

    routes = {path: set(methods) for path, methods in app.routes.items()}
    server = ThreadingHTTPServer((HOST, 0), handler_for(LocalGateway(app, Config()), routes),
                                 bind_and_activate=False)
    server.socket.close()
    server.socket = socket.socket(fileno=fd)
    server.daemon_threads = True
    threading.Thread(target=_exit_with, args=(os.getppid(), server), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass        # Ctrl-C reaches the whole demo; the demo reports it
    finally:
        server.server_close()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
