"""One scheduled run: read, work out what is due, claim, then walk, deliver and commit."""
import resource
import secrets
import time
from collections.abc import Callable
from typing import Any

from botocore.client import BaseClient

from chalicelib.core import events, logs
from chalicelib.core.clients import counting
from chalicelib.core.errors import (
    ConfigError,
    DeliveryFailed,
    MalformedItems,
    RunStateInvalid,
    TooManyTickers,
)
from chalicelib.core.settings import StreamSettings
from chalicelib.walk import fanout, floors, news, scenarios, state
from chalicelib.walk.calendars import CalendarExhausted, resume_minute
from chalicelib.walk.chunking import chunks
from chalicelib.walk.items import RUN_KEY, item_name, parse_run_state, parse_ticker, ticker_item
from chalicelib.walk.market import Model
from chalicelib.walk.sink import FirehoseSink, Sink
from chalicelib.walk.ticks import due_minutes, iso, parse_minute, run_minute, walk

DEFAULT_BUDGET_S = 60.0
# The run line's fields that CloudWatch makes metrics of (Embedded Metric Format).
RUN_METRICS = ("ticks", "calls_total", "billed_units", "duration_ms", "lag_s",
               "catchup_minutes", "behind", "memory_mb")
MEMORY_WARNING_SHARE = 0.7   # of the function's memory: deploy sizes it from this peak
DELIVERY_SHARE = 0.8     # of the remaining time; the rest is kept for the last commit
SAFETY_MARGIN_S = 1.0


def remaining_seconds(context: Any) -> float:
    try:
        return context.get_remaining_time_in_millis() / 1000.0
    except AttributeError:
        return DEFAULT_BUDGET_S


def run(event: dict, context: Any, settings: StreamSettings, ddb: BaseClient,
        firehose: BaseClient | None, clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time, specials: dict | None = None,
        sink: Sink | None = None, task: "events.Task | None" = None,
        **retry_options: Any) -> dict:
    """Run the pipeline once for a scheduled event; returns the run's report (also logged).

    sink: where the lines go (chalicelib/walk/sink.py); without one, the `firehose` client's
    delivery stream (pass firehose=None with a sink; the defaults' order is chaos/world.py's).
    specials: a dict to receive the table's other `#` items from the run's own Scan.
    task: an events.Task when this run is a worker walking one segment."""
    sink = sink or FirehoseSink(firehose, settings.stream_name)
    started = clock()
    budget = max(0.0, remaining_seconds(context) - SAFETY_MARGIN_S)
    now_minute, problem = run_minute(event, wall_clock)
    if problem:
        logs.warning(f"{problem}: using the wall clock's minute instead",
                     run_time=iso(now_minute * 60))
    report = {"run_time": iso(now_minute * 60), "tickers": 0, "advanced": 0, "ticks": 0,
              "records": 0, "bytes": 0, "billed_units": 0, "resends": 0, "malformed": 0,
              "catchup_minutes": 0, "conflicts": [], "news": 0, "behind": 0}
    if task is not None:
        report["segment"] = task.label
    retry_options.setdefault("clock", clock)
    with counting(ddb, sink.client) as (calls, retries):
        try:
            problems = _run(settings, ddb, sink, now_minute, report, specials, task,
                            deliver_by=started + budget * DELIVERY_SHARE,
                            commit_by=started + budget, retry_options=retry_options)
        except TooManyTickers as exc:
            report.update(status="fan-out", tickers=exc.count)
            raise
        except Exception as exc:
            report.update(status="failed", error=type(exc).__name__)
            raise
        else:
            partial = report.pop("partial", False)
            report["status"] = "failed" if problems else ("partial" if partial else "ok")
        finally:
            report.update(calls=dict(calls), calls_total=sum(calls.values()),
                          sdk_retries=sum(retries.values()),
                          duration_ms=round((clock() - started) * 1000, 1),
                          lag_s=round(wall_clock() - now_minute * 60, 1),
                          memory_mb=peak_memory_mb())
            _warn_memory(report, context)
            logs.metrics("run", report, {"Table": settings.table_name}, RUN_METRICS)
    if problems:
        raise MalformedItems(settings.table_name, problems)
    return report


