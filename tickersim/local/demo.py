"""`tickersim demo`: the whole pipeline on this machine, on an embedded local AWS.

moto's server plays AWS on 127.0.0.1; a scheduler with a logical clock plays EventBridge
(one run per --interval seconds, each a minute later on the clock); tickersim.local.lambdas plays
the Lambda service (a fresh process per invocation, timeout, retries, on-failure destination);
a queue subscribed to the alert topic plays the owner's inbox.
"""
import signal
import sys
import tempfile
import time
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from tickersim.base import stage as stages
from tickersim.base.seeds import SeedError
from tickersim.local import web
from tickersim.local.demo_flags import DemoError, add_arguments, check_arguments
from tickersim.local.demo_run import Demo
from tickersim.local.demo_stop import SUMMARY_ROOM, finish
from tickersim.local.liveview import LiveView, PlainView
from tickersim.local.localcloud import LocalCloud, LocalCloudError
from tickersim.local.outdir import OutDir, OutDirError

__all__ = ["add_arguments", "main"]      # the command's two entry points (tickersim.cli)


def main(args):
    try:
        check_arguments(args)
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    try:
        files = OutDir.prepare(args.out or Path("out") / time.strftime("demo-%Y%m%d-%H%M%S"))
    except OutDirError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    try:
        files.reserve("summary.json", SUMMARY_ROOM)
    except OutDirError as exc:
        files.close()
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    out = files.root
    previous = signal.signal(signal.SIGTERM, _interrupt)
    demo = None
    interrupted = False
    stopped = None          # the OutDirError that stopped the demo early (e.g. a full disk)
    try:
        with web.Site(args) as site, \
                tempfile.TemporaryDirectory(prefix="tickersim-demo-") as workdir, \
                (LiveView() if args.live else PlainView()) as view, \
                LocalCloud(stages.DEFAULT_REGION, args.port) as cloud:
            demo = Demo(args, cloud, Path(workdir), files, view)
            try:
                demo.setup()
                site.start(cloud.environment(), demo.table, demo.names.bucket, args.interval,
                           files.write_bytes("logs/web.log", b""), view.event)
                demo.run()
            except KeyboardInterrupt:
                interrupted = True
                view.event("stopping ...")
            except OutDirError as exc:
                stopped = exc
                view.event(f"stopping: {exc}", "bold red")
            finally:
                if getattr(demo, "state", None) is not None:
                    finish(demo, interrupted, stopped)
    except (DemoError, LocalCloudError, SeedError, OutDirError,
            web.WebError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"demo: the local AWS refused a call: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        files.discard_unwritten()
        files.close()
    if stopped is not None:
        print(f"demo: {stopped}", file=sys.stderr)
        return 2
    if demo is None or getattr(demo, "state", None) is None:
        return 130 if interrupted else 1
    print(f"local AWS stopped. The data is in {out}: s3/ (every object of the bucket), "
          "outbox/ (every alert e-mail), logs/ (each function's output), summary.json")
    for problem in demo.state.problems:
        print(f"demo: {problem}", file=sys.stderr)
    if interrupted:
        return 130
    return 1 if demo.state.problems else 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt
