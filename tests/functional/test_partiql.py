"""BatchExecuteStatement in the local cloud (and every moto here) answers as DynamoDB does."""
import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from chalicelib.walk.items import commit_statements
from tickersim.local import partiql
from tickersim.local.localcloud import LocalCloud

TABLE = 'ticks "table"'


def create(ddb, table=TABLE):
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "TickerName", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "TickerName",
                                            "AttributeType": "S"}])


def put(ddb, **attrs):
    ddb.put_item(TableName=TABLE, Item={k: v for k, v in attrs.items()})


def item(ddb, name):
    return ddb.get_item(TableName=TABLE, Key={"TickerName": {"S": name}},
                        ConsistentRead=True).get("Item")


def update(where, params, sets='"Price" = ?', values=({"N": "9"},)):
    return {"Statement": f'UPDATE "{TABLE.replace(chr(34), chr(34) * 2)}" SET {sets} '
                         f'WHERE {where}', "Parameters": list(values) + params}


@pytest.fixture
def ddb():
    with mock_aws():
        client = boto3.client("dynamodb")
        create(client)
        yield client


A = {"S": "A"}


def test_is_missing_fails_on_an_item_that_has_the_attribute(ddb):
    put(ddb, TickerName=A, Price={"N": "1"}, Seq={"N": "5"})
    put(ddb, TickerName={"S": "B"}, Price={"N": "1"})
    reply = ddb.batch_execute_statement(Statements=[
        update('"TickerName" = ? AND "Seq" IS MISSING', [A]),
        update('"TickerName" = ? AND "Seq" IS MISSING', [{"S": "B"}])])["Responses"]
    assert reply[0]["Error"]["Code"] == "ConditionalCheckFailed"
    assert "Error" not in reply[1] and reply[1]["TableName"] == TABLE
    assert item(ddb, "A")["Price"] == {"N": "1"} and item(ddb, "B")["Price"] == {"N": "9"}


def test_is_not_missing_needs_the_attribute(ddb):
    put(ddb, TickerName=A, Price={"N": "1"})
    reply = ddb.batch_execute_statement(Statements=[
        update('"TickerName" = ? AND "Seq" IS NOT MISSING', [A])])["Responses"]
    assert reply[0]["Error"]["Code"] == "ConditionalCheckFailed"


def test_a_failed_equality_fills_its_slot_and_the_others_still_apply(ddb):
    for name in "ABC":
        put(ddb, TickerName={"S": name}, Price={"N": "1"}, Seq={"N": "4"})
    statements = [update('"TickerName" = ? AND "Seq" = ?', [{"S": n}, {"N": seq}])
                  for n, seq in (("A", "4"), ("B", "3"), ("C", "4.0"))]
    reply = ddb.batch_execute_statement(Statements=statements)["Responses"]
    assert ["Error" in r for r in reply] == [False, True, False]   # 4.0 is the number 4
    assert [item(ddb, n)["Price"]["N"] for n in "ABC"] == ["9", "1", "9"]


def test_an_update_never_creates_an_item(ddb):
    reply = ddb.batch_execute_statement(Statements=[update('"TickerName" = ?', [A])])
    assert reply["Responses"][0]["Error"]["Code"] == "ConditionalCheckFailed"
    assert item(ddb, "A") is None


