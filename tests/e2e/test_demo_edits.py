"""Editing app.py while the demo runs: the next run picks the edit up, the alert names it.

Each case breaks app.py in a copy of the project after its first good run; the notifier
keeps the code it started with, so even code that no longer parses is reported.
"""
import os

import boto3
import pytest

from tests.e2e.conftest import alerts_in, summary_of

EXCEPTION = "    raise RuntimeError('tick source unplugged')\n"
# The edit lands after run 1 is reported done: several runs after it give it seconds of
# margin on a loaded machine, and any of them may be the first to fail.
RUNS, INTERVAL = 5, 1


def failure_alerts(out):
    """The failure alerts in the outbox; a long breakage also brings the dead-man alarm."""
    return [m for m in alerts_in(out) if m["Subject"].startswith("Failure: ")]


def replace_atomically(path, text):
    """Save as editors do: a run starting meanwhile sees the old file or the new, not half."""
    draft = path.with_suffix(".draft")
    draft.write_text(text)
    os.replace(draft, path)


def syntax_error(source):
    return source + "\ndef half_written(event:\n"


def handler_renamed(source):
    # As a user renames it: the def line only, so the configured handler is gone.
    edited = source.replace("def stream_ticks(event):", "def stream_prices(event):")
    assert edited.count("def stream_prices(") == 1
    return edited


def exception_raised(source):
    head, tail = source.split("def stream_ticks(event):\n")
    return head + "def stream_ticks(event):\n" + EXCEPTION + tail


def imports_operator_tooling(source):
    # Fine in the virtualenv, absent from the Lambda bundle: AWS cannot import it.
    return "import tickersim\n" + source


@pytest.mark.parametrize("edit, error_type, message", [
    (syntax_error, "Runtime.UserCodeSyntaxError", "Syntax error in module 'app'"),
    (handler_renamed, "Runtime.HandlerNotFound", "Handler 'stream_ticks' missing on module 'app'"),
    (exception_raised, "RuntimeError", "tick source unplugged"),
    (imports_operator_tooling, "Runtime.ImportModuleError",
     "Unable to import module 'app': No module named 'tickersim'"),
], ids=lambda v: getattr(v, "__name__", None))
def test_an_edit_to_app_py_fails_the_next_run_and_the_alert_names_it(
        edit, error_type, message, start_demo, project_copy, tmp_path):
    out = tmp_path / "out"
    app = project_copy / "app.py"
    demo = start_demo("--runs", RUNS, "--interval", INTERVAL, "--retries", 0, "--out", out,
                      cwd=project_copy)
    demo.wait_for(r"run 1 ok")
    replace_atomically(app, edit(app.read_text()))
    demo.wait_for(rf"run \d failed: {error_type}")
    demo.wait_for(r"alert e-mail: ")
    assert demo.finish() == 1, demo.text()     # an unplanned failure: not as configured

    mails = failure_alerts(out)
    assert mails
    for mail in mails:
        body = mail.get_content()
        assert f"Error type:      {error_type}" in body
        assert message in body
    summary = summary_of(out)
    assert summary["succeeded"] >= 1 and summary["failed"] == len(mails)
    assert summary["problems"], "the summary says what went otherwise than configured"


def test_async_config_changed_through_the_local_aws_applies_to_the_next_failure(
        start_demo, project_copy, tmp_path):
    out = tmp_path / "out"
    app = project_copy / "app.py"
    demo = start_demo("--runs", RUNS, "--interval", INTERVAL, "--out", out, cwd=project_copy)
    endpoint = demo.wait_for(r"local AWS at (http://\S+)").group(1)
    demo.wait_for(r"run 1 ok")
    # As a user would with `aws lambda ... --endpoint-url`: two retries, but events older
    # than a minute go to the destination. (moto 5.2.5 keeps the first config a put or an
    # update gives it, so delete it first.)
    lam = boto3.client("lambda", endpoint_url=endpoint)
    streaming = "tickersim-local-streaming-lambda"
    notifier = lam.get_function(FunctionName="tickersim-local-notification-lambda")
    lam.delete_function_event_invoke_config(FunctionName=streaming)
    lam.put_function_event_invoke_config(
        FunctionName=streaming, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {
            "Destination": notifier["Configuration"]["FunctionArn"]}})
    replace_atomically(app, exception_raised(app.read_text()))
    demo.wait_for(r"alert e-mail: ")
    demo.finish()

    mails = failure_alerts(out)
    assert mails
    for mail in mails:
        body = mail.get_content()
        assert "Condition:       EventAgeExceeded" in body
        assert "Attempts:        2" in body        # the retry a minute later, not the next
