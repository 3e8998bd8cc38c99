"""`tickersim demo --sink kinesis|both [--shards N|on-demand]`: the stage's data stream on the
local cloud, and what AWS would run beside it (tickersim/local/stream_feed.py).

The streaming function writes to the stream (DATA_STREAM_NAME); after each run the demo reads
what arrived: the live view takes the ticks from it, the watcher gets them in batches as its
event source mapping would hand them over (so the bucket's objects no longer trigger it), and
with `both` the records go on into Firehose, which writes the bucket as before. At exit every
record is written to DIR/kinesis/<stream>/shard-*.jsonl.
"""
import json

from chalicelib.walk import sink
from tickersim.base import sinks
from tickersim.local import lambdas, stream_feed


def add_arguments(parser):
    parser.add_argument("--sink", default=sink.FIREHOSE, metavar="|".join(sink.SINKS),
                        help="where the function writes: Firehose (default), a Kinesis data "
                             "stream, or both (Firehose reads the stream)")
    parser.add_argument("--shards", default=None, metavar=f"N|{sinks.ON_DEMAND}",
                        help="the local stream's shards (default 1), or on-demand")


def problem_with(args, region):
    return sinks.sink_problem(args.sink) or sinks.shards_problem(args.shards, region, args.sink)


class StreamSide:
    """The demo's stream: created at setup, read after every run, dumped at exit."""

    def __init__(self, demo, kind, shards):
        self.demo, self.kind = demo, kind
        self.shards = sinks.shards_value(shards) or "1"
        self.kinesis = demo.cloud.client("kinesis")
        self.feed = self.pump = self.mapping = None

    def setup(self, stream_env, delivery_stream, failure_topic):
        """Create the stream; point the function's environment at it."""
        name = self.demo.names.data_stream
        if self.shards == sinks.ON_DEMAND:
            self.kinesis.create_stream(StreamName=name,
                                       StreamModeDetails={"StreamMode": "ON_DEMAND"})
        else:
            self.kinesis.create_stream(StreamName=name, ShardCount=int(self.shards))
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS",
                                             KeyId="alias/aws/kinesis")
        arn = self.kinesis.describe_stream_summary(StreamName=name)[
            "StreamDescriptionSummary"]["StreamARN"]
        stream_env["DATA_STREAM_NAME"] = name
        if self.kind == sink.KINESIS:
            stream_env["DELIVERY_STREAM_NAME"] = ""        # no Firehose with --sink kinesis
        else:
            self.pump = stream_feed.Pump(self.demo.cloud.client("firehose"), delivery_stream)
        self.feed = stream_feed.Feed(self.kinesis, name)
        self.mapping = stream_feed.Mapping(arn, self.demo.cloud.region)
        self.failure_topic = failure_topic
        self.name = name
        return name

    def sync(self, run_started):
        """What arrived since the last sync: to the view (no bucket with `kinesis`), the
        pump (`both`) and the watcher."""
        arrived = self.feed.take()
        if not arrived:
            return
        if self.pump:
            self.pump.push(arrived)
        else:
            data = "".join(record["data"] for _, record in arrived).encode("utf-8")
            self.demo.take_ticks(f"kinesis://{self.name}", data)
        watching = self.demo.watching
        for shard, records in stream_feed.batches(arrived):
            label = f"{shard} {records[0]['sequence_number']}..{records[-1]['sequence_number']}"
            watching.pending.append((watching.pool.submit(self._hand, shard, records), label,
                                     run_started))
        watching.poll()

    def _hand(self, shard, records):
        """The mapping's delivery of one batch to the watcher (in the watcher's thread):
        the last outcome, or a failed one after the batch was given up on."""
        watcher, outcomes = self.demo.watching.function, []

        def invoke(event):
            outcome = lambdas.invoke(watcher, event, self.demo.aws_env)
            outcomes.append(outcome)
            return lambdas.error_type(outcome.payload) if outcome.failed else None

        for part, attempts, error in stream_feed.deliver_batch(self.mapping, shard, records,
                                                               invoke):
            record = stream_feed.failure_record(self.mapping, watcher.arn, shard, part,
                                                attempts, error)
            self.demo.cloud.client("sns").publish(TopicArn=self.failure_topic,
                                                  Message=json.dumps(record))
        return next((o for o in reversed(outcomes) if o.failed), outcomes[-1])

    def dump(self):
        self.feed.dump(self.demo.files)

    def describe(self):
        return (f"data stream {self.name} ({self.shards} shard(s), KMS, 24 h); the watcher "
                f"reads it in batches ({stream_feed.BATCH_SIZE} records, bisect on error, "
                "failed batches to the failure topic)"
                + ("; Firehose reads it into the bucket" if self.pump else "")
                + f". Follow it: tickersim tail --stage local --endpoint "
                  f"{self.demo.cloud.endpoint}")

