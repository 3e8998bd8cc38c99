"""The benchmark report's cells: number formats, Markdown tables, and the baseline rows
filled in for the sizes not run against moto."""
from tickersim.base import prices

MB = 2 ** 20
KB = 1024


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(seconds):
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:,.1f}"


def usd(value):
    return f"{value:,.4f}"


def calls_text(calls):
    return ", ".join(f"{op.split('.', 1)[1]} {n:,}" for op, n in sorted(calls.items()))


def complete(results, probes):
    """Fill the baseline rows not run against moto (10,000 tickers): counts from the stubbed
    run, DynamoDB units and times scaled linearly from the largest size that was run."""
    rows = {}
    for n, pair in results.items():
        rows[n] = dict(pair)
        if "baseline" in pair:
            continue
        known = max(m for m in results if "baseline" in results[m])
        ref, stub, k = results[known]["baseline"], probes[n]["baseline"], n / known
        rows[n]["baseline"] = {
            "calls": stub["calls"], "calls_total": sum(stub["calls"].values()),
            "ticks": stub["records"], "records": stub["records"], "bytes": stub["bytes"],
            "billed_units": stub["billed_units"], "log_bytes": ref["log_bytes"], "runs": 0,
            "median_s": ref["median_s"] * k, "p90_s": ref["p90_s"] * k, "cpu_s": ref["cpu_s"] * k,
            "read_units": ref["read_units"] * k, "write_units": n,
            "extrapolated_from": known}
    return rows


def per_run(row):
    return prices.PerRun(billed_units=row["billed_units"], payload_bytes=row["bytes"],
                        read_units=row["read_units"], write_units=row["write_units"],
                        lambda_s=prices.lambda_seconds(row["cpu_s"], row["calls_total"]),
                        log_bytes=row["log_bytes"])


def verdict(ok):
    return "met" if ok else "**missed**"
