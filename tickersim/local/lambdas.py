"""Lambda emulation for the local cloud: each invocation a fresh process, AWS's async contract.

moto stores functions but never runs them, so tickersim runs them itself: a new process per
invocation (no warm state leaks between runs, and an edited app.py is picked up at the next
run), the function's timeout, and for asynchronous invocations the retries and the on-failure
destination record, in the shape AWS hands to the destination.

The processes are forked from one server per tickersim process that has imported what the
Lambda runtime provides (boto3, botocore, chalice): that import was most of an invocation's
second, and a forked child still starts with nothing of the function's own. On macOS each is
a new interpreter instead (see lambda_processes.start_cold).
"""
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tickersim.base import stage as stages
from tickersim.local.lambda_bootstrap import kill_group
from tickersim.local.lambda_processes import ForkServer, start_cold

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
ACCOUNT = "123456789012"            # moto's account id
PYTHON_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
# AWS retries a failed asynchronous invocation after about 1 minute, then about 2 more.
RETRY_DELAY_MINUTES = (1, 2)
DEFAULT_RETRIES = stages.DEFAULT_RETRIES
# What `chalice deploy` builds a bundle from; vendor/'s contents land at the bundle's root.
BUNDLE = ("app.py", "chalicelib", "vendor", "requirements.txt")
_KILL_GRACE_S = 5.0
FORK = sys.platform != "darwin"     # invocations fork from one warm server (see start_cold)


@dataclass(frozen=True)
class Function:
    name: str
    handler: str            # module.function, as Chalice deploys it
    code_dir: Path          # the code this function runs ("as deployed")
    environment: dict       # the stage's variables for this function
    timeout: float          # seconds
    memory: int = 128
    region: str = "eu-west-1"

    @property
    def arn(self):
        return f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{self.name}"


@dataclass(frozen=True)
class Outcome:
    request_id: str
    payload: dict           # the handler's result, or the error payload the runtime reports
    failed: bool
    duration: float         # seconds of wall time
    log: str                # what the function wrote, as CloudWatch Logs would hold it


def iso_millis(epoch):
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def runtime_environment(function, aws_env):
    """The variables a Lambda process sees: the runtime's own, then the function's.

    Built from scratch rather than from the operator's shell, as on AWS: a variable set
    in your terminal (MARKET_SEED, AWS_PROFILE...) does not leak into the function.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": "UTC",
        "PYTHONUNBUFFERED": "1",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{PYTHON_RUNTIME}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        "LAMBDA_TASK_ROOT": str(function.code_dir),
        "_HANDLER": function.handler,
    }
    env.update(aws_env)
    env.update(function.environment)
    return env


def invoke(function, event, aws_env, request_id=None, logical_start=None, on_start=None):
    """Run one invocation of `function` on `event` in a fresh process; never raises for the
    function's own failures (they come back in the Outcome, as from the Lambda service).

    logical_start: when the invocation starts on the demo's clock (default: now), for the
    time a timeout is reported at. on_start(process): told of the process once started (a
    caller running several at once stops them all on Ctrl-C).
    """
    request_id = request_id or str(uuid.uuid4())
    if FORK:
        _server.ensure_running()    # its start-up is not the function's time
    started = time.time()
    logical_start = started if logical_start is None else logical_start
    request = {"handler": function.handler, "event": event, "request_id": request_id,
               "function_arn": f"{function.arn}:$LATEST",
               "bundle": bundle_modules(function.code_dir),
               "deadline_ms": (started + function.timeout) * 1000}
    with tempfile.TemporaryDirectory(prefix="tickersim-invoke-") as tmp:
        result_file, log_file = Path(tmp) / "result.json", Path(tmp) / "log"
        order = {"cwd": str(function.code_dir), "request": request,
                 "env": runtime_environment(function, aws_env),
                 "result_file": str(result_file), "log_file": str(log_file)}
        process = _server.start(order) if FORK else start_cold(BOOTSTRAP, order)
        if on_start is not None:
            on_start(process)
        try:
            process.wait(timeout=function.timeout)
        except subprocess.TimeoutExpired:
            stop(process)
            elapsed = time.time() - started
            return Outcome(request_id, {"errorMessage": (
                f"{iso_millis(logical_start + elapsed)} {request_id} Task timed out after "
                f"{elapsed:.2f} seconds")}, True, elapsed, _read_log(log_file))
        except BaseException:
            stop(process)
            raise
        elapsed = time.time() - started
        log = _read_log(log_file)
        try:
            payload = json.loads(result_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            payload = {"errorType": "Runtime.ExitError", "errorMessage": (
                f"RequestId: {request_id} Error: Runtime exited with error: "
                f"exit status {process.returncode}")}
    if "result" in payload:
        return Outcome(request_id, payload["result"], False, elapsed, log)
    return Outcome(request_id, payload, True, elapsed, log)


def stop(process):
    """Kill a function's process group and wait for it to be reaped."""
    if process.pid:             # None: the server never forked it
        kill_group(process.pid)
    process.wait(timeout=_KILL_GRACE_S)


def _read_log(path):
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


_server = ForkServer(BOOTSTRAP)


def failure_record(function, event, outcome, attempts, when, condition="RetriesExhausted"):
    """The record AWS sends to an on-failure destination: retries exhausted, or the event
    too old to try again (EventAgeExceeded)."""
    return {
        "version": "1.0",
        "timestamp": iso_millis(when),
        "requestContext": {
            "requestId": outcome.request_id,
            "functionArn": f"{function.arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                            "functionError": "Unhandled"},
        "responsePayload": outcome.payload,
    }


def error_type(payload):
    """The error type an outcome names; a timeout has none on AWS, so say so."""
    if "errorType" in payload:
        return payload["errorType"]
    return "Timeout" if "timed out" in str(payload.get("errorMessage", "")) else "unknown"


def bundle_files(code_dir):
    """(path, relative name) of every file `chalice deploy` would bundle from code_dir."""
    root = Path(code_dir)
    for name in BUNDLE:
        top = root / name
        paths = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                yield path, path.relative_to(root).as_posix()


def bundle_zip(code_dir):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, name in bundle_files(code_dir):
            zf.write(path, name)
    return data.getvalue()


def snapshot(code_dir, target):
    """Copy the bundle's files: the code a function keeps, whatever happens to the tree."""
    target = Path(target)
    for path, name in bundle_files(code_dir):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(path.read_bytes())
    return target


def bundle_modules(code_dir):
    """Top-level modules the deployed function can import from its own bundle: its code,
    vendor/'s contents, and (by their import names, as a rule) requirements.txt's packages."""
    root = Path(code_dir)
    names = {"app", "chalicelib"}
    if (root / "vendor").is_dir():
        names |= {p.stem for p in (root / "vendor").iterdir()}
    requirements = root / "requirements.txt"
    for line in requirements.read_text().splitlines() if requirements.is_file() else []:
        name = re.split(r"[<>=!~;\[ @#]", line.strip(), maxsplit=1)[0]
        if name:
            names.add(name.lower().replace("-", "_"))
    return sorted(names)
