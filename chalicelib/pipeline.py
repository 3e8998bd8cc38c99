"""One scheduled run: read, work out what is due, walk, claim, deliver, commit (DESIGN.md order)."""
import secrets
import time

from chalicelib import delivery, logs, state
from chalicelib.clients import counting
from chalicelib.errors import DeliveryFailed, MalformedItems, RunStateInvalid
from chalicelib.items import parse_run_state, parse_ticker, ticker_item, item_name
from chalicelib.market import Model
from chalicelib.ticks import due_minutes, iso, line_bytes, run_minute, walk

DEFAULT_BUDGET_S = 60.0
DELIVERY_SHARE = 0.8     # of the remaining time; the rest is kept for the last commit
SAFETY_MARGIN_S = 1.0


def remaining_seconds(context):
    try:
        return context.get_remaining_time_in_millis() / 1000.0
    except AttributeError:
        return DEFAULT_BUDGET_S


def run(event, context, settings, ddb, firehose, clock=time.monotonic, wall_clock=time.time,
        **retry_options):
    """Run the pipeline once for a scheduled event; returns the run's report (also logged)."""
    started = clock()
    budget = max(0.0, remaining_seconds(context) - SAFETY_MARGIN_S)
    now_minute, problem = run_minute(event, wall_clock)
    if problem:
        logs.warning(f"{problem}: using the wall clock's minute instead",
                     run_time=iso(now_minute * 60))
    report = {"run_time": iso(now_minute * 60), "tickers": 0, "advanced": 0, "ticks": 0,
              "records": 0, "bytes": 0, "billed_units": 0, "resends": 0, "malformed": 0}
    retry_options.setdefault("clock", clock)
    with counting(ddb, firehose) as (calls, retries):
        try:
            problems = _run(settings, ddb, firehose, now_minute, report,
                            deliver_by=started + budget * DELIVERY_SHARE,
                            commit_by=started + budget, retry_options=retry_options)
        except Exception as exc:
            report.update(status="failed", error=type(exc).__name__)
            raise
        else:
            report["status"] = "failed" if problems else "ok"
        finally:
            report.update(calls=dict(calls), calls_total=sum(calls.values()),
                          sdk_retries=sum(retries.values()),
                          duration_ms=round((clock() - started) * 1000, 1))
            logs.info("run", **report)
    if problems:
        raise MalformedItems(settings.table_name, problems)
    return report


def _run(settings, ddb, firehose, now_minute, report, deliver_by, commit_by,
         retry_options):
    raw_items, run_item = state.read_all(ddb, settings.table_name)
    try:
        run_state = parse_run_state(run_item)
    except ValueError as exc:
        raise RunStateInvalid(settings.table_name, exc) from exc
    seed = settings.market_seed if settings.market_seed is not None else run_state.seed
    new_seed = None
    if seed is None:
        # Drawn once, then kept in the run-state item so retries replay the same ticks.
        seed = new_seed = secrets.randbits(63)
    model = Model(kind=settings.model, seed=seed, tick_seconds=60 // settings.ticks_per_run,
                  correlation=settings.correlation)

    problems, tickers = {}, []
    for item in raw_items:
        try:
            tickers.append((item, parse_ticker(item)))
        except ValueError as exc:
            problems[item_name(item)] = str(exc)
    fresh_start = None
    if any(ticker.last_tick is None for _, ticker in tickers):
        fresh_start = now_minute if run_state.fresh_start is None else run_state.fresh_start

    due = []
    for item, ticker in tickers:
        # A ticker never committed walks as if its last tick fell just before fresh_start.
        last_tick = fresh_start * 60 - 1 if ticker.last_tick is None else ticker.last_tick
        minutes = due_minutes(last_tick, now_minute, settings.max_catchup_minutes)
        if minutes:
            due.append((item, ticker, minutes))
    report.update(tickers=len(raw_items), malformed=len(problems))
    if problems:
        logs.error("malformed items left as they are", table=settings.table_name,
                   problems=problems)
    if not due:
        return problems   # nothing due: a re-delivered event changes nothing

    state.claim(ddb, settings.table_name, run_state, report["run_time"],
                fresh_start=None if fresh_start is None else iso(fresh_start * 60),
                seed_to_store=new_seed)
    # Chunk by chunk, so a long catch-up needs no more memory than one PutRecordBatch.
    for chunk in chunks(due, settings.ticks_per_run):
        lines, updates = [], []
        for item, ticker, minutes in chunk:
            ticks, moved = walk(ticker, minutes, settings.ticks_per_run, model)
            lines.extend(ticks)
            updates.append(ticker_item(item, moved))
        records = delivery.pack(lines)
        report["resends"] += delivery.send(firehose, settings.stream_name, records, deliver_by,
                                           **retry_options)
        report["resends"] += state.commit(ddb, settings.table_name, updates, commit_by,
                                          **retry_options)
        report["records"] += len(records)
        report["bytes"] += sum(map(len, records))
        report["billed_units"] += delivery.billed_units(records)
        report["ticks"] += len(lines)
        report["advanced"] += len(updates)
    return problems


def chunks(due, ticks_per_minute, limit=delivery.MAX_BATCH_RECORD_BYTES):
    """Split (item, ticker, minutes) into runs of whole 25-ticker groups (one BatchWriteItem
    each) whose tick lines should fit one PutRecordBatch: the last chunk may be shorter, and
    a single group larger than the limit stays whole."""
    chunk, size = [], 0
    for i in range(0, len(due), state.BATCH_WRITE_MAX):
        group = due[i:i + state.BATCH_WRITE_MAX]
        group_size = sum(len(minutes) * ticks_per_minute * line_bytes(ticker.name)
                         for _, ticker, minutes in group)
        if chunk and size + group_size > limit:
            yield chunk
            chunk, size = [], 0
        chunk.extend(group)
        size += group_size
    if chunk:
        yield chunk
