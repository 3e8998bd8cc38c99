"""`python -m tickersim.aws.lint DIR`: every IAM policy of the system as a plain JSON file in DIR,
for parliament (`make lint`), which cannot read CloudFormation's intrinsic functions.

The functions' committed policy files are copied as they are; the delivery role's policy and
the bucket policy are taken from infra/data.yaml, references resolved for an example owner.
"""
import json
import shutil
import sys
from pathlib import Path

from tickersim import naming
from tickersim.aws import stack
from tickersim import stage as stages
from tickersim.aws.package import load_data_template


def write_documents(out_dir, project_dir=stages.PROJECT_DIR):
    out_dir = Path(out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    written = []
    for path in sorted((Path(project_dir) / ".chalice").glob("policy-*.json")):
        written.append(Path(shutil.copy(path, out_dir)))
    template = load_data_template(project_dir)
    refs = stack.example_refs(naming.names_for("Kyle Maposa"))
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        documents = {p["PolicyName"]: p["PolicyDocument"] for p in properties.get("Policies", [])}
        if "PolicyDocument" in properties:          # the bucket policy
            documents["policy"] = properties["PolicyDocument"]
        for name, document in documents.items():
            target = out_dir / f"template-{logical_id}-{name}.json"
            target.write_text(json.dumps(stack.resolve(document, refs), indent=2) + "\n")
            written.append(target)
    return written


if __name__ == "__main__":
    for path in write_documents(sys.argv[1] if len(sys.argv) > 1 else "build/policies"):
        print(path)
