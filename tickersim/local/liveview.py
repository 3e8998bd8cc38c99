"""What the demo shows while it runs: a live rich view, or plain log lines (`--no-live`)."""
import time

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from chalicelib.walk.market import price_text

SPARK = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 32
EVENT_LINES = 12          # kept; as many as the terminal has room for are shown
_FRAME_ROWS = 2 + 2 + 3   # borders of the three panels, and the prices' header row
_FACT_ROWS = 6
MAX_ROWS = 20              # of prices: a --count fleet shows its first tickers and a count
_NUMBER_COLUMNS = 48      # ticker, price, change, ticks, padding and borders


def sparkline(prices, width=SPARK_WIDTH):
    recent = list(prices)[-width:]
    if not recent:
        return ""
    low, high = min(recent), max(recent)
    if high == low:
        return SPARK[len(SPARK) // 2] * len(recent)
    return "".join(SPARK[round((p - low) / (high - low) * (len(SPARK) - 1))] for p in recent)


def stamp():
    return time.strftime("%H:%M:%S")


class PlainView:
    """One line per event on stdout, for logs and scripts."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def event(self, text, style=None):
        print(f"{stamp()} {text}", flush=True)

    def update(self, state):
        return None


class LiveView:
    """A live terminal view of the demo's state, redrawn as it changes."""

    def __init__(self, console=None):
        self.console = console or Console()
        self.events = []
        self.state = None
        self._live = Live(self._render(), console=self.console, refresh_per_second=4,
                          transient=False)

    def __enter__(self):
        self._live.__enter__()
        return self

    def __exit__(self, *exc):
        return self._live.__exit__(*exc)

    def event(self, text, style=None):
        self.events = (self.events + [(f"{stamp()} {text}", style)])[-EVENT_LINES:]
        self._live.update(self._render())

    def update(self, state):
        self.state = state
        self._live.update(self._render())

    def _render(self):
        state = self.state
        if state is None:
            return Panel(Text("starting the local cloud ..."), title="tickersim demo")
        # The sparkline takes what the numbers leave of the width (80 columns suffice).
        spark = max(8, min(SPARK_WIDTH, self.console.size.width - _NUMBER_COLUMNS))
        prices = Table(box=None, padding=(0, 1))
        for column, justify in (("ticker", "left"), ("price", "right"), ("change", "right"),
                                ("last ticks", "left"), ("ticks", "right")):
            prices.add_column(column, justify=justify, no_wrap=True,
                              min_width=spark if column == "last ticks" else None)
        shown = sorted(state.tickers.items())[:MAX_ROWS]
        for name, ticker in shown:
            change = (ticker.price / ticker.first_price - 1) * 100 if ticker.first_price else 0.0
            colour = "green" if change >= 0 else "red"
            prices.add_row(name, price_text(ticker.price),
                           Text("closed", style="dim") if ticker.closed
                           else Text(f"{change:+.2f} %", style=colour),
                           Text(sparkline(ticker.history, spark), style=colour),
                           str(ticker.ticks))
        if len(state.tickers) > len(shown):
            prices.add_row(f"... {len(state.tickers) - len(shown):,} more", "", "", "", "")
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold", no_wrap=True, min_width=10)
        facts.add_column(no_wrap=True, overflow="ellipsis")
        facts.add_row("clock", f"{state.clock_text()}  (one minute every {state.interval:g} s)")
        facts.add_row("runs", Text.assemble(
            (f"{state.succeeded} ok", "green"), "  ",
            (f"{state.failed} failed", "red" if state.failed else ""),
            f"  {state.retrying} retrying  ({state.invocations} invocations)"))
        facts.add_row("delivered", f"{state.ticks_delivered} ticks in {state.s3_objects} "
                                   f"objects, bucket {state.bucket}")
        facts.add_row("code", Text(state.code, style="red" if state.broken else ""))
        facts.add_row("last alert", Text(state.alerts[-1] if state.alerts else "none",
                                         style="bold red" if state.alerts else "dim"))
        facts.add_row("local AWS", f"{state.endpoint}   data: {state.out}")
        # One row per event and nothing below the screen: a 24-row terminal shows it all.
        room = max(2, self.console.size.height - _FRAME_ROWS - _FACT_ROWS - len(shown)
                   - (len(state.tickers) > len(shown)))
        log = Text("\n", no_wrap=True, overflow="ellipsis").join(
            Text(line, style=style or "") for line, style in self.events[-room:])
        return Group(Panel(facts, title="tickersim demo  (Ctrl-C to stop)"),
                     Panel(prices, title="prices"), Panel(log, title="events"))
