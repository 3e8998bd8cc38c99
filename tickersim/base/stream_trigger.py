"""The watcher's event source mapping on the data stream (`--sink kinesis|both`): one
definition for `tickersim deploy` (the API call), `make package` (the template resource) and
the demo (which runs the mapping itself: tickersim/local/stream_feed.py).

Batches of up to 100 records gathered for at most 2 s: the watcher sees a tick a few seconds
after the run puts it. A batch the watcher fails on is split in two and retried (a split does
not use up the retries), then its shard and sequence numbers go to the failure topic, so a
bad record can hold a shard back for at most 2 retries, never for the stream's 24 h.
"""
from botocore.exceptions import ClientError

BATCH_SIZE = 100
BATCHING_WINDOW_S = 2
MAX_RETRIES = 2
MAX_RECORD_AGE_S = 3600      # older ticks are moot for a 5-minute move window
STARTING_POSITION = "LATEST"


def mapping(stream_arn, function, failure_topic_arn):
    """CreateEventSourceMapping's parameters (also the template resource's properties)."""
    return {"EventSourceArn": stream_arn, "FunctionName": function,
            "StartingPosition": STARTING_POSITION, "BatchSize": BATCH_SIZE,
            "MaximumBatchingWindowInSeconds": BATCHING_WINDOW_S,
            "BisectBatchOnFunctionError": True, "MaximumRetryAttempts": MAX_RETRIES,
            "MaximumRecordAgeInSeconds": MAX_RECORD_AGE_S,
            "DestinationConfig": {"OnFailure": {"Destination": failure_topic_arn}}}


def wire(lam, stream_arn, function_arn, failure_topic_arn):
    """Create the mapping, or bring an existing one to this definition; returns its UUID."""
    wanted = mapping(stream_arn, function_arn, failure_topic_arn)
    found = lam.list_event_source_mappings(EventSourceArn=stream_arn,
                                           FunctionName=function_arn)["EventSourceMappings"]
    if not found:
        return lam.create_event_source_mapping(**wanted)["UUID"]
    fixed = {k: v for k, v in wanted.items()
             if k not in ("EventSourceArn", "StartingPosition")}   # set only at creation
    lam.update_event_source_mapping(UUID=found[0]["UUID"], **fixed)
    return found[0]["UUID"]


def unwire(lam, function):
    """Delete the function's (name or ARN) mappings, as teardown does before the function
    goes; returns how many there were. Listed by the ARN they were created with."""
    try:
        arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return 0
        raise
    found = lam.list_event_source_mappings(FunctionName=arn)["EventSourceMappings"]
    for entry in found:
        lam.delete_event_source_mapping(UUID=entry["UUID"])
    return len(found)
