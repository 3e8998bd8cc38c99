"""The live chart in a real browser: a demo on free ports, the system's headless Chromium
driven through its chromedriver (Debian's `chromium` and `chromium-driver`; nothing is
downloaded), and what the page shows. Used by the browser tests and `make screenshot`.

`python -m tickersim.local.browser PATH [--points N]` saves a screenshot of the page once
every ticker's line has N points.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from tickersim.base import stage as stages

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1280, 800
URL_WAIT_S = 120
STOP_WAIT_S = 30
# What the page reports, per ticker: the points its line has.
POINTS_JS = ("return Object.fromEntries([...document.querySelectorAll('tr[data-ticker]')]"
             ".map(r => [r.dataset.ticker, Number(r.dataset.points)]));")
STATE_JS = "return document.getElementById('status').dataset.state;"


def missing():
    """Why no browser test can run here, or None when Chromium and its driver are installed."""
    absent = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if absent:
        return (f"{' and '.join(absent)} not installed (Debian: apt-get install chromium "
                "chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (make .venv/.ready installs it)"
    return None


@contextmanager
def running_demo(*args, interval=1.0):
    """A demo (no live view, free ports, its output in a temporary directory) until Ctrl-C;
    yields the page's URL, which the demo prints first."""
    with tempfile.TemporaryDirectory(prefix="tickersim-browser-") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "tickersim", "demo", "--no-live", "--web-port", "0",
             "--interval", str(interval), "--out", out, *args],
            cwd=stages.PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        first = demo.stdout.readline()
        # Keep reading, or a full pipe would stall the demo.
        drain = threading.Thread(target=demo.stdout.read, daemon=True)
        drain.start()
        try:
            if "http://" not in first:
                raise RuntimeError(f"the demo printed {first!r} first, not the page's URL")
            yield first[first.index("http://"):].split()[0]
        finally:
            demo.send_signal(signal.SIGINT)      # as Ctrl-C: the demo stops its servers
            try:
                demo.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                demo.kill()
                demo.wait()
            drain.join()


@contextmanager
def chromium(width=WIDTH, height=HEIGHT):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def points(driver):
    """{ticker: points on its line}, as the page shows them."""
    return driver.execute_script(POINTS_JS)


def wait_until(driver, condition, timeout, what):
    """Poll the page until condition(driver) holds; the timeout names what never came."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.5).until(condition)
    except TimeoutException:
        raise AssertionError(f"after {timeout} s the page still lacked {what}: "
                             f"points {points(driver)}") from None


def every_line_has(count):
    return lambda driver: (lambda p: p if p and min(p.values()) >= count else None)(
        points(driver))


def save_screenshot(path, count, timeout):
    with running_demo() as url, chromium() as driver:
        driver.get(url)
        wait_until(driver, every_line_has(count), timeout, f"{count} points on every line")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(path))
        return points(driver)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tickersim.local.browser",
                                     description="screenshot of the live chart of a demo")
    parser.add_argument("path", type=Path)
    parser.add_argument("--points", type=int, default=12,
                        help="wait until every ticker's line has this many points")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    reason = missing()
    if reason:
        print(f"screenshot: {reason}", file=sys.stderr)
        return 2
    shown = save_screenshot(args.path, args.points, args.timeout)
    print(f"wrote {args.path}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
