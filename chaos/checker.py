"""The invariants, judged from what a consumer sees: the bucket, the outbox, the table at the end.

Besides those, the checker knows only the history's own facts: the console edits made (what,
and the latest run minute started by then), which invocations ran out of retries, and in
which run each object appeared (as a consumer watching the bucket would).
"""
import json
import re
from collections import defaultdict

from chalicelib.walk.ticks import parse_minute

JUMP = 0.2            # a price edit doubles or halves; a walk's step is far below 20 %
NEAR = 0.01

INVARIANTS = (
    "seq gap-free from 1",
    "duplicates byte-identical",
    "table Price/Seq = last delivered tick",
    "edits survive, deletes stick",
    "no tick later than its run's minute",
    "catch-up <= MAX_CATCHUP_MINUTES",
    "one alert per exhausted failure, no other",
    "no more recovery notices than failure alerts",
)
RECOVERED = "Recovered: "     # the recovery notice's subject; it shares the failure topic


def _minute(timestamp):
    return parse_minute(timestamp)


def check(objects, object_minute, alerts, table, edits, exhausted, max_catchup,
          start_minute=0):
    """(violations by invariant, figures, stated exceptions used)."""
    bad = {name: [] for name in INVARIANTS}
    copies = defaultdict(dict)            # (ticker, seq) -> {line: [object keys]}
    per_object = {}
    lines_total = 0
    for key, body in objects.items():
        rows = []
        for line in body.splitlines():
            tick = json.loads(line)
            copies[(tick["ticker"], tick["seq"])].setdefault(line, []).append(key)
            rows.append(tick)
            lines_total += 1
            if _minute(tick["timestamp"]) > object_minute[key]:
                bad["no tick later than its run's minute"].append(
                    f"{tick['ticker']} seq {tick['seq']} at {tick['timestamp']} in a run of "
                    f"minute {object_minute[key]}")
        per_object[key] = rows

    by_ticker = defaultdict(dict)         # ticker -> {seq: price of the first copy}
    for (ticker, seq), versions in copies.items():
        by_ticker[ticker][seq] = json.loads(next(iter(versions)))["price"]
    price_edits = defaultdict(list)
    for edit in edits:
        if edit["kind"] == "price" and "value" in edit:
            price_edits[edit["ticker"]].append(edit["value"])

    # The stated exception: an edit to a ticker whose last delivery was never committed
    # changes its re-walk, so those seqs come again with the edit applied (newest wins).
    walk_edits = defaultdict(list)
    for edit in edits:
        if edit["kind"] in ("price", "drift"):
            walk_edits[edit["ticker"]].append(start_minute + edit["at"])
    exceptions = {"seqs re-walked after an edit to an uncommitted delivery": 0}
    forked = defaultdict(list)
    for (ticker, seq), versions in copies.items():
        if len(versions) > 1:
            forked[ticker].append(seq)
    for ticker, seqs in forked.items():
        first = min(seqs)
        since = min(_minute(json.loads(v)["timestamp"]) for v in copies[(ticker, first)])
        if any(at >= since - 1 for at in walk_edits[ticker]):
            exceptions["seqs re-walked after an edit to an uncommitted delivery"] += len(seqs)
        else:
            bad["duplicates byte-identical"].append(
                f"{ticker}: {len(seqs)} seq(s) delivered with different content, from {first}")

    for ticker, seqs in by_ticker.items():
        last = max(seqs)
        if len(seqs) != last or min(seqs) != 1:
            missing = sorted(set(range(1, last + 1)) - set(seqs))
            bad["seq gap-free from 1"].append(f"{ticker}: missing {missing[:5]} of 1..{last}")

    deleted = {e["ticker"]: e for e in edits if e["kind"] == "delete"}
    for ticker, item in table.items():
        seqs = by_ticker.get(ticker, {})
        if "Seq" not in item:
            if seqs:
                bad["table Price/Seq = last delivered tick"].append(
                    f"{ticker}: ticks delivered but the table has no Seq")
            continue
        seq, price = int(item["Seq"]["N"]), float(item["Price"]["N"])
        if seq != max(seqs, default=0):
            bad["table Price/Seq = last delivered tick"].append(
                f"{ticker}: table Seq {seq}, last delivered {max(seqs, default=0)}")
        elif price != seqs[seq] and price not in price_edits[ticker]:
            bad["table Price/Seq = last delivered tick"].append(
                f"{ticker}: table Price {price}, last delivered {seqs[seq]}")

    for ticker in by_ticker:
        if ticker not in table and ticker not in deleted:
            bad["edits survive, deletes stick"].append(f"{ticker}: gone from the table")
    for ticker, edit in deleted.items():
        if ticker in table:
            bad["edits survive, deletes stick"].append(f"{ticker}: deleted, but back")
        late = [t for (name, _), versions in copies.items() if name == ticker
                for t in map(json.loads, versions)
                if edit["started_max"] is None or _minute(t["timestamp"]) > edit["started_max"]]
        if late:
            bad["edits survive, deletes stick"].append(
                f"{ticker}: {len(late)} tick(s) after its deletion")
    _edits_survive(edits, table, by_ticker, deleted, bad)

    unique_per_object = 0
    exceptions["catch-ups past the cap that re-walk an uncommitted delivery"] = 0
    for rows in per_object.values():
        fresh, first = defaultdict(set), {}
        for tick in rows:
            name, seq = tick["ticker"], tick["seq"]
            first[name] = min(first.get(name, seq), seq)
            versions = copies[(name, seq)]
            if len(versions) == 1 and len(next(iter(versions.values()))) == 1:
                fresh[name].add(_minute(tick["timestamp"]))
        for ticker, minutes in fresh.items():
            if len(minutes) <= max_catchup:
                unique_per_object = max(unique_per_object, len(minutes))
                continue
            start = copies[(ticker, first[ticker])]
            if len(start) > 1 or len(next(iter(start.values()))) > 1:
                # The stated exception: it starts where an earlier, uncommitted delivery did.
                exceptions["catch-ups past the cap that re-walk an uncommitted delivery"] += 1
            else:
                bad["catch-up <= MAX_CATCHUP_MINUTES"].append(
                    f"{ticker}: {len(minutes)} new minutes in one delivery (cap {max_catchup})")

    envelopes = [json.loads(body) for body in alerts]
    notices = sum(1 for e in envelopes if (e.get("Subject") or "").startswith(RECOVERED))
    alerts = [body for body, e in zip(alerts, envelopes)
              if not (e.get("Subject") or "").startswith(RECOVERED)]
    if notices > len(alerts):
        bad["no more recovery notices than failure alerts"].append(
            f"{notices} recovery notices after {len(alerts)} failure alerts")
    ids = [m.group(1) for body in alerts
           for m in [re.search(r"Request id:\s+(\S+)", json.loads(body).get("Message", ""))]
           if m]
    if len(ids) != len(alerts):
        bad["one alert per exhausted failure, no other"].append(
            f"{len(alerts) - len(ids)} alert(s) without a request id")
    for rid in set(ids) | set(exhausted):
        why = "ran out of retries" if rid in exhausted else "did not run out of retries"
        if ids.count(rid) != (1 if rid in exhausted else 0):
            bad["one alert per exhausted failure, no other"].append(
                f"{rid}: {ids.count(rid)} alert(s), and it {why}")

    unique = len(copies)
    figures = {"ticks delivered": lines_total, "distinct (ticker, seq)": unique,
               "duplicates re-sent": lines_total - unique, "alerts": len(alerts),
               "recovery notices": notices,
               "longest new catch-up in one delivery (minutes)": unique_per_object}
    return bad, figures, exceptions


