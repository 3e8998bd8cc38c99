"""What `make chaos` costs: CPU time per simulated minute, with and without faults.

    python -m bench.chaos_cpu          # prints a Markdown section (make bench appends it)

The same seeded histories `make chaos` runs (chaos.history), judged in this process by the
same checker; the fault-free history shows what the faults, retries and edits add.
"""
import time

from chaos import history as histories
from chaos.run import judge

SEED, MINUTES, TICKERS = 1, 120, 20       # two hours of `make chaos`'s default 20 tickers
FAULT_RATES = (0.0, 0.05)                 # none, and `make chaos`'s default


def measure(fault_rate):
    history = histories.generate(SEED, MINUTES, TICKERS, fault_rate)
    started, cpu = time.monotonic(), time.process_time()
    verdict = judge(history)
    return {"wall_s": time.monotonic() - started, "cpu_s": time.process_time() - cpu,
            "attempts": verdict.attempts, "violations": sum(map(len, verdict.violations.values())),
            "faults": sum(verdict.counts.values())}


def section(log):
    rows = []
    for rate in FAULT_RATES:
        log(f"chaos: seed {SEED}, {MINUTES} minutes, {TICKERS} tickers, fault rate {rate}")
        m = measure(rate)
        rows.append(f"| {rate:.0%} | {m['attempts']:,} | {m['faults']:,} | {m['violations']} | "
                    f"{m['cpu_s']:.1f} s | {m['cpu_s'] / MINUTES * 1000:.0f} ms | "
                    f"{m['wall_s']:.1f} s |")
    return "\n".join([
        "", "## Chaos: what a simulated day costs", "",
        f"`make chaos` histories (seed {SEED}, {MINUTES} simulated minutes, {TICKERS} tickers), "
        "run against the real handlers on in-process moto and judged by the checker, in this "
        "process. A whole day (`make chaos`'s default 1,440 minutes) is about 12 times the "
        "figures below.", "",
        "| fault rate | attempts | faults injected (attempts hit) | invariant violations | "
        "CPU time | CPU per simulated minute | wall time |",
        "|---|---|---|---|---|---|---|", *rows, ""])


if __name__ == "__main__":
    print(section(lambda message: None))
