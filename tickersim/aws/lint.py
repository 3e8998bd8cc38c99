"""`python -m tickersim.aws.lint DIR`: every IAM policy of the system as a plain JSON file in DIR,
for parliament (`make lint`), which cannot read CloudFormation's intrinsic functions.

The functions' committed policy files are copied as they are; the delivery role's policy and
the bucket policy are taken from infra/data.yaml, references resolved for an example owner.
Each is first checked against AWS's resource ARN formats (resource_formats).
"""
import json
import shutil
import sys
from pathlib import Path

from tickersim.aws import resource_formats, stack
from tickersim.base import data_template, naming
from tickersim.base import stage as stages
from tickersim.base.data_template import load_data_template


def template_documents(template, refs):
    """{"<logical id>-<policy name>": document} for every policy in a template's resources
    (role policies and resource policies), references resolved from `refs`."""
    found = {}
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        documents = {p["PolicyName"]: p["PolicyDocument"] for p in properties.get("Policies", [])}
        if "PolicyDocument" in properties:          # the bucket policy
            documents["policy"] = properties["PolicyDocument"]
        for name, document in documents.items():
            found[f"{logical_id}-{name}"] = data_template.resolve(document, refs)
    return found


def documents(project_dir=stages.PROJECT_DIR):
    """{file name: document} for every policy the project writes: the functions' committed
    policy files and infra/data.yaml's, resolved for an example owner."""
    found = {path.name: json.loads(path.read_text())
             for path in sorted((Path(project_dir) / ".chalice").glob("policy-*.json"))}
    # Parquet: the delivery role's larger policy (it adds the Glue schema read).
    refs = stack.example_refs(naming.names_for("Kyle Maposa"), record_format="parquet")
    for name, document in template_documents(load_data_template(project_dir), refs).items():
        found[f"template-{name}.json"] = document
    return found


def write_documents(out_dir, project_dir=stages.PROJECT_DIR):
    """Write documents() into out_dir; returns the paths. Problems found by
    resource_formats are printed on stderr and fail the run."""
    out_dir = Path(out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    written = []
    for name, document in documents(project_dir).items():
        target = out_dir / name
        target.write_text(json.dumps(document, indent=2) + "\n")
        written.append(target)
    return written


def main(out_dir):
    problems = [line for name, document in documents().items()
                for line in resource_formats.problems(document, where=name)]
    for line in problems:
        print(line, file=sys.stderr)
    for path in write_documents(out_dir):
        print(path)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/policies"))