def peak_memory_mb():
    """This process's peak resident memory since it started its program (Linux's VmHWM):
    ru_maxrss would also count the pages of a parent it was forked from."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _warn_memory(report, context):
    size = getattr(context, "memory_limit_in_mb", None)
    try:
        size = int(size)
    except (TypeError, ValueError):
        return
    if report["memory_mb"] > MEMORY_WARNING_SHARE * size:
        logs.warning(f"peak memory {report['memory_mb']} MB is over "
                     f"{MEMORY_WARNING_SHARE:.0%} of the function's {size} MB: lower "
                     "WORKER_TICKERS or redeploy (tickersim deploy sizes memory from the peak)",
                     segment=report.get("segment"), behind=report["behind"])


def _run(settings, ddb, sink, now_minute, report, specials, task, deliver_by, commit_by,
         retry_options):
    # The scenarios come from the same Scan, whether or not the caller wants the other items.
    specials = {} if specials is None else specials
    run_key = RUN_KEY
    if task is None:
        # With workers deployed, a table past one worker's share is theirs to walk.
        fans_out = settings.worker_function is not None and settings.workers != 1
        raw_items, run_item = state.read_all(
            ddb, settings.table_name, specials,
            stop_above=settings.worker_tickers if fans_out else None)
    else:
        if task.seed is None and settings.market_seed is None:
            raise ConfigError("this worker got no seed from its coordinator and MARKET_SEED "
                              "is not set: deploy the coordinator and its workers together")
        run_key = fanout.segment_key(task.segment, task.segments)
        raw_items, run_item, found = state.read_segment(
            ddb, settings.table_name, task.segment, task.segments, run_key, (scenarios.ITEM,))
        specials.update(found)
    applied = scenarios.parse_item(specials.get(scenarios.ITEM), lambda t: parse_minute(t) * 60)
    try:
        run_state = parse_run_state(run_item)
    except ValueError as exc:
        raise RunStateInvalid(settings.table_name, exc) from exc
    seed = settings.market_seed if settings.market_seed is not None else (
        run_state.seed if task is None else task.seed)
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
    # A ticker never committed walks as if its last tick fell just before fresh_start.
    last_ticks = [fresh_start * 60 - 1 if t.last_tick is None else t.last_tick
                  for _, t in tickers]
    last_ticks = _skip_closed(tickers, last_ticks, now_minute, problems)
    starts, steps = floors.plan([t // 60 for t in last_ticks], now_minute,
                                settings.max_catchup_minutes, run_state.last_run,
                                run_state.floors)

    due, ahead = [], 0
    for (item, ticker), last_tick, floor in zip(tickers, last_ticks, starts):
        ahead += last_tick // 60 > now_minute
        minutes = due_minutes(last_tick, now_minute, floor)
        if minutes:
            due.append((item, ticker, minutes))
    report.update(tickers=len(raw_items), malformed=len(problems))
    if problems:
        logs.error("malformed items left as they are", table=settings.table_name,
                   problems=problems)
    if ahead:
        # Normal for a late retry of an earlier minute; a stream frozen for long means an
        # event from the future was run once: `seed/load.py --reset` starts afresh.
        logs.warning(f"{ahead} ticker(s) already have ticks after this run's time; they "
                     "resume once the schedule passes their last tick",
                     table=settings.table_name)
    # Minutes filled before the run's own: the catch-up after missed runs.
    report["catchup_minutes"] = max((len(m) - 1 for _, _, m in due), default=0)
    if not due:
        # Nothing due (markets closed, or a re-delivered event): the schedule still ran.
        # (With workers, the coordinator's own write says so.)
        if task is None:
            state.beat(ddb, settings.table_name, run_item, iso(now_minute * 60))
        return problems

    # LastRun only moves forward: a late retry of an older minute must not hide a newer run.
    last_run = now_minute if run_state.last_run is None else max(run_state.last_run, now_minute)
    state.claim(ddb, settings.table_name, run_state, iso(last_run * 60),
                starts={"FreshStart": _minute_text(fresh_start),
                        "Floors": floors.encode(steps, _minute_text), "CatchupFrom": None},
                seed_to_store=new_seed, run_key=run_key)
    try:
        _deliver(due, settings, model, applied, ddb, sink, report, deliver_by, commit_by,
                 retry_options)
    except DeliveryFailed as exc:
        if not exc.landed:
            # Nothing of it reached the sink: its tickers are not "possibly delivered", so
            # they need not keep this run's floor (a long outage would else lift the cap).
            state.unclaim(ddb, settings.table_name, run_item, run_state, run_key=run_key)
        raise
    return problems


def _skip_closed(tickers, last_ticks, now_minute, problems):
    """Last ticks as the catch-up sees them: a market closed since a ticker's last tick owes
    nothing for those minutes, so the ticker counts as up to date until its next open.
    A ticker whose calendar table has run out is left out, and named."""
    seen = []
    for (item, ticker), last in zip(list(tickers), last_ticks):
        try:
            opens = resume_minute(ticker.calendar_name, last // 60, now_minute)
        except CalendarExhausted as exc:
            problems[ticker.name] = str(exc)
            tickers.remove((item, ticker))
            continue
        seen.append(now_minute * 60 if opens is None else max(last, opens * 60 - 1))
    return seen


def _deliver(due, settings, model, applied, ddb, sink, report, deliver_by, commit_by,
             retry_options):
    """Walk, deliver and commit the due tickers chunk by chunk, so a long catch-up needs no
    more memory than one PutRecordBatch."""
    clock = retry_options["clock"]
    current = [(item, ticker) for item, ticker, _ in due]
    advanced = set()
    for number, chunk in enumerate(chunks(due, settings.ticks_per_run)):
        if number and clock() >= deliver_by:
            # What is committed stays; the next run carries on from there, so no alert.
            report.update(partial=True, behind=len(due) - len(advanced))
            logs.warning("out of time: the rest of the catch-up continues next run",
                         advanced=len(advanced), behind=report["behind"],
                         segment=report.get("segment"))
            break
        lines, updates = [], []
        for position, minutes in chunk:
            item, ticker = current[position]
            ticks, moved = walk(ticker, minutes, settings.ticks_per_run, model, applied)
            current[position] = (ticker_item(item, moved), moved)
            lines.extend(ticks)
            updates.append((item, current[position][0]))
        try:
            sent = sink.send(lines, deliver_by, **retry_options)
        except DeliveryFailed as exc:
            if not advanced:
                raise
            raise DeliveryFailed(f"{exc} Earlier parts of this run delivered and committed "
                                 f"{len(advanced)} ticker(s); they keep their progress.",
                                 landed=exc.landed) from exc
        resends, conflicts = state.commit(ddb, settings.table_name, updates, commit_by,
                                          **retry_options)
        report["resends"] += resends + sent.resends
        # Edited, deleted or committed by a newer run meanwhile: that change stands.
        report["conflicts"] = sorted(set(report["conflicts"]) | set(conflicts))
        # A ticker walked in slices has advanced once its last slice is committed.
        advanced.update(p for p, minutes in chunk if minutes.stop == due[p][2].stop)
        report["records"] += sent.records
        report["bytes"] += sent.bytes
        report["billed_units"] += sent.billed_units
        headlines = sum(1 for line in lines if line.startswith(news.PREFIX))
        report["ticks"] += len(lines) - headlines
        report["news"] += headlines
        report["advanced"] = len(advanced)


def _minute_text(minute):
    return None if minute is None else iso(minute * 60)
