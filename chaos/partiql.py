"""BatchExecuteStatement answered as DynamoDB answers it, over moto 5.2.5's table outcome.

moto applies or skips each UPDATE as DynamoDB does, but leaves the slot of a statement whose
condition failed empty (DynamoDB puts {"Error": {"Code": "ConditionalCheckFailed"}} there),
and does not evaluate `IS MISSING`. This wrapper reads the items before and after (with a
reader of its own, so the run's call counts stay the run's) and fills in both.
"""
import re

_SET = re.compile(r'SET (.*?) WHERE', re.S)
_NAME = re.compile(r'"([^"]+)"\s*=\s*\?')
FAILED = {"Error": {"Code": "ConditionalCheckFailed",
                    "Message": "The conditional request failed"}}


def client_reader(client, table, key="TickerName"):
    """Reads items by key through a DynamoDB client (consistent reads)."""
    def read(keys):
        found, unique = {}, sorted(set(keys))
        for i in range(0, len(unique), 100):
            reply = client.batch_get_item(RequestItems={table: {
                "Keys": [{key: {"S": k}} for k in unique[i:i + 100]], "ConsistentRead": True}})
            for item in reply["Responses"].get(table, []):
                found[item[key]["S"]] = item
        return found
    return read


class AwsLikeStatements:
    def __init__(self, real, read, table, key="TickerName"):
        self.real, self.read, self.table, self.key = real, read, table, key

    def __getattr__(self, name):
        return getattr(self.real, name)

    def batch_execute_statement(self, Statements, **kwargs):
        parsed = [self._parse(s) for s in Statements]
        before = self.read([key for key, _, _ in parsed])
        send, slots = [], []
        for statement, (key, _sets, missing) in zip(Statements, parsed):
            if any(attr in before.get(key, {}) for attr in missing):
                slots.append(FAILED)
                continue
            send.append(statement)
            slots.append(None)
        if send:
            self.real.batch_execute_statement(Statements=send, **kwargs)
        after = self.read([key for key, _, _ in parsed])
        responses = []
        for slot, (key, sets, _) in zip(slots, parsed):
            applied = slot is None and all(after.get(key, {}).get(attr) == value
                                           for attr, value in sets.items())
            responses.append({"TableName": self.table} if applied else FAILED)
        return {"Responses": responses}

    def _parse(self, statement):
        text, params = statement["Statement"], statement["Parameters"]
        assignments = _NAME.findall(_SET.search(text).group(1))
        sets = dict(zip(assignments, params))
        key_at = text.index(f'"{self.key}" = ?')
        key = params[text[:key_at].count("?")]["S"]
        missing = re.findall(r'"([^"]+)" IS MISSING', text)
        return key, sets, missing
