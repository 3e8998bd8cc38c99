"""Local fan-out: the workers a coordinator started, run as Lambda would run them.

moto records the coordinator's asynchronous Invoke calls but runs nothing, so the demo starts
the same workers itself from the coordinator's report (the segment count and the seed fix
every worker's event): each in a fresh process (tickersim.local.lambdas), K at a time, each
with the async contract of its own (retries, then the failure record for the notifier).
Ctrl-C stops every worker process at once.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

from chalicelib.core import events
from tickersim.local import lambdas


class WorkerPool:
    def __init__(self, function, aws_env, processes, retries, say, notify):
        """say(text, style): a line for the live view; notify(record): hand a failure record
        to the on-failure destination."""
        self.function, self.aws_env, self.processes = function, aws_env, processes
        self.retries, self.say, self.notify = retries, say, notify
        self.live, self.lock = set(), threading.Lock()
        self.stopping = False

    def _started(self, process):
        with self.lock:
            # Only processes still running: a finished one's id may be reused.
            self.live = {p for p in self.live if p.poll() is None} | {process}
            if self.stopping:
                lambdas.stop(process)

    def _one(self, event, logical_start):
        """All attempts of one worker: its outcomes, the last one deciding."""
        label = events.parse_task(event).label
        for attempt in range(1, self.retries + 2):
            if self.stopping:
                return event, None, attempt - 1
            outcome = lambdas.invoke(self.function, event, self.aws_env,
                                     logical_start=logical_start, on_start=self._started)
            if self.stopping:
                return event, outcome, attempt
            if not outcome.failed:
                report = outcome.payload if isinstance(outcome.payload, dict) else {}
                self.say(f"  worker {label}: {report.get('tickers', '?')} tickers, "
                         f"{report.get('ticks', '?')} ticks ({outcome.duration:.1f} s)", None)
                return event, outcome, attempt
            error = f"{lambdas.error_type(outcome.payload)}: " \
                    f"{outcome.payload.get('errorMessage', '')}"
            more = attempt <= self.retries
            self.say(f"  worker {label} failed: {error}"
                     + ("; Lambda retries it (here at once)" if more else ""), "yellow")
        return event, outcome, attempt

    def run(self, events, logical_start):
        """Run every worker; returns [(event, outcome, attempts)], failures already handed to
        notify. KeyboardInterrupt stops them all and is raised again."""
        with ThreadPoolExecutor(self.processes, thread_name_prefix="worker") as pool:
            futures = [pool.submit(self._one, e, logical_start) for e in events]
            try:
                # One future at a time: concurrent.futures.wait() holds every future's lock
                # while it sets up, and a Ctrl-C there would leave them held for good.
                results = [future.result() for future in futures]
            except KeyboardInterrupt:
                for future in futures:      # the queued ones never start
                    future.cancel()
                with self.lock:
                    self.stopping = True
                    for process in self.live:
                        if process.poll() is None:
                            lambdas.stop(process)
                raise
        for event, outcome, attempts in results:
            if outcome.failed:
                self.notify(lambdas.failure_record(self.function, event, outcome, attempts,
                                                   logical_start + outcome.duration))
        return results