def _edits_survive(edits, table, by_ticker, deleted, bad):
    by = defaultdict(list)
    for edit in edits:
        by[edit["ticker"]].append(edit)
    for ticker, own in by.items():
        if ticker in deleted:
            continue
        item = table.get(ticker, {})
        drifts = [e for e in own if e["kind"] == "drift"]
        if drifts and item.get("Drift", {}).get("N") != str(drifts[-1]["drift"]):
            bad["edits survive, deletes stick"].append(
                f"{ticker}: Drift {item.get('Drift')} after an edit to {drifts[-1]['drift']}")
        prices = [e for e in own if e["kind"] == "price" and "value" in e]
        seqs = by_ticker.get(ticker, {})
        for n, edit in enumerate(prices):
            if n + 1 < len(prices) and prices[n + 1]["at"] - edit["at"] <= 3:
                continue            # overwritten by the next edit before a run may walk it
            value = edit["value"]
            jumped = any(abs(p / value - 1) < NEAR and
                         (s - 1 not in seqs or abs(seqs[s - 1] / value - 1) > JUMP)
                         for s, p in seqs.items())
            stays = "Price" in item and abs(float(item["Price"]["N"]) / value - 1) < 1e-9
            if not (jumped or stays):
                bad["edits survive, deletes stick"].append(
                    f"{ticker}: price edit to {value} at minute {edit['at']} never took effect")
