"""The stream reader across a reshard: a child shard is read only after its parent ends, so a
ticker's records come out in order (moto cannot reshard faithfully: a fake stands in)."""
from tickersim.base import shards


class Resharded:
    """Shard 0 split into 1 and 2 after holding A1, A2; A3 landed in child 1."""

    def __init__(self):
        self.data = {"shardId-0": ["A1", "A2"], "shardId-1": ["A3"], "shardId-2": []}
        self.closed = {"shardId-0"}
        self.reads = []

    def list_shards(self, StreamName=None, NextToken=None):
        def shard(sid, parent=None):
            found = {"ShardId": sid, "SequenceNumberRange": {"StartingSequenceNumber": "0"}}
            if sid in self.closed:
                found["SequenceNumberRange"]["EndingSequenceNumber"] = "9"
            if parent:
                found["ParentShardId"] = parent
            return found
        return {"Shards": [shard("shardId-0"), shard("shardId-1", "shardId-0"),
                           shard("shardId-2", "shardId-0")]}

    def get_shard_iterator(self, StreamName, ShardId, ShardIteratorType):
        return {"ShardIterator": f"{ShardId}|0"}

    def get_records(self, ShardIterator, Limit):
        sid, at = ShardIterator.split("|")
        self.reads.append(sid)
        held = self.data[sid][int(at):]
        end = sid in self.closed and not held
        return {"Records": [{"PartitionKey": "A", "SequenceNumber": str(i), "Data": d.encode()}
                            for i, d in enumerate(held)],
                "NextShardIterator": None if end else f"{sid}|{int(at) + len(held)}"}


def test_children_are_read_after_their_parent_ends_keeping_each_keys_order():
    stream = Resharded()
    follower = shards.Follower(stream, "s", from_start=True)
    assert set(follower.iterators) == {"shardId-0"}       # children wait for the parent
    got = []
    for _ in range(4):
        got += [r["data"] for _, r in follower.poll()]
    assert got == ["A1", "A2", "A3"]
    assert stream.reads.index("shardId-1") > max(i for i, s in enumerate(stream.reads)
                                                 if s == "shardId-0")
    assert "shardId-0" in follower.done
