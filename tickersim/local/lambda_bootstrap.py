"""A miniature of the Lambda Python runtime: one invocation of one handler, in this process.

Run as `python -P lambda_bootstrap.py RESULT_FILE` with the function's code directory as the
working directory, the Lambda environment variables set, and the request on stdin as JSON
({"handler", "event", "request_id", "function_arn", "deadline_ms", "bundle"}, bundle: the
top-level modules the deployment package holds). It writes to RESULT_FILE
{"result": ...} or the error payload the Lambda runtime reports ({errorType, errorMessage,
requestId, stackTrace}), with the same error types for broken code. Function output goes to
stdout/stderr, as it would go to CloudWatch Logs.

`python -P lambda_bootstrap.py --serve` is the same runtime as a fork server: it imports
what the Lambda runtime provides once (boto3 is most of a cold start), then forks a fresh
child per invocation request, so each invocation still starts from nothing of its own
(see serve()).

This file runs inside the function's process, so it imports nothing from tickersim.
"""
import importlib
import importlib.machinery
import json
import logging
import os
import selectors
import signal
import sys
import threading
import time
import traceback

# What the Lambda Python runtime provides besides the standard library, and what
# `chalice deploy` adds to every bundle.
RUNTIME_PACKAGES = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six",
                    "awslambdaric", "chalice"}


class Fault(Exception):
    """An error the runtime itself reports (bad code rather than a failing handler)."""

    def __init__(self, error_type, message, trace=()):
        super().__init__(message)
        self.payload = {"errorType": error_type, "errorMessage": message, "requestId": "",
                        "stackTrace": list(trace)}


class LambdaContext:
    """The context object the runtime hands to a handler."""

    def __init__(self, request):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.invoked_function_arn = request["function_arn"]
        self.aws_request_id = request["request_id"]
        self.identity = self.client_context = None
        self._deadline_ms = request["deadline_ms"]

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


class FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compile the function's own modules from source every time.

    A deploy replaces the files on AWS; locally an edit within the same second and of the
    same size would otherwise be hidden by a stale __pycache__ entry.
    """

    def get_code(self, fullname):
        return self.source_to_code(self.get_data(self.path), self.path)


class BundleOnly:
    """Refuse top-level imports the deployed function could not make.

    On AWS the function sees its bundle, the standard library and the runtime's packages,
    not the operator's virtualenv: importing e.g. `tickersim` or `moto` fails there, so it
    fails here too, with the same ImportModuleError.
    """

    def __init__(self, allowed):
        self.allowed = RUNTIME_PACKAGES | set(sys.stdlib_module_names) | allowed

    def find_spec(self, name, path=None, target=None):
        if path is not None or name in self.allowed:
            return None
        raise ModuleNotFoundError(f"No module named '{name}'", name=name)


def install_import_rules(code_dir, bundle):
    def only_code_dir(path):
        full = os.path.abspath(path)
        if full != code_dir and not full.startswith(code_dir + os.sep):
            raise ImportError("not the function's code")
        return importlib.machinery.FileFinder(
            full, (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
            (FreshSourceLoader, importlib.machinery.SOURCE_SUFFIXES))

    sys.dont_write_bytecode = True
    sys.path_hooks.insert(0, only_code_dir)
    sys.path_importer_cache.clear()
    sys.path[:0] = [code_dir, os.path.join(code_dir, "vendor")]
    sys.meta_path.insert(0, BundleOnly(set(bundle)))


def user_frames(tb):
    """The stack trace lines as the runtime reports them: without the runtime's own frames."""
    frames = [f for f in traceback.extract_tb(tb) if f.filename != __file__]
    return traceback.format_list(frames)


