"""The live chart in a real headless Chromium, against a running demo."""
import json
import os
import urllib.request

import pytest

from tickersim.local import browser

REASON = browser.missing()
# In CI a missing browser is a failure (below), never a skip.
pytestmark = pytest.mark.skipif(REASON is not None and not os.environ.get("CI"),
                                reason=f"no browser for the chart tests: {REASON}")
WAIT_S = 180


def grown_from(before):
    def check(driver):
        now = browser.points(driver)
        return now if all(now.get(t, 0) > n for t, n in before.items()) else None
    return check


def test_every_line_fills_grows_and_fits_a_phone(tmp_path):
    if REASON:
        pytest.fail(f"CI is set, so the browser tests must run, but {REASON}")
    with browser.running_demo() as url, browser.chromium() as driver:
        with urllib.request.urlopen(url + "api/tickers", timeout=30) as reply:
            names = {t["ticker"] for t in json.load(reply)["data"]}
        assert names, "the demo's table has no tickers"
        driver.get(url)
        first = browser.wait_until(driver, browser.every_line_has(2), WAIT_S,
                                   "2 points on every line")
        assert set(first) == names
        later = browser.wait_until(driver, grown_from(first), WAIT_S, "a new point on every line")
        assert set(later) == names
        assert driver.execute_script(browser.STATE_JS) == "live"
        assert driver.execute_script("return document.querySelector('#chart canvas') !== null")
        assert driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth;")
        assert driver.execute_script(       # the chart stays out of the table's way
            "return document.querySelector('#chart canvas').getBoundingClientRect().right"
            " <= document.querySelector('table').getBoundingClientRect().left + 1;")
        shot = tmp_path / "chart.png"
        driver.save_screenshot(str(shot))
        assert shot.read_bytes().startswith(b"\x89PNG")

        driver.set_window_size(390, 844)       # a phone: nothing wider than the screen
        browser.wait_until(driver, lambda d: d.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth;"), 30,
            "a layout as narrow as a phone")
        rows = driver.execute_script("return document.querySelectorAll('tr[data-ticker]').length")
        assert rows == len(names)


def test_each_instrument_shows_its_own_decimals_and_its_own_colour():
    """EURUSD read "1.09" and an AUDUSD change "0.00": FX quotes 5 decimals, yen pairs 3.
    A Wednesday, so the FX market is open whatever day the test runs."""
    if REASON:
        pytest.fail(f"CI is set, so the browser tests must run, but {REASON}")
    with browser.running_demo("--tickers", "seed/fx.json", "--start", "2026-12-02T14:00Z") \
            as url, browser.chromium() as driver:
        driver.get(url)
        browser.wait_until(driver, browser.every_line_has(2), WAIT_S, "2 points on every line")
        rows = driver.execute_script(
            "return [...document.querySelectorAll('tr[data-ticker]')].map((r) => ["
            "r.dataset.ticker, ...[...r.cells].slice(1).map((c) => c.textContent),"
            "getComputedStyle(r.querySelector('.swatch')).backgroundColor])")
    decimals = {name: len(last.split(".")[1]) for name, last, *_ in rows}
    assert decimals["EURUSD"] == 5 and decimals["USDJPY"] == 3
    for name, _, change, pct, _ in rows:
        assert len(change.lstrip("+-").split(".")[1]) == decimals[name], (name, change)
        assert change[0] in "+-" or float(change) == 0 and float(pct) == 0, (name, change)
    colours = [colour for *_, colour in rows]
    assert len(set(colours)) == len(colours)


PRICES_JS = ("return [...document.querySelectorAll('tr[data-ticker]')].map("
             "(r) => [r.dataset.ticker, r.cells[0].textContent, r.cells[1].textContent]);")


def test_a_holiday_shows_closed_tickers_with_prices_not_a_waiting_page():
    if REASON:
        pytest.fail(f"CI is set, so the browser tests must run, but {REASON}")
    with browser.running_demo("--tickers", "seed/stocks.json", "--start",
                              "2026-12-25T15:00Z") as url, browser.chromium() as driver:
        driver.get(url)
        browser.wait_until(driver, lambda d: d.execute_script(browser.STATE_JS) == "closed",
                           WAIT_S, "the 'market closed' status")
        rows = driver.execute_script(PRICES_JS)
        assert len(rows) == 10
        for ticker, name, price in rows:
            assert name.endswith("closed") and float(price) > 0, (ticker, name, price)
        assert not driver.execute_script("return document.getElementById('alert').textContent")