def test_all_old_returns_the_item_that_failed_the_condition(ddb):
    put(ddb, TickerName=A, Price={"N": "7"}, Seq={"N": "5"})
    statement = {**update('"TickerName" = ? AND "Price" = ?', [A, {"N": "6"}]),
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    error = ddb.batch_execute_statement(Statements=[statement])["Responses"][0]["Error"]
    assert error["Item"] == {"TickerName": A, "Price": {"N": "7"}, "Seq": {"N": "5"}}


def test_set_and_remove_touch_only_what_they_name(ddb):
    put(ddb, TickerName=A, Price={"N": "1"}, Note={"S": "keep"}, Old={"S": "drop"})
    ddb.batch_execute_statement(Statements=[
        update('"TickerName" = ?', [A], sets='"Price" = ?, Seq = ? REMOVE "Old"',
               values=({"N": "2"}, {"N": "3"}))])
    assert item(ddb, "A") == {"TickerName": A, "Price": {"N": "2"}, "Seq": {"N": "3"},
                              "Note": {"S": "keep"}}


def test_a_missing_table_is_resource_not_found(ddb):
    reply = ddb.batch_execute_statement(Statements=[{
        "Statement": 'UPDATE "nope" SET "Price" = ? WHERE "TickerName" = ?',
        "Parameters": [{"N": "1"}, A]}])["Responses"]
    assert reply[0]["Error"]["Code"] == "ResourceNotFound"


def test_statements_of_other_forms_are_answered_by_moto_as_before(ddb):
    ddb.create_table(TableName="plain", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "TickerName", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "TickerName",
                                            "AttributeType": "S"}])
    ddb.put_item(TableName="plain", Item={"TickerName": A, "Price": {"N": "1"}})
    reply = ddb.batch_execute_statement(Statements=[
        {"Statement": 'SELECT * FROM plain WHERE TickerName = ?',
         "Parameters": [A]}])["Responses"]
    assert reply[0]["Item"]["Price"] == {"N": "1"}


@pytest.mark.parametrize("statement", [
    'SELECT * FROM "t" WHERE "k" = ?', 'UPDATE "t" SET "a" = 1 WHERE "k" = ?',
    'UPDATE "t" SET "a" = ? WHERE "k" = ? OR "b" = ?', 'UPDATE "t" SET "a" = ?',
    'UPDATE "t" SET "a" = ? WHERE "k" > ?', 'UPDATE "t" SET "a" = ? WHERE "k" IS NULL'])
def test_forms_not_evaluated_here_are_left_to_moto(statement):
    assert partiql.parse(statement, [{"N": "1"}] * statement.count("?")) is None


# The project's own commit, against every state an item can be in when the commit lands.
prices = st.sampled_from(["10", "10.0", "11", "500"])
seqs = st.one_of(st.none(), st.sampled_from(["4", "5"]))


@pytest.fixture(scope="module")
def shared():
    with mock_aws():
        client = boto3.client("dynamodb")
        create(client)
        yield client


@given(read_price=prices, read_seq=seqs, now_price=st.one_of(st.none(), prices),
       now_seq=seqs)
def test_the_commit_applies_exactly_when_the_item_is_still_as_read(
        shared, read_price, read_seq, now_price, now_seq):
    before = {"TickerName": A, "Price": {"N": read_price},
              **({"Seq": {"N": read_seq}} if read_seq else {})}
    after = {"TickerName": A, "Price": {"N": "12"}, "Seq": {"N": "8"},
             "LastTick": {"S": "2026-11-26T09:00:45Z"}}
    main, _ = commit_statements(TABLE, before, after)
    ddb = shared
    ddb.delete_item(TableName=TABLE, Key={"TickerName": A})
    if now_price is not None:     # None: deleted since it was read
        put(ddb, TickerName=A, Price={"N": now_price},
            **({"Seq": {"N": now_seq}} if now_seq else {}))
    stored = item(ddb, "A")
    answer = ddb.batch_execute_statement(Statements=[main])["Responses"][0]
    still_as_read = (now_price is not None and float(now_price) == float(read_price)
                     and now_seq == read_seq)
    assert ("Error" not in answer) == still_as_read
    if still_as_read:
        assert item(ddb, "A") == after
    else:
        assert answer["Error"]["Code"] == "ConditionalCheckFailed"
        assert item(ddb, "A") == stored


def test_the_local_clouds_server_answers_the_same():
    with LocalCloud("eu-west-1") as cloud:
        ddb = cloud.client("dynamodb")
        create(ddb, "served")
        ddb.put_item(TableName="served", Item={"TickerName": A, "Seq": {"N": "5"}})
        reply = ddb.batch_execute_statement(Statements=[{
            "Statement": 'UPDATE "served" SET "Seq" = ? WHERE "TickerName" = ? AND '
                         '"Seq" IS MISSING', "Parameters": [{"N": "1"}, A]}])["Responses"]
    assert reply[0]["Error"]["Code"] == "ConditionalCheckFailed"