def load_handler(spec):
    module_name, _, function_name = spec.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise Fault("Runtime.ImportModuleError",
                    f"Unable to import module '{module_name}': {exc}") from None
    except SyntaxError as exc:
        text = exc.text if exc.text is not None else "\n"
        raise Fault("Runtime.UserCodeSyntaxError",
                    f"Syntax error in module '{module_name}': {exc}",
                    [f'  File "{exc.filename}" Line {exc.lineno}\n    {text}']) from None
    handler = getattr(module, function_name, None)
    if handler is None:
        raise Fault("Runtime.HandlerNotFound",
                    f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


def invoke(request):
    request_id = request["request_id"]
    try:
        handler = load_handler(request["handler"])
    except Fault as fault:
        return fault.payload
    except Exception as exc:   # anything else raised while importing the module
        return {"errorType": type(exc).__name__, "errorMessage": str(exc), "requestId": "",
                "stackTrace": user_frames(exc.__traceback__)}
    try:
        result = handler(request["event"], LambdaContext(request))
    except Exception as exc:
        return {"errorType": type(exc).__name__, "errorMessage": str(exc),
                "requestId": request_id, "stackTrace": user_frames(exc.__traceback__)}
    try:
        json.dumps(result)
    except (TypeError, ValueError) as exc:
        return {"errorType": "Runtime.MarshalError",
                "errorMessage": f"Unable to marshal response: {exc}", "requestId": request_id,
                "stackTrace": []}
    return {"result": result}


def run(request, result_file):
    install_import_rules(os.path.abspath(os.getcwd()), request["bundle"])
    outcome = invoke(request)
    if "errorType" in outcome:
        # The runtime logs the error too, as CloudWatch shows it.
        print(f"[ERROR] {outcome['errorType']}: {outcome['errorMessage']}", file=sys.stderr)
        print("".join(outcome["stackTrace"]), end="", file=sys.stderr)
    sys.stdout.flush()
    with open(result_file, "w", encoding="utf-8") as out:
        json.dump(outcome, out)


# --- the fork server ---------------------------------------------------------------------

def _child(order):
    """In the forked child: become a process of its own, as a fresh one would start, and run
    the invocation. Never returns."""
    code = 0
    try:
        os.setpgid(0, 0)    # its own group: a timeout kills it and whatever it started
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for number in (signal.SIGTERM, signal.SIGCHLD):
            signal.signal(number, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        log = os.open(order["log_file"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, 1024)   # the server's pipes and selector are not the function's
        for stream in (sys.stdout, sys.stderr):   # as under PYTHONUNBUFFERED, Lambda's
            stream.reconfigure(line_buffering=True, write_through=True)
        os.chdir(order["cwd"])
        os.environ.clear()
        os.environ.update(order["env"])
        time.tzset()
        sys.argv = [__file__, order["result_file"]]
        run(order["request"], order["result_file"])
    except SystemExit as exc:          # as the interpreter ends on sys.exit(code)
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:
        traceback.print_exc()
        code = -signal.SIGINT   # a fresh interpreter ends by the signal itself
    except BaseException:   # noqa: BLE001 - as an uncaught exception ends a fresh process
        traceback.print_exc()
        code = 1
    finally:
        _end(code)


def _end(code):
    """What a fresh interpreter does on its way out that os._exit skips: wait for the
    function's own (non-daemon) threads, flush logging and the streams. Then exit."""
    try:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except BaseException:   # noqa: BLE001, S110 - the exit status is already decided
        pass
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code if -2**31 <= code < 2**31 else 255)


def serve():
    """Read invocation orders (one JSON object a line: id, cwd, env, request, result_file,
    log_file) on stdin; fork a child for each and answer {"id", "pid"} at once, then
    {"id", "status"} (its exit status) when it ends. Ends when stdin closes."""
    for name in sorted(RUNTIME_PACKAGES):
        try:
            importlib.import_module(name)
        except ImportError:
            continue            # not installed here: a function importing it fails as before
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the caller stops children, not Ctrl-C
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    children, pending = {}, b""          # pid -> order id; a line not yet complete

    def answer(message):
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    while True:
        for key, _ in selector.select():
            if key.fileobj == 0:
                data = os.read(0, 1 << 16)
                if not data:        # the caller is gone: so are the invocations it ran
                    for pid in children:
                        kill_group(pid)
                    for pid in children:
                        os.waitpid(pid, 0)
                    return
                *lines, pending = (pending + data).split(b"\n")
                for line in lines:
                    order = json.loads(line)
                    try:
                        pid = os.fork()
                    except OSError as exc:       # EAGAIN, ENOMEM: this order fails alone
                        answer({"id": order["id"], "status": 1, "error": str(exc)})
                        continue
                    if pid == 0:
                        _child(order)
                    try:            # here too: a group to kill exists before the answer
                        os.setpgid(pid, pid)
                    except OSError:
                        pass        # the child did it first (or is gone)
                    children[pid] = order["id"]
                    answer({"id": order["id"], "pid": pid})
            else:
                os.read(wake_r, 4096)
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            answer({"id": children.pop(pid), "status": os.waitstatus_to_exitcode(status)})


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main():
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    run(json.load(sys.stdin), sys.argv[1])


if __name__ == "__main__":
    main()
