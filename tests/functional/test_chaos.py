"""A short chaos history in every test run: the same checker `make chaos` runs for a day."""
import json

from chaos import history as histories
from chaos.__main__ import main
from chaos.checker import check
from chaos.run import judge, shrink


def test_a_few_simulated_hours_of_faults_break_no_invariant():
    history = histories.generate(seed=7, minutes=120, tickers=20, fault_rate=0.05)
    verdict = judge(history)
    assert verdict.violations == {}
    assert verdict.figures["ticks delivered"] >= 20 * 4 * 90
    assert sum(verdict.counts.values()) >= 10          # faults were injected


def test_the_same_seed_gives_the_same_history_and_outcome():
    first = histories.generate(seed=3, minutes=20, tickers=4, fault_rate=0.3)
    assert first == histories.generate(seed=3, minutes=20, tickers=4, fault_rate=0.3)
    assert first != histories.generate(seed=4, minutes=20, tickers=4, fault_rate=0.3)
    a, b = judge(first), judge(first)
    assert (a.figures, a.counts, a.attempts) == (b.figures, b.counts, b.attempts)


def tick(ticker, seq, price, minute=0):
    return json.dumps({"ticker": ticker, "timestamp": f"2026-11-26T09:{minute:02d}:00Z",
                       "price": price, "seq": seq}).encode() + b"\n"


def item(seq, price, **more):
    return {"Seq": {"N": str(seq)}, "Price": {"N": repr(price)}, **more}


def judged(objects, table, edits=(), alerts=(), exhausted=()):
    minutes = {key: 30_000_000 for key in objects}     # all runs after the ticks
    bad, _, _ = check(objects, minutes, list(alerts), table, list(edits), list(exhausted), 30)
    return {name for name, found in bad.items() if found}


def test_the_checker_sees_a_gap_a_fork_a_stale_table_and_a_lost_edit():
    assert judged({"a": tick("X", 1, 10.0) + tick("X", 2, 10.1)}, {"X": item(2, 10.1)}) == set()
    assert judged({"a": tick("X", 1, 10.0) + tick("X", 3, 10.1)},
                  {"X": item(3, 10.1)}) == {"seq gap-free from 1"}
    assert judged({"a": tick("X", 1, 10.0), "b": tick("X", 1, 10.5)},
                  {"X": item(1, 10.0)}) == {"duplicates byte-identical"}
    assert judged({"a": tick("X", 1, 10.0) + tick("X", 2, 10.1)},
                  {"X": item(1, 10.0)}) == {"table Price/Seq = last delivered tick"}
    lost = {"kind": "drift", "ticker": "X", "drift": 0.7, "at": 0, "started_max": 0}
    assert judged({"a": tick("X", 1, 10.0)}, {"X": item(1, 10.0, Drift={"N": "0.1"})},
                  [lost]) == {"edits survive, deletes stick"}
    gone = {"kind": "delete", "ticker": "X", "at": 0, "started_max": 29_000_000}
    assert judged({"a": tick("X", 1, 10.0)}, {}, [gone]) == {"edits survive, deletes stick"}


def test_the_checker_wants_one_alert_per_exhausted_failure():
    alert = json.dumps({"Message": "...\nRequest id:      chaos-000004\n..."})
    assert judged({}, {}, alerts=[alert], exhausted=["chaos-000004"]) == set()
    assert judged({}, {}, alerts=[alert, alert], exhausted=["chaos-000004"]) == {
        "one alert per exhausted failure, no other"}
    assert judged({}, {}, exhausted=["chaos-000004"]) == {
        "one alert per exhausted failure, no other"}


def test_bad_flags_and_a_bad_replay_file_exit_2_with_one_line(tmp_path, capsys):
    import pytest
    with pytest.raises(SystemExit) as caught:
        main(["--fault-rate", "3"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--fault-rate must be between 0 and 1" in err
    broken = tmp_path / "history.json"
    broken.write_text("{}")
    assert main(["--replay", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(broken) in err


def test_the_checker_allows_a_long_catch_up_only_where_it_re_walks_an_earlier_delivery():
    def walk(first_seq, minutes):
        return b"".join(tick("X", first_seq + m, 10.0 + m / 100, minute=m % 60)
                        for m in range(minutes))
    table = {"X": item(31, 10.30)}
    assert judged({"a": walk(1, 31)}, table) == {"catch-up <= MAX_CATCHUP_MINUTES", }
    # The same 31 minutes after an earlier delivery of the first ten: a re-walk.
    assert judged({"a": walk(1, 10), "b": walk(1, 31)}, table) == set()


def test_a_broken_commit_is_caught_shrunk_and_replayed(monkeypatch, tmp_path):
    """A commit that writes over a console edit (the old BatchWriteItem behaviour) fails the
    checker; the history shrinks to the minute of the edit and replays to the same failure."""
    from chalicelib.walk import state

    def blind(table, before, after):
        update = {"Statement": f'UPDATE "{table}" SET "Price" = ?, "Seq" = ?, "LastTick" = ? '
                               'WHERE "TickerName" = ?',
                  "Parameters": [after["Price"], after["Seq"], after["LastTick"],
                                 after["TickerName"]]}
        return update, None
    monkeypatch.setattr(state, "commit_statements", blind)
    history = histories.generate(seed=5, minutes=6, tickers=2, fault_rate=0)
    history["steps"][3]["invocations"][0]["edit_during"] = {
        "kind": "price", "ticker": "Sym_001", "factor": 2.0}
    verdict = judge(history)
    assert set(verdict.violations) >= {"edits survive, deletes stick"}
    smallest = shrink(history, verdict, budget_s=120)
    assert len(smallest["steps"]) == 4
    path = tmp_path / "failing.json"
    path.write_text(json.dumps(smallest))
    assert main(["--replay", str(path)]) == 1


def test_a_throttled_provisioned_table_loses_nothing():
    """The throttled-capacity profile: most attempts have statements refused as over capacity
    and whole calls throttle often; retries and the next minutes' catch-up deliver it all."""
    history = histories.generate(seed=5, minutes=60, tickers=10, fault_rate=0.05,
                                 profile="throttled")
    attempts = [a for s in history["steps"] for i in s["invocations"] for a in i["attempts"]]
    assert sum("unprocessed" in a for a in attempts) > len(attempts) / 2
    verdict = judge(history)
    assert verdict.violations == {}
    assert verdict.counts["DynamoDB statements throttled (unprocessed)"] >= 20
    assert verdict.figures["ticks delivered"] >= 10 * 4 * 45
