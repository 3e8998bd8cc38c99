"""The page's numbers and colours, run in Node (the page's own functions, cut from it): each
instrument's decimals, colour and sign from the unrounded change, lines told apart."""
import itertools
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

PAGE = (Path(__file__).resolve().parents[2] / "chalicelib" / "api" / "web" / "index.html").read_text()
NODE = shutil.which("node")
BACKGROUND = re.search(r"--bg: (#[0-9a-f]{6})", PAGE)[1]


def numbers_js():
    return PAGE[PAGE.index("// --- numbers (pure) ---"):PAGE.index("// --- end of numbers ---")]


def run_js(expression):
    if NODE is None:
        pytest.skip("no node to run the page's script")
    done = subprocess.run([NODE, "-e", numbers_js() + f"\nprocess.stdout.write(JSON.stringify("
                                                       f"{expression}));"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("prices, digits", [
    ([1.09123, 1.09, 1.0912], 5),          # EURUSD: JSON drops the zeros of 1.09000
    ([156.123, 156.1], 3),                 # a yen pair
    ([231.91, 232.5, 232], 2),             # a stock
    ([100.4217, 100.42], 4),               # an index as the walk rounds it
    ([43000, 43000.5], 1),
])
def test_each_instrument_shows_the_decimals_it_quotes(prices, digits):
    assert run_js(f"places({json.dumps(prices)})") == digits


def test_a_tiny_fall_is_red_and_signed_though_it_rounds_to_zero():
    """AUDUSD moved -0.00003: with 2 decimals it read "0.00" beside "-0.07 %", uncoloured."""
    shown = run_js("figures(0.65431, 0.65428, 5)")
    assert shown == {"cls": "down", "last": "0.65428", "change": "-0.00003", "pct": "-0.00"}
    rounded_away = run_js("figures(100, 99.99999, 2)")
    assert rounded_away["cls"] == "down" and rounded_away["change"].startswith("-")
    assert run_js("figures(100, 100.004, 2)") == {"cls": "up", "last": "100.00",
                                                  "change": "+0.00", "pct": "+0.00"}
    assert run_js("figures(100, 100, 2)")["cls"] == ""


def lab(hex_colour):
    """CIE L*a*b* of an sRGB colour (D65)."""
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(hex_colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
           0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
    fx, fy, fz = (v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def test_the_palette_colours_are_far_apart_and_stand_out_from_the_background():
    """DDOG/SHOP and EURJPY/USDJPY were drawn in two near-equal reds (distance 9)."""
    colours = re.findall(r'"(#[0-9a-f]{6})"', PAGE[PAGE.index("const COLORS"):
                                                   PAGE.index("];", PAGE.index("const COLORS"))])
    assert len(colours) == len(set(colours)) == 10
    assert min(math.dist(lab(a), lab(b)) for a, b in itertools.combinations(colours, 2)) >= 30
    assert min(math.dist(lab(c), lab(BACKGROUND)) for c in colours) >= 40


def test_the_first_load_reads_every_page_of_the_hour():
    """Ten stocks tick 2,400 times an hour: one page of 1,000 covered 25 minutes."""
    start = PAGE.index("async function fill(query)")
    fill = PAGE[start:PAGE.index("\n}\n", start) + 3]
    constants = re.search(r"const POLL_MS = .*;", PAGE)[0]
    script = constants + """
const ticks = Array.from({length: 2400}, (_, n) => ({seq: n}));
const asked = [], got = [];
async function getJSON(path) {
  asked.push(path);
  const params = new URLSearchParams(path.split("?")[1]);
  const offset = Number(params.get("offset")), limit = Number(params.get("limit"));
  const data = ticks.slice(offset, offset + limit);
  return {pagination: {limit, offset, count: data.length, total: ticks.length}, data};
}
const add = (tick) => got.push(tick.seq);
""" + fill + """
fill("date_to=2026-12-01T10%3A00%3A00Z").then(() => process.stdout.write(
  JSON.stringify({got: got.length, distinct: new Set(got).size, asked})));
"""
    if NODE is None:
        pytest.skip("no node to run the page's script")
    done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["got"] == result["distinct"] == 2400
    assert all("date_to=" in path for path in result["asked"]) and len(result["asked"]) == 3
