"""The table's state: one consistent read of every item, the run claim, the commit."""
from botocore.exceptions import ClientError

from chalicelib.core import logs
from chalicelib.core.errors import ClaimLost, CommitFailed, TableMissing, TooManyTickers
from chalicelib.core.retry import resend
from chalicelib.walk.items import KEY, RUN_KEY, SPECIAL_PREFIX, commit_statements, item_name

BATCH_WRITE_MAX = 25       # BatchExecuteStatement: at most 25 statements a call


def _code(exc):
    return exc.response.get("Error", {}).get("Code", "")


def read_segment(ddb, table, segment, segments, run_key, own_items):
    """A worker's read: the tickers of one parallel-scan segment, then (one BatchGetItem)
    its run-state item and the other `#` items every segment needs (own_items), which
    DynamoDB hashes into whichever segment it likes. Returns (items, run item, {name: item})."""
    items, _ = read_all(ddb, table, None, Segment=segment, TotalSegments=segments)
    keys = [{KEY: {"S": name}} for name in (run_key, *own_items)]
    found = {}
    while keys:
        try:
            reply = ddb.batch_get_item(RequestItems={table: {"Keys": keys,
                                                             "ConsistentRead": True}})
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                raise TableMissing(table) from exc
            raise
        found.update((item_name(i), i) for i in reply.get("Responses", {}).get(table, []))
        keys = reply.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return items, found.pop(run_key, None), found


def read_all(ddb, table, specials=None, stop_above=None, **segment):
    """Every ticker item and the run-state item (or None), in as few Scan pages as DynamoDB allows.

    Items whose name starts with `#` are the app's own (run state, move-alert windows,
    the outage record, the `#scenarios` list), never tickers; `specials`, if given, receives them by name.

    Consistent reads: the claim compares against the version read here, and a stale
    ticker next to a fresh version would replay old ticks.

    stop_above: once a page brings more tickers than this, the rest is only counted and
    TooManyTickers raised with the total (the table is for workers to walk).
    """
    items, run_item = [], None
    # Pages of one worker's share at most: past it, nothing more is read than counted.
    limit = {} if stop_above is None else {"Limit": stop_above + 1}
    for page in _pages(ddb, table, ConsistentRead=True, **limit, **segment):
        for item in page.get("Items", []):
            name = item_name(item)
            if name == RUN_KEY:
                run_item = item
            elif name.startswith(SPECIAL_PREFIX):
                if specials is not None:
                    specials[name] = item
            else:
                items.append(item)
        start = page.get("LastEvaluatedKey")
        if stop_above is not None and len(items) > stop_above:
            raise TooManyTickers(len(items) + (count_tickers(ddb, table, start) if start else 0))
    return items, run_item


def count_tickers(ddb, table, start=None):
    """The tickers from `start` on: a COUNT Scan (no items come back, so no memory; its reads
    cost what a Scan's do)."""
    return sum(page.get("Count", 0) for page in _pages(
        ddb, table, start, Select="COUNT", FilterExpression="NOT begins_with(#k, :own)",
        ExpressionAttributeNames={"#k": KEY},
        ExpressionAttributeValues={":own": {"S": SPECIAL_PREFIX}}))


def _pages(ddb, table, start=None, **kwargs):
    """The Scan's pages, from `start` to the last; a missing table is named."""
    while True:
        try:
            page = ddb.scan(TableName=table, **kwargs,
                            **({"ExclusiveStartKey": start} if start else {}))
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                raise TableMissing(table) from exc
            raise
        yield page
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def claim(ddb, table, state, run_time, starts=None, seed_to_store=None, run_key=RUN_KEY):
    """Advance the run-state version, on condition that it is still the one read.

    Two runs that read the same state cannot both pass; the loser raises ClaimLost
    before delivering anything. The claim also records the walk's start minutes (`starts`:
    {"FreshStart": ISO time or None, "Floors": ...}; None removes one) and a newly
    drawn seed. A worker claims its segment's own item (run_key).
    """
    names = {"#v": "Version", "#t": "LastRun"}
    values = {":one": {"N": "1"}, ":t": {"S": run_time}}
    sets, removes = ["#t = :t"], []
    for n, (attr, value) in enumerate(sorted((starts or {}).items())):
        names[f"#a{n}"] = attr
        if value is None:
            removes.append(f"#a{n}")
        else:
            values[f":a{n}"] = {"S": value}
            sets.append(f"#a{n} = :a{n}")
    if seed_to_store is not None:
        names["#s"] = "Seed"
        values[":s"] = {"N": str(seed_to_store)}
        sets.append("#s = :s")
    update = f"SET {', '.join(sets)} ADD #v :one" + \
        (f" REMOVE {', '.join(removes)}" if removes else "")
    if state.version is None:
        condition = "attribute_not_exists(#v)"   # no run-state item yet, or one without Version
    else:
        condition = "#v = :seen"
        values[":seen"] = {"N": str(state.version)}
    try:
        ddb.update_item(TableName=table, Key={KEY: {"S": run_key}}, UpdateExpression=update,
                        ConditionExpression=condition, ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values)
    except ClientError as exc:
        if _code(exc) == "ConditionalCheckFailedException":
            raise ClaimLost(
                f"another run of this pipeline claimed table {table!r} first ({run_key!r}, "
                f"run state "
                f"version {state.version}); this run delivered nothing and the next one "
                "carries on. Two schedules pointing at one table cause this: remove one.") \
                from exc
        if _code(exc) == "ResourceNotFoundException":
            raise TableMissing(table) from exc
        raise


