"""Reading a Kinesis data stream shard by shard: all of it at once (the demo's dump at exit),
or following it as records arrive (`tickersim tail`), resharding included.

A shard split or merged away is closed: reading it to its end (no next iterator) and only
then its children keeps every partition key's records in order across a reshard.
"""
import time

from botocore.exceptions import ClientError

GET_LIMIT = 10_000          # GetRecords: at most 10,000 records a call


def shards(kinesis, stream):
    """Every shard the stream still holds records of, open or closed, oldest first."""
    found, token = [], None
    while True:
        page = (kinesis.list_shards(NextToken=token) if token
                else kinesis.list_shards(StreamName=stream))
        found += page["Shards"]
        token = page.get("NextToken")
        if not token:
            return found


def record(raw):
    """A record as the dump and `tail --json` show it (CONTRACT: partition_key,
    sequence_number, data = the line as a string)."""
    return {"partition_key": raw["PartitionKey"], "sequence_number": raw["SequenceNumber"],
            "data": raw["Data"].decode("utf-8")}


class Follower:
    """Iterators over a stream's shards; `poll()` returns what arrived since the last poll.

    A child shard starts once its parents are read to their end, so order per key holds."""

    def __init__(self, kinesis, stream, from_start=True):
        self.kinesis, self.stream = kinesis, stream
        self.start = "TRIM_HORIZON" if from_start else "LATEST"
        self.iterators, self.done, self.closed = {}, set(), set()
        self._discover(first=True)

    def _discover(self, first=False):
        for shard in shards(self.kinesis, self.stream):
            sid = shard["ShardId"]
            if "EndingSequenceNumber" in shard["SequenceNumberRange"]:
                self.closed.add(sid)
            if sid in self.iterators or sid in self.done:
                continue
            parents = {shard.get("ParentShardId"), shard.get("AdjacentParentShardId")} - {None}
            known = {s for s in parents if s in self.iterators}
            if known:
                continue       # read after its parents end
            # A shard that appears after we started holds only new records: read it all.
            kind = self.start if first else "TRIM_HORIZON"
            self.iterators[sid] = self.kinesis.get_shard_iterator(
                StreamName=self.stream, ShardId=sid, ShardIteratorType=kind)["ShardIterator"]

    def poll(self):
        """[(shard id, record dict)] of every record that arrived, shard by shard."""
        out = []
        for sid in sorted(self.iterators):
            iterator = self.iterators[sid]
            while iterator:
                reply = self.kinesis.get_records(ShardIterator=iterator, Limit=GET_LIMIT)
                out += [(sid, record(r)) for r in reply["Records"]]
                iterator = reply.get("NextShardIterator")
                if not reply["Records"]:
                    # AWS ends a closed shard with no next iterator; moto keeps giving one.
                    iterator = None if sid in self.closed else iterator
                    break
            if iterator:
                self.iterators[sid] = iterator
            else:
                del self.iterators[sid]
                self.done.add(sid)
        self._discover()
        return out


def read_all(kinesis, stream):
    """{shard id: [record dict, ...]} of every record the stream holds now."""
    follower, found = Follower(kinesis, stream), {}
    while True:
        got = follower.poll()
        if not got:
            return found
        for sid, rec in got:
            found.setdefault(sid, []).append(rec)


def exists(kinesis, stream):
    try:
        kinesis.describe_stream_summary(StreamName=stream)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    return True


def follow(kinesis, stream, from_start, every_s=1.0, stop=lambda: False, sleep=time.sleep):
    """Yield (shard id, record dict) as records arrive until stop() is true."""
    follower = Follower(kinesis, stream, from_start)
    while not stop():
        got = follower.poll()
        yield from got
        if not got:
            sleep(every_s)
