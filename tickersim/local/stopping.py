"""Ctrl-C during a run: the run finishes and is recorded before the demo stops.

The function's process runs in its own session, so the terminal's Ctrl-C reaches only the demo.
Stopping it mid-run would leave ticks delivered that the summary and logs/ never mention; so the
first Ctrl-C (or SIGTERM) asks to stop once the run is recorded, and a second one stops at once.
"""
import signal

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopAfterRun:
    def __init__(self, on_request):
        self.on_request = on_request
        self.requested = False
        self._previous = {}

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.on_request()

    def __enter__(self):
        self._previous = {sig: signal.signal(sig, self._handle) for sig in _SIGNALS}
        return self

    def __exit__(self, exc_type, exc, tb):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        if self.requested and exc_type is None:
            raise KeyboardInterrupt
        return False
