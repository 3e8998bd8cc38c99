"""The table's state: one consistent read of every item, the run claim, the commit."""
from botocore.exceptions import ClientError

from chalicelib.core import logs
from chalicelib.core.errors import ClaimLost, CommitFailed, TableMissing
from chalicelib.core.retry import resend
from chalicelib.walk.items import KEY, RUN_KEY, SPECIAL_PREFIX, commit_statements, item_name

BATCH_WRITE_MAX = 25       # BatchExecuteStatement: at most 25 statements a call


def _code(exc):
    return exc.response.get("Error", {}).get("Code", "")


def read_all(ddb, table, specials=None):
    """Every ticker item and the run-state item (or None), in as few Scan pages as DynamoDB allows.

    Items whose name starts with `#` are the app's own (run state, move-alert windows,
    the outage record, the `#scenarios` list), never tickers; `specials`, if given, receives them by name.

    Consistent reads: the claim compares against the version read here, and a stale
    ticker next to a fresh version would replay old ticks.
    """
    items, run_item, start = [], None, None
    while True:
        kwargs = {"TableName": table, "ConsistentRead": True}
        if start:
            kwargs["ExclusiveStartKey"] = start
        try:
            page = ddb.scan(**kwargs)
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                raise TableMissing(table) from exc
            raise
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
        if not start:
            return items, run_item


def claim(ddb, table, state, run_time, starts=None, seed_to_store=None):
    """Advance the run-state version, on condition that it is still the one read.

    Two runs that read the same state cannot both pass; the loser raises ClaimLost
    before delivering anything. The claim also records the walk's start minutes (`starts`:
    {"FreshStart": ISO time or None, "Floors": ...}; None removes one) and a newly
    drawn seed.
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
        ddb.update_item(TableName=table, Key={KEY: {"S": RUN_KEY}}, UpdateExpression=update,
                        ConditionExpression=condition, ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values)
    except ClientError as exc:
        if _code(exc) == "ConditionalCheckFailedException":
            raise ClaimLost(
                f"another run of this pipeline claimed table {table!r} first (run state "
                f"version {state.version}); this run delivered nothing and the next one "
                "carries on. Two schedules pointing at one table cause this: remove one.") \
                from exc
        if _code(exc) == "ResourceNotFoundException":
            raise TableMissing(table) from exc
        raise


def unclaim(ddb, table, run_item, state):
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
        ddb.update_item(TableName=table, Key={KEY: {"S": RUN_KEY}}, UpdateExpression=update,
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
