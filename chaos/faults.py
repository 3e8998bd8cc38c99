"""Fault-injecting wrappers around the handler's AWS clients, one attempt's faults each.

Each wrapper adds the kind of every fault it injects to `hits`, a set per attempt, so the
report counts attempts hit by a fault, not the calls the run's own resends made into it.
"""
from botocore.exceptions import ClientError


class Killed(BaseException):
    """The Lambda process died here (timeout, out of memory): no code of the run runs after."""


def _throttled(code, operation):
    return ClientError({"Error": {"Code": code, "Message": "Rate exceeded"}}, operation)


class Proxy:
    """Passes everything to the real client except the calls a subclass overrides."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        return getattr(self.real, name)


def put_all_but(firehose, stream, records, fail):
    """PutRecordBatch with the records at the indices in `fail` refused, as Firehose refuses
    them: the others land, the reply names each refused one."""
    good = [r for i, r in enumerate(records) if i not in fail]
    if good:
        firehose.put_record_batch(DeliveryStreamName=stream, Records=good)
    return {"FailedPutCount": len(fail), "Encrypted": False, "RequestResponses": [
        {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."}
        if i in fail else {"RecordId": f"r{i}"} for i in range(len(records))]}


class FaultyFirehose(Proxy):
    def __init__(self, real, faults, rng, hits):
        super().__init__(real)
        self.faults, self.rng, self.hits, self.calls = faults, rng, hits, 0

    def put_record_batch(self, DeliveryStreamName, Records):
        self.calls += 1
        if self.faults.get("firehose_down"):
            self.hits.add("Firehose outage")
            raise _throttled("ServiceUnavailableException", "PutRecordBatch")
        if self.faults.get("firehose_throttle") and self.calls == 1:
            self.hits.add("Firehose throttling")
            raise _throttled("ServiceUnavailableException", "PutRecordBatch")
        rate = self.faults.get("firehose_partial", 0) if self.calls <= 2 else 0
        fail = {i for i in range(len(Records)) if self.rng.random() < rate}
        if fail:
            self.hits.add("Firehose partial failure")
        return put_all_but(self.real, DeliveryStreamName, Records, fail)


class FaultyTable(Proxy):
    def __init__(self, real, faults, rng, hits, before_commit):
        super().__init__(real)
        self.faults, self.rng, self.hits = faults, rng, hits
        self.before_commit, self.commits = before_commit, 0

    def _down(self, operation, stage):
        if self.faults.get("dynamodb_down"):
            self.hits.add("DynamoDB outage")
            raise _throttled("ProvisionedThroughputExceededException", operation)
        if self.faults.get("dynamodb_throttle") == stage:
            self.hits.add(f"DynamoDB throttling ({stage})")
            raise _throttled("ThrottlingException", operation)

    def scan(self, **kwargs):
        self._down("Scan", "scan")
        return self.real.scan(**kwargs)

    def update_item(self, **kwargs):
        if self.faults.get("kill") == "before_claim":
            self.hits.add("killed before the claim")
            raise Killed("before the claim")
        self._down("UpdateItem", "claim")
        return self.real.update_item(**kwargs)

    def batch_execute_statement(self, Statements):
        self.commits += 1
        if self.commits == 1:
            hook, self.before_commit = self.before_commit, None
            if hook:
                hook()
            if self.faults.get("kill") == "after_delivery":
                self.hits.add("killed between delivery and commit")
                raise Killed("between delivery and commit")
        self._down("BatchExecuteStatement", "commit")
        if self.faults.get("kill") == "mid_commit" and self.commits == 1:
            self.hits.add("killed mid-commit")
            self.real.batch_execute_statement(Statements=Statements[:len(Statements) // 2])
            raise Killed("mid-commit")
        rate = self.faults.get("unprocessed", 0) if self.commits <= 2 else 0
        skip = {i for i in range(len(Statements)) if self.rng.random() < rate}
        if skip:
            self.hits.add("DynamoDB statements throttled (unprocessed)")
        sent = [s for i, s in enumerate(Statements) if i not in skip]
        answers = iter(self.real.batch_execute_statement(Statements=sent)["Responses"]
                       if sent else [])
        return {"Responses": [
            {"Error": {"Code": "ProvisionedThroughputExceeded", "Message": "Slow down."}}
            if i in skip else next(answers) for i in range(len(Statements))]}
