"""Breaking the code on purpose (--break-after): a copy of app.py whose handler body is
commented out, as in the classic exercise."""
import re

from tickersim.local.demo_flags import DemoError
from tickersim.local.lambdas import snapshot

BROKEN_ERROR = "Runtime.UserCodeSyntaxError"     # a def whose body is all comments


def comment_out_body(source, function_name):
    """The classic exercise: the handler's body commented out, which no longer parses."""
    lines = source.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"\s*def {re.escape(function_name)}\(", line)), None)
    if start is None:
        raise DemoError(f"cannot break the code: app.py has no `def {function_name}(`")
    indent = len(lines[start]) - len(lines[start].lstrip())
    body = start + 1
    while body < len(lines) and not lines[body - 1].rstrip().endswith(":"):
        body += 1     # a signature spread over several lines
    while body < len(lines) and (not lines[body].strip()
                                 or len(lines[body]) - len(lines[body].lstrip()) > indent):
        if lines[body].strip():
            lines[body] = "# " + lines[body]
        body += 1
    return "".join(lines)


def broken_copy(code_dir, target, handler):
    module, _, function_name = handler.rpartition(".")
    copy = snapshot(code_dir, target)
    path = copy / f"{module}.py"
    path.write_text(comment_out_body(path.read_text(encoding="utf-8"), function_name),
                    encoding="utf-8")
    return copy
