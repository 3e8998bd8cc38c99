"""The table's state: one consistent read of every item, the run claim, the commit."""
from botocore.exceptions import ClientError

from chalicelib.errors import ClaimLost, CommitFailed, TableMissing
from chalicelib.items import KEY, RUN_KEY, item_name
from chalicelib.retry import resend

BATCH_WRITE_MAX = 25


def _code(exc):
    return exc.response.get("Error", {}).get("Code", "")


def read_all(ddb, table, special=None):
    """Every ticker item and the run-state item (or None), in as few Scan pages as DynamoDB allows.
    Other `#` items (e.g. `#scenarios`) are not tickers: they go into `special` by name.

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
            if item_name(item) == RUN_KEY:
                run_item = item
            elif item_name(item).startswith("#"):
                if special is not None:
                    special[item_name(item)] = item
            else:
                items.append(item)
        start = page.get("LastEvaluatedKey")
        if not start:
            return items, run_item


def claim(ddb, table, state, run_time, starts=None, seed_to_store=None):
    """Advance the run-state version, on condition that it is still the one read.

    Two runs that read the same state cannot both pass; the loser raises ClaimLost
    before delivering anything. The claim also records the walk's start minutes (`starts`:
    {"FreshStart": ISO time or None, "CatchupFrom": ...}; None removes one) and a newly
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


def commit(ddb, table, items, deadline, **retry_options):
    """Write the tickers' new state, 25 items a call, resending what DynamoDB left unprocessed.

    Returns the number of resend rounds; raises CommitFailed naming the tickers not written.
    """
    def write(pending):
        left = []
        for i in range(0, len(pending), BATCH_WRITE_MAX):
            chunk = pending[i:i + BATCH_WRITE_MAX]
            try:
                reply = ddb.batch_write_item(RequestItems={table: chunk})
            except ClientError as exc:
                if _code(exc) not in ("ProvisionedThroughputExceededException",
                                      "ThrottlingException", "RequestLimitExceeded"):
                    raise
                left.extend(chunk)
                continue
            left.extend(reply.get("UnprocessedItems", {}).get(table, []))
        return left

    requests = [{"PutRequest": {"Item": item}} for item in items]
    pending, resends = resend(write, requests, deadline, **retry_options)
    if pending:
        names = sorted(item_name(r["PutRequest"]["Item"]) for r in pending)
        raise CommitFailed(
            f"DynamoDB table {table!r} did not accept the new state of {len(names)} ticker(s) "
            f"({', '.join(names[:20])}{' ...' if len(names) > 20 else ''}) before the deadline. "
            "Their ticks were delivered; the next run re-sends them with identical bytes "
            "(deduplicate on ticker and seq) and carries on.")
    return resends
