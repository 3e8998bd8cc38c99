"""The data template (infra/data.yaml): where it is, how it is read, and its intrinsics
resolved for checks and emulations that need plain documents."""
import re
from pathlib import Path

import yaml

from tickersim.base import stage as stages

TEMPLATE = Path("infra") / "data.yaml"
_NO_VALUE = object()    # AWS::NoValue: the property or list item is left out


def load_data_template(project_dir=stages.PROJECT_DIR):
    # Long-form intrinsics only (see the template's header), so safe_load reads it whole.
    return yaml.safe_load((Path(project_dir) / TEMPLATE).read_text())


def resolve(node, refs):
    """The template fragment with Ref, Fn::GetAtt and Fn::Sub replaced from `refs`
    ({"Bucket": ..., "Bucket.Arn": ..., "AWS::Region": ...}), for checks that need plain
    documents (the policy linters, the bucket-policy tests). KeyError names a missing ref."""
    if isinstance(node, list):
        return [item for item in (resolve(item, refs) for item in node) if item is not _NO_VALUE]
    if not isinstance(node, dict):
        return node
    if node == {"Ref": "AWS::NoValue"}:
        return _NO_VALUE
    if set(node) == {"Ref"}:
        return refs[node["Ref"]]
    if set(node) == {"Fn::If"}:                  # the condition's value is in refs too
        condition, when_true, when_false = node["Fn::If"]
        return resolve(when_true if refs[condition] else when_false, refs)
    if set(node) == {"Fn::GetAtt"}:
        return refs[".".join(node["Fn::GetAtt"])]
    if set(node) == {"Fn::Sub"}:
        return re.sub(r"\$\{([^}!]+)\}", lambda m: refs[m.group(1)], node["Fn::Sub"])
    resolved = {key: resolve(value, refs) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not _NO_VALUE}
