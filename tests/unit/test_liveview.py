"""The live view's prices panel: closed markets read as closed, low prices keep their digits."""
import io
from pathlib import Path

from rich.console import Console

from tickersim.local.demo_state import DemoState, TickerView
from tickersim.local.liveview import LiveView


def rendered(tickers):
    console = Console(file=io.StringIO(), width=100, height=40, color_system=None)
    state = DemoState(endpoint="http://127.0.0.1:1", bucket="b", out=Path("out"), interval=1.0,
                      start_epoch=0, tickers=tickers)
    view = LiveView(console=console)
    view.state = state
    console.print(view._render())
    return console.file.getvalue()


def test_a_closed_ticker_shows_closed_instead_of_its_change():
    text = rendered({"AAPL": TickerView(price=190.5, first_price=180.0, closed=True),
                     "BTCUSD": TickerView(price=0.0000123456, first_price=0.00001)})
    aapl = next(line for line in text.splitlines() if "AAPL" in line)
    btc = next(line for line in text.splitlines() if "BTCUSD" in line)
    assert "closed" in aapl and "%" not in aapl
    assert "0.0000123456" in btc and "+23.46 %" in btc and "closed" not in btc
