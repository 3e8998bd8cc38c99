"""Packing tick lines into Firehose records, and sending them with PutRecordBatch."""
import math

from botocore.exceptions import ClientError

from chalicelib.core.errors import StreamMissing
from chalicelib.core.retry import refused_whole, resend, still_refused

MAX_RECORD_BYTES = 1000 * 1024          # Firehose: a record's data is at most 1,000 KiB
# Record deaggregation (for event-time partitions) splits at most 500 JSON lines per record.
MAX_RECORD_LINES = 500
MAX_BATCH_RECORDS = 500                 # PutRecordBatch: at most 500 records ...
MAX_BATCH_BYTES = 4 * 1024 * 1024       # ... and 4 MiB in one call
MAX_BATCH_RECORD_BYTES = 4 * MAX_RECORD_BYTES   # four full records: the most one call takes
BILLING_UNIT_BYTES = 5 * 1024           # Firehose bills each record rounded up to 5 KB
# Whole-call errors worth resending: Firehose answers throttling with ServiceUnavailable.
RETRYABLE = {"ServiceUnavailableException", "ThrottlingException", "InternalFailure",
             "ServiceUnavailable", "RequestTimeout"}


def pack(lines, limit=MAX_RECORD_BYTES, max_lines=MAX_RECORD_LINES):
    """Pack whole lines (ASCII, newline-terminated) into as few records as fit both limits."""
    records, current, size = [], [], 0
    for line in lines:
        if len(line) > limit:
            raise ValueError(f"a tick line of {len(line)} bytes exceeds a Firehose record")
        if size + len(line) > limit or len(current) == max_lines:
            records.append("".join(current).encode("ascii"))
            current, size = [], 0
        current.append(line)
        size += len(line)
    if current:
        records.append("".join(current).encode("ascii"))
    return records


def batches(records, max_records=MAX_BATCH_RECORDS, max_bytes=MAX_BATCH_BYTES):
    """Split records, in order, into PutRecordBatch calls within both limits."""
    out, current, size = [], [], 0
    for record in records:
        if current and (len(current) == max_records or size + len(record) > max_bytes):
            out.append(current)
            current, size = [], 0
        current.append(record)
        size += len(record)
    if current:
        out.append(current)
    return out


def billed_units(records):
    return sum(max(1, math.ceil(len(r) / BILLING_UNIT_BYTES)) for r in records)


def send(firehose, stream, records, deadline, **retry_options):
    """Deliver every record, resending exactly the ones Firehose refused.

    Returns the number of resend rounds. Raises DeliveryFailed once the deadline leaves
    no room for another round, StreamMissing if the stream does not exist.
    """
    errors = {}

    def put(pending):
        left = []
        for batch in batches(pending):
            try:
                reply = firehose.put_record_batch(
                    DeliveryStreamName=stream, Records=[{"Data": r} for r in batch])
            except ClientError as exc:
                code = refused_whole(exc, RETRYABLE, StreamMissing(stream))
                errors[code] = errors.get(code, 0) + len(batch)
                left.extend(batch)
                continue
            if reply.get("FailedPutCount", 0):
                for record, answer in zip(batch, reply["RequestResponses"]):
                    if answer.get("ErrorCode"):
                        errors[answer["ErrorCode"]] = errors.get(answer["ErrorCode"], 0) + 1
                        left.append(record)
        return left

    pending, resends = resend(put, records, deadline, **retry_options)
    if pending:
        raise still_refused(f"Firehose stream {stream!r}", len(pending), len(records), resends,
                            errors, "If this persists, check the stream's status and limits in "
                            "the Kinesis Data Firehose console.")
    return resends
