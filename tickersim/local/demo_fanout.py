"""Part of the demo: `--count N` synthetic tickers, and the workers a coordinating run starts.

moto records the coordinator's asynchronous Invoke calls but runs nothing; the coordinator's
report (segments, seed) fixes every worker's event, so the demo starts the same workers
itself, each in a fresh process with the async contract of its own (tickersim.local.workers).
"""
import os

from chalicelib.core import events
from tickersim.base import bulk_seed, synthetic
from tickersim.base import stage as stages
from tickersim.base.naming import function_name
from tickersim.local.lambdas import Function
from tickersim.local.workers import WorkerPool

WORKER_HANDLER = "app.walk_segment"
# moto answers a Scan or a PartiQL batch tens of times slower than DynamoDB (and each segment's
# Scan reads its whole table), so a local worker gets Lambda's longest timeout, not its own.
LOCAL_WORKER_TIMEOUT_S = 900


class _ViewLines:
    """A text stream whose lines become events of the demo's view (the seed's progress)."""

    def __init__(self, view):
        self.view, self.partial = view, ""

    def write(self, text):
        *lines, self.partial = (self.partial + text).replace("\r", "\n").split("\n")
        for line in filter(None, lines):
            self.view.event(line)

    def flush(self):
        pass


class FanOut:
    """Part of Demo (needs args, project, cloud, view, state, table, notify, record_log)."""

    def worker_function(self, stage, stream_env):
        """The worker as deploy makes it; --workers K fixes the coordinator's count."""
        config = stages.function_config(stage, stages.WORKER)
        env = dict(config.environment_variables)
        for name in ("MARKET_SEED", "OWNER_ASCII"):
            if name in stream_env:
                env[name] = stream_env[name]
        stream_env["WORKER_FUNCTION_NAME"] = function_name(stage, stages.WORKER)
        if self.args.workers is not None:
            stream_env["WORKERS"] = str(self.args.workers)
        return Function(name=function_name(stage, stages.WORKER), handler=WORKER_HANDLER,
                        code_dir=self.project, environment=env,
                        timeout=max(config.lambda_timeout, LOCAL_WORKER_TIMEOUT_S),
                        memory=config.lambda_memory_size, region=self.cloud.region)

    def seed_count(self):
        if self.args.count is None:
            return
        written, kept = bulk_seed.create(
            self.cloud.client("dynamodb"), self.table, self.args.count, synthetic.DEFAULT_PREFIX,
            synthetic.DEFAULT_KIND, stream=_ViewLines(self.view))
        self.view.event(f"{written:,} synthetic tickers written ({kept:,} already there)")

    def run_workers(self, attempt, report, at):
        """Start the coordinator's workers and wait for them; returns the ticks they sent."""
        payloads = events.worker_events(attempt.event, report["fanout"], report.get("seed"))
        retries = self.async_config(self.worker.name)[0]
        self.view.event(f"run {attempt.run}: the table is fanned out to {len(payloads)} "
                        f"workers, {min(len(payloads), _processes())} at a time (each may take "
                        f"up to {self.worker.timeout:g} s on moto)")
        pool = WorkerPool(self.worker, self.aws_env, _processes(), retries,
                          say=lambda text, style: self.view.event(text, style),
                          notify=self.notify)
        results = pool.run(payloads, at)
        ticks = 0
        for _, outcome, _ in results:
            self.record_log(self.worker, outcome)
            self.state.invocations += 1
            if not outcome.failed and isinstance(outcome.payload, dict):
                ticks += outcome.payload.get("ticks") or 0
        return ticks, sum(o.failed for _, o, _ in results)


def _processes():
    """Workers at once: one a core (each walks its segment CPU-bound)."""
    return max(1, os.cpu_count() or 1)

