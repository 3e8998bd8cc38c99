"""PartiQL BatchExecuteStatement answered as DynamoDB answers it, inside moto's DynamoDB.

moto 5.2.5 applies a PartiQL UPDATE only where its `"a" = ?` conditions hold, but it drops
`IS MISSING` / `IS NOT MISSING` from the WHERE clause, and it leaves the slot of a statement
whose condition failed as a success where DynamoDB answers
`{"Error": {"Code": "ConditionalCheckFailed"}}` (also for an item that does not exist: an
UPDATE never creates one). A local demo then takes a refused commit for a done one.

`install()` puts `batch_execute_statement` below in place of moto's for this process: the
local cloud's server, `mock_aws` in the tests and the chaos harness all answer the same way.
It evaluates UPDATEs of the form

    UPDATE "table" SET "a" = ?, ... [REMOVE "b", ...]
    WHERE "key" = ? AND ("c" = ? | "c" IS MISSING | "c" IS NOT MISSING) AND ...

against the stored item, one statement at a time, and passes any other statement to moto
unchanged. Conditions compare as DynamoDB does (typed values: N by number).
"""
import re
import threading
from dataclasses import dataclass

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType

FAILED = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
NOT_FOUND = {"Code": "ResourceNotFound", "Message": "Requested resource not found"}

_TOKEN = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_]*)|(\?)|(=|,))')
_lock = threading.Lock()        # the server is threaded: check and write as one step


@dataclass(frozen=True)
class Update:
    table: str
    sets: dict                  # attribute -> typed value
    removes: tuple
    equals: dict                # attribute -> typed value the item must hold
    missing: frozenset          # attributes the item must not have
    present: frozenset          # attributes the item must have


def tokens(text):
    """("name", x) for a quoted or bare word, ("?", None), ("=", None), (",", None); None
    when something else (a literal, a function, another operator) appears."""
    found, at = [], 0
    while at < len(text.rstrip()):
        match = _TOKEN.match(text, at)
        if match is None:
            return None
        quoted, bare, mark, punct = match.groups()
        if quoted is not None:
            found.append(("name", quoted.replace('""', '"')))
        elif bare is not None:
            found.append(("word", bare))
        else:
            found.append((mark or punct, None))
        at = match.end()
    return found


def parse(statement, parameters):
    """The Update a statement asks for, or None when it is not of the form evaluated here."""
    toks = tokens(statement)
    if not toks:
        return None
    params = iter(parameters or [])
    if toks.count(("?", None)) != len(parameters or []):
        return None
    pos = 0

    def word(expected=None):
        nonlocal pos
        if pos >= len(toks) or toks[pos][0] != "word":
            return None
        value = toks[pos][1].upper()
        if expected is not None and value not in expected:
            return None
        pos += 1
        return value

    def name():
        nonlocal pos
        if pos < len(toks) and toks[pos][0] in ("name", "word"):
            pos += 1
            return toks[pos - 1][1]
        return None

    def mark(kind):
        nonlocal pos
        if pos < len(toks) and toks[pos][0] == kind:
            pos += 1
            return True
        return False

    if word({"UPDATE"}) is None or (table := name()) is None:
        return None
    sets, removes = {}, []
    while (action := word({"SET", "REMOVE"})) is not None:
        while True:
            attr = name()
            if attr is None:
                return None
            if action == "SET":
                if not (mark("=") and mark("?")):
                    return None
                sets[attr] = next(params)
            else:
                removes.append(attr)
            if not mark(","):
                break
    if not (sets or removes) or word({"WHERE"}) is None:
        return None
    equals, missing, present = {}, set(), set()
    while True:
        attr = name()
        if attr is None:
            return None
        if mark("="):
            if not mark("?"):
                return None
            equals[attr] = next(params)
        elif word({"IS"}):
            negated = word({"NOT"}) is not None
            if word({"MISSING"}) is None:
                return None
            (present if negated else missing).add(attr)
        else:
            return None
        if pos == len(toks):
            break
        if word({"AND"}) is None:
            return None
    return Update(table, sets, tuple(removes), equals, frozenset(missing), frozenset(present))


def holds(update, attrs):
    """Whether a stored item (attribute -> DynamoType) meets the update's WHERE clause."""
    return (all(a in attrs and attrs[a] == DynamoType(v) for a, v in update.equals.items())
            and not any(a in attrs for a in update.missing)
            and all(a in attrs for a in update.present))


def apply(backend, update, want_old=False):
    """One statement's slot of the reply, the write done if its condition held; None when the
    statement does not name the item's whole key (moto then answers as it always did)."""
    table = backend.tables.get(update.table)
    if table is None:
        return {"Error": dict(NOT_FOUND)}
    keys = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    if not all(k in update.equals for k in keys) or any(
            k in update.sets or k in update.removes for k in keys):
        return None
    item = table.get_item(*(DynamoType(update.equals[k]) for k in keys))
    if item is None or not holds(update, item.attrs):
        error = dict(FAILED)
        if item is not None and want_old:
            error["Item"] = item.to_json()["Attributes"]
        return {"Error": error}
    attrs = item.to_json()["Attributes"]
    attrs.update(update.sets)
    for attr in update.removes:
        attrs.pop(attr, None)
    table.put_item(attrs)
    return {"TableName": update.table}


_moto_batch = DynamoDBBackend.batch_execute_statement


def batch_execute_statement(self, statements):
    responses = []
    for statement in statements:
        update = parse(statement.get("Statement", ""), statement.get("Parameters", []))
        answer = None
        if update is not None:
            with _lock:
                answer = apply(self, update, statement.get(
                    "ReturnValuesOnConditionCheckFailure") == "ALL_OLD")
        responses.append(answer if answer is not None else _moto_batch(self, [statement])[0])
    return responses


def install():
    """Answer BatchExecuteStatement as DynamoDB does in this process (idempotent)."""
    DynamoDBBackend.batch_execute_statement = batch_execute_statement
