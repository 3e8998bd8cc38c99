"""The chaos run's table: what was injected, what was delivered, which invariants held."""
from chaos.checker import INVARIANTS
from chaos.history import runs


def table(history, verdict, wall_s, cpu_s):
    rows = [("simulated minutes", len(history["steps"])),
            ("tickers at the start", len(history["tickers"])),
            ("scheduled runs (events)", runs(history)),
            ("attempts (with retries)", verdict.attempts)]
    rows += [(k, v) for k, v in verdict.figures.items()]
    rows += [(f"stated exception: {k}", v) for k, v in verdict.exceptions.items()]
    rows += [("wall time (s)", round(wall_s, 1)), ("CPU time of the process (s)", round(cpu_s, 1))]
    out = [f"chaos: seed {history['seed']}, MAX_CATCHUP_MINUTES {history['max_catchup']}", "",
           "| figure | value |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in rows]
    out += ["", "| fault injected | attempts hit (edits: count) |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in sorted(verdict.counts.items())]
    out += ["", "| invariant | held |", "|---|---|"]
    for name in INVARIANTS:
        found = verdict.violations.get(name, [])
        out.append(f"| {name} | {'yes' if not found else f'NO ({len(found)})'} |")
    for name, found in verdict.violations.items():
        out += ["", f"{name}:"] + [f"  {line}" for line in found[:10]]
    return "\n".join(out)
