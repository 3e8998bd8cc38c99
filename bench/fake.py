"""Stubbed AWS: botocore validates and serializes every call, then this answers it in memory.

Used where moto is too slow to time (10,000 tickers, a day's backfill) and to measure the
handler's own CPU time and memory without a server sharing the process. The table is
fixed: writes are accepted and dropped, conditions always pass, Firehose keeps nothing.
Skipped, compared with a real call: SigV4 signing, HTTP, and parsing all but the Scan reply.
"""
import json

from botocore.awsrequest import AWSResponse

MARKET_SEED = "20261126"     # fixed, so every `make bench` walks the same prices


class FakeAws:
    def __init__(self, items):
        self._params = None
        self.load(items)

    def load(self, items):
        """Serve these items (any iterable) from now on."""
        # Kept as JSON text, built item by item so no second copy of the table is ever held;
        # each Scan decodes a fresh copy, as botocore decodes a reply.
        count, parts = 0, []
        for item in items:
            parts.append(json.dumps(item))
            count += 1
        self._scan_reply = (f'{{"Count": {count}, "ScannedCount": {count}, "Items": ['
                            + ", ".join(parts) + "]}")

    def attach(self, *clients):
        for client in clients:
            events = client.meta.events
            events.register("provide-client-params", self._keep_params)
            # Last, so that call counters registered on before-call still see every call.
            events.register_last("before-call", self._answer)

    def _keep_params(self, params, **_):
        self._params = params

    def _answer(self, model, **_):
        name = model.name
        if name == "Scan":
            reply = json.loads(self._scan_reply)
        elif name == "BatchExecuteStatement":
            reply = {"Responses": [{}] * len(self._params["Statements"])}
        elif name == "BatchWriteItem":       # the commit of older code (bench/markets' before)
            reply = {"UnprocessedItems": {}}
        elif name == "PutRecordBatch":
            reply = {"FailedPutCount": 0, "Encrypted": False,
                     "RequestResponses": [{"RecordId": "fake"}] * len(self._params["Records"])}
        elif name == "PutRecord":
            reply = {"RecordId": "fake", "Encrypted": False}
        elif name in ("PutItem", "UpdateItem"):
            reply = {}
        else:
            raise NotImplementedError(f"FakeAws does not answer {name}")
        return AWSResponse(None, 200, {}, None), reply
