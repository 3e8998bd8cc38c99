"""Firehose's dynamic partitioning, done for the local demo as AWS does it.

moto's Firehose writes each PutRecordBatch call to one object under the stream's prefix taken
literally (`!{partitionKeyFromQuery:table}/dt=…/YYYY/MM/DD/HH/<name>`). `Partitioner.deliver`
turns those objects into what AWS writes for the stream in infra/data.yaml: the records split
into JSON lines (RecordDeAggregation), the template's own MetadataExtractionQuery evaluated on
each line with jq, one object per partition at the key AWS would use (the prefix with its keys
filled in, then `<stream>-<version>-<arrival time>-<uuid>`), each line ending in a newline
(AppendDelimiterToRecord). Lines the query rejects go to the error prefix as AWS's error
records. The literal objects are deleted afterwards, so the bucket holds exactly AWS's layout.
"""
import base64
import json
import re
import uuid
from datetime import UTC

from tickersim.base import data_template
from tickersim.base.data_template import load_data_template

QUERY_PARAMETER = "MetadataExtractionQuery"
PARTITIONING_FAILED = "partitioning-failed"
FAILED_CODE = "DynamicPartitioning.MetadataExtractionFailed"
_EXPRESSION = re.compile(r"!\{([A-Za-z]+):([^}]*)\}")
_UUID_TAIL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Firehose's !{timestamp:…} takes Java DateTimeFormatter patterns; these are the ones we use.
_JAVA_TIME = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def destination(template=None):
    """The parts of the template's S3 destination that decide where records land."""
    config = (template or load_data_template())["Resources"]["DeliveryStream"]["Properties"][
        "ExtendedS3DestinationConfiguration"]
    # The demo is a JSON-lines stage (RecordFormat json): its conditions resolve as such.
    return data_template.resolve({key: config[key] for key in ("Prefix", "ErrorOutputPrefix",
                                                       "DynamicPartitioningConfiguration",
                                                       "ProcessingConfiguration")},
                         {"IsParquet": False})


def metadata_query(config):
    """The JQ query string of the MetadataExtraction processor."""
    for processor in config["ProcessingConfiguration"]["Processors"]:
        for parameter in processor.get("Parameters", []):
            if parameter["ParameterName"] == QUERY_PARAMETER:
                return parameter["ParameterValue"]
    raise KeyError(f"the delivery stream has no {QUERY_PARAMETER}")


def render(prefix, keys=None, error_type=None, arrival=None):
    """A prefix with its !{…} expressions evaluated, as Firehose evaluates them."""
    def value(match):
        namespace, name = match.groups()
        if namespace == "partitionKeyFromQuery":
            return str(keys[name])
        if namespace == "firehose" and name == "error-output-type":
            return error_type
        if namespace == "timestamp":
            return arrival.strftime(re.sub("|".join(_JAVA_TIME), lambda m: _JAVA_TIME[m[0]],
                                           name))
        raise ValueError(f"unsupported prefix expression {match[0]}")
    return _EXPRESSION.sub(value, prefix)


def partition(lines, query):
    """Split JSON lines by the prefix the query gives each: ({prefix: [line]}, [(line, why)]).

    `query` is a compiled jq program; lines keep their order within each partition.
    """
    parts, failed = {}, []
    for line in lines:
        if not line.strip():
            continue
        try:
            keys = query.input_text(line).first()
        except ValueError as exc:       # not JSON, or the query raised
            failed.append((line, str(exc)))
            continue
        parts.setdefault(tuple(sorted(keys.items())), []).append(line)
    return parts, failed


class Partitioner:
    """Delivers what moto's Firehose wrote literally to the keys AWS would write."""

    def __init__(self, config=None):
        import jq  # only the demo's delivery needs it
        config = config or destination()
        self.prefix, self.error_prefix = config["Prefix"], config["ErrorOutputPrefix"]
        self.query = jq.compile(metadata_query(config))

    def deliver(self, s3, bucket):
        """Partition every object moto's Firehose has written; returns the keys written."""
        written = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                 Prefix=self.prefix):
            for entry in page.get("Contents", []):
                written += self._deliver_one(s3, bucket, entry)
                s3.delete_object(Bucket=bucket, Key=entry["Key"])
        return written

    def _deliver_one(self, s3, bucket, entry):
        arrival = entry["LastModified"].astimezone(UTC)
        name = entry["Key"].rsplit("/", 1)[1]
        stem = name[:-36] if _UUID_TAIL.search(name) else f"{name}-"
        body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
        parts, failed = partition(body.decode("utf-8", "replace").splitlines(), self.query)
        objects = {render(self.prefix, dict(keys)) + stem + str(uuid.uuid4()):
                   "".join(line + "\n" for line in lines) for keys, lines in parts.items()}
        if failed:
            objects[render(self.error_prefix, error_type=PARTITIONING_FAILED, arrival=arrival)
                    + stem + str(uuid.uuid4())] = "".join(
                error_record(line, why, arrival) + "\n" for line, why in failed)
        for key, text in objects.items():
            s3.put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
        return list(objects)


def error_record(line, why, arrival):
    """A record Firehose could not partition, in the shape of its error output."""
    millis = int(arrival.timestamp() * 1000)
    return json.dumps({
        "attemptsMade": 1, "arrivalTimestamp": millis, "errorCode": FAILED_CODE,
        "errorMessage": why, "attemptEndingTimestamp": millis,
        "rawData": base64.b64encode(line.encode("utf-8")).decode("ascii")})
