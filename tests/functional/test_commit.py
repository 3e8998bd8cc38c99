"""The commit writes only what the walk owns, only over the state the run read."""
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

from chalicelib.core.errors import CommitFailed
from chalicelib.walk import state
from tests.functional.test_faults import Proxy, assert_one_walk, go

T1 = "2026-11-26T09:01:00Z"


class EditsDuringCommit(Proxy):
    """Makes console edits after the run read the table, just before it commits."""

    def __init__(self, real, edit):
        super().__init__(real)
        self.edit = edit

    def batch_execute_statement(self, **kwargs):
        edit, self.edit = self.edit, None
        if edit:
            edit()
        return self.real.batch_execute_statement(**kwargs)


def set_attr(cloud, name, attr, value):
    cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": name}},
                          UpdateExpression="SET #a = :v", ExpressionAttributeNames={"#a": attr},
                          ExpressionAttributeValues={":v": value})


def test_a_drift_edited_during_a_run_survives_its_commit(cloud):
    def edit():
        set_attr(cloud, "Index_1", "Drift", {"N": "0.5"})
        set_attr(cloud, "Index_2", "Note", {"S": "watch this one"})

    report = go(cloud, ddb=EditsDuringCommit(cloud.ddb, edit))
    items = cloud.items()
    assert items["Index_1"]["Drift"] == {"N": "0.5"} and items["Index_1"]["Seq"] == {"N": "4"}
    assert items["Index_2"]["Note"] == {"S": "watch this one"}
    assert report["conflicts"] == []


def test_a_ticker_deleted_during_a_run_does_not_come_back(cloud):
    def delete():
        cloud.ddb.delete_item(TableName=cloud.table, Key={"TickerName": {"S": "Index_3"}})

    go(cloud, ddb=EditsDuringCommit(cloud.ddb, delete))
    assert "Index_3" not in cloud.items()
    go(cloud, when=T1)
    assert "Index_3" not in cloud.items()
    assert max(t["seq"] for t in cloud.ticks() if t["ticker"] == "Index_3") == 4


def test_a_price_edited_during_a_run_wins_and_the_next_run_walks_on_from_it(cloud):
    ddb = cloud.ddb     # moto answering as DynamoDB does (tickersim.local.partiql)
    report = go(cloud, ddb=EditsDuringCommit(
        ddb, lambda: set_attr(cloud, "Index_4", "Price", {"N": "500"})), MARKET_SEED="2")
    assert report["conflicts"] == ["Index_4"]
    item = cloud.items()["Index_4"]
    # The edit stays; Seq and LastTick follow the delivered ticks, so no seq is re-used.
    assert (item["Price"], item["Seq"]) == ({"N": "500"}, {"N": "4"})
    go(cloud, when=T1, ddb=ddb, MARKET_SEED="2")
    own = sorted((t for t in cloud.ticks() if t["ticker"] == "Index_4"), key=lambda t: t["seq"])
    assert [t["seq"] for t in own] == list(range(1, 9))
    assert 490 < own[4]["price"] < 510          # walked from the edited price


def test_a_commit_racing_a_newer_runs_commit_leaves_the_newer_state(cloud):
    """A slow run whose commit lands after a newer run's must not roll the ticker back."""
    ddb = cloud.ddb

    class NewerRunFirst(Proxy):
        raced = False

        def batch_execute_statement(self, **kwargs):
            if not NewerRunFirst.raced:
                NewerRunFirst.raced = True
                # The next minute's run reads after this one's claim, and commits first.
                go(cloud, when=T1, ddb=ddb, MARKET_SEED="3")
            return ddb.batch_execute_statement(**kwargs)

    report = go(cloud, ddb=NewerRunFirst(cloud.ddb), MARKET_SEED="3")
    assert len(report["conflicts"]) == 5
    assert {i["Seq"]["N"] for i in cloud.items().values()} == {"8"}
    assert_one_walk(cloud)


UPDATE = {"Statement": ANY, "Parameters": ANY}


def stubbed_commit(answers, names=("A", "B")):
    ddb = boto3.client("dynamodb", region_name="eu-west-1", aws_access_key_id="x",
                       aws_secret_access_key="x")
    stub = Stubber(ddb)
    for expected, responses in answers:
        stub.add_response("batch_execute_statement", {"Responses": responses},
                          {"Statements": [UPDATE] * expected})
    before = [{"TickerName": {"S": n}, "Price": {"N": "10"}, "Seq": {"N": "4"}} for n in names]
    after = [{**b, "Price": {"N": "11"}, "Seq": {"N": "8"},
              "LastTick": {"S": "2026-11-26T09:00:45Z"}} for b in before]
    with stub:
        result = state.commit(ddb, "t", list(zip(before, after)), deadline=float("inf"),
                              sleep=lambda s: None)
    stub.assert_no_pending_responses()
    return result, stub


def test_a_failed_condition_sends_the_seq_only_update_and_is_reported():
    failed = {"Error": {"Code": "ConditionalCheckFailed", "Message": "no"}}
    (resends, conflicts), _ = stubbed_commit([(2, [{}, failed]), (1, [{}])])
    assert (resends, conflicts) == (0, ["B"])


@pytest.mark.parametrize("code", ["ThrottlingError", "ProvisionedThroughputExceeded"])
def test_a_throttled_statement_is_resent_alone(code):
    throttled = {"Error": {"Code": code, "Message": "slow down"}}
    (resends, conflicts), _ = stubbed_commit([(2, [throttled, {}]), (1, [{}])])
    assert (resends, conflicts) == (1, [])


def test_a_statement_refused_for_another_reason_names_the_ticker():
    refused = {"Error": {"Code": "ValidationError", "Message": "bad"}}
    with pytest.raises(CommitFailed, match="refused the new state of 'A': ValidationError bad"):
        stubbed_commit([(2, [refused, {}])])


def test_the_main_update_sets_only_the_walks_attributes_on_the_state_read():
    from chalicelib.walk.items import commit_statements
    main, fallback = commit_statements(
        'my"table', {"TickerName": {"S": "A"}, "Price": {"S": "10"}},
        {"TickerName": {"S": "A"}, "Price": {"N": "11"}, "Seq": {"N": "4"},
         "LastTick": {"S": "2026-11-26T09:00:45Z"}, "Drift": {"N": "0.1"}})
    assert main["Statement"] == ('UPDATE "my""table" SET "Price" = ?, "Seq" = ?, "LastTick" = ? '
                                 'WHERE "TickerName" = ? AND "Price" = ? AND "Seq" IS MISSING')
    assert main["Parameters"][3:] == [{"S": "A"}, {"S": "10"}]   # the price as it was typed
    assert json.dumps(fallback).count("Price") == 0