def beat(ddb, table, run_item, run_time):
    """Record that the schedule ran at run_time (`Heartbeat`, only ever moving forward), for a
    run with nothing to walk: a closed market is a healthy feed, and the API and the page
    tell it from a stopped one by this. No call when the run-state item read already shows
    that time or a later one (a re-delivered event); a newer run's beat written meanwhile
    stays."""
    if any((run_item or {}).get(a, {}).get("S", "") >= run_time for a in ("LastRun", "Heartbeat")):
        return
    try:
        ddb.update_item(TableName=table, Key={KEY: {"S": RUN_KEY}},
                        UpdateExpression="SET #h = :t",
                        ConditionExpression="attribute_not_exists(#h) OR #h < :t",
                        ExpressionAttributeNames={"#h": "Heartbeat"},
                        ExpressionAttributeValues={":t": {"S": run_time}})
    except ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            raise TableMissing(table) from exc
        if _code(exc) != "ConditionalCheckFailedException":
            raise


def unclaim(ddb, table, run_item, state, run_key=RUN_KEY):
    """Put back the start minutes a claim replaced (LastRun, Floors, FreshStart), for a run
    that delivered nothing, if no other run has claimed since. Best effort: if it fails, the
    tickers just keep that run's floor until they commit."""
    attrs = ("LastRun", "Floors", "FreshStart", "CatchupFrom")
    names = {"#v": "Version", **{f"#a{n}": a for n, a in enumerate(attrs)}}
    values = {":one": {"N": "1"}, ":mine": {"N": str((state.version or 0) + 1)}}
    sets, removes = [], []
    for n, attr in enumerate(attrs):
        if run_item and attr in run_item:
            values[f":a{n}"] = run_item[attr]
            sets.append(f"#a{n} = :a{n}")
        else:
            removes.append(f"#a{n}")
    update = (f"SET {', '.join(sets)} " if sets else "") + "ADD #v :one" + \
        (f" REMOVE {', '.join(removes)}" if removes else "")
    try:
        ddb.update_item(TableName=table, Key={KEY: {"S": run_key}}, UpdateExpression=update,
                        ConditionExpression="#v = :mine", ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values)
    except ClientError as exc:
        logs.warning("could not put back the run state after a delivery that sent nothing",
                     table=table, error=_code(exc))


# Per-statement errors of BatchExecuteStatement worth sending again, as UnprocessedItems are.
RETRYABLE_STATEMENT = {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded",
                       "InternalServerError", "TransactionConflict"}
RETRYABLE_CALL = {"ProvisionedThroughputExceededException", "ThrottlingException",
                  "RequestLimitExceeded", "InternalServerError"}


def commit(ddb, table, updates, deadline, **retry_options):
    """Write the walk's attributes of each (item read, item walked), 25 PartiQL updates a call,
    each on condition that the item is still as read (see items.commit_statements).

    A ticker whose condition failed was edited, deleted or committed by a newer run during
    this one: its edit wins (only Seq and LastTick follow the delivered ticks, and only if
    Seq is untouched). Throttled statements are resent with backoff. Returns (resend rounds,
    names of the tickers in conflict); raises CommitFailed naming the tickers not written.
    """
    conflicts = []

    def execute(pending):
        left, fallbacks = [], []
        for i in range(0, len(pending), BATCH_WRITE_MAX):
            chunk = pending[i:i + BATCH_WRITE_MAX]
            try:
                reply = ddb.batch_execute_statement(Statements=[s for _, s, _ in chunk])
            except ClientError as exc:
                if _code(exc) == "ResourceNotFoundException":
                    raise TableMissing(table) from exc
                if _code(exc) not in RETRYABLE_CALL:
                    raise
                left.extend(chunk)
                continue
            for entry, answer in zip(chunk, reply["Responses"]):
                code = answer.get("Error", {}).get("Code")
                if code is None:
                    continue
                if code in RETRYABLE_STATEMENT:
                    left.append(entry)
                elif code == "ConditionalCheckFailed":
                    name, _, fallback = entry
                    if fallback is not None:
                        conflicts.append(name)
                        fallbacks.append((name, fallback, None))
                else:
                    raise CommitFailed(
                        f"DynamoDB table {table!r} refused the new state of {entry[0]!r}: "
                        f"{code} {answer['Error'].get('Message', '')}".rstrip())
        return left + (execute(fallbacks) if fallbacks else [])

    requests = [(item_name(after), *commit_statements(table, before, after))
                for before, after in updates]
    pending, resends = resend(execute, requests, deadline, **retry_options)
    if pending:
        names = sorted({name for name, _, _ in pending})
        raise CommitFailed(
            f"DynamoDB table {table!r} did not accept the new state of {len(names)} ticker(s) "
            f"({', '.join(names[:20])}{' ...' if len(names) > 20 else ''}) before the deadline. "
            "Their ticks were delivered; the next run re-sends them with identical bytes "
            "(deduplicate on ticker and seq) and carries on.")
    return resends, sorted(set(conflicts))
