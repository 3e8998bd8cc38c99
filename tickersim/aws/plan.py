"""What `tickersim deploy` will create, with names, and what it will cost a month."""
from tickersim.aws import bill, inventory, stack
from tickersim.base import stage as stages
from tickersim.base.seeds import read_seed


def describe(req, findings, project_dir=None):
    """The plan as lines of text."""
    project_dir = project_dir or req.project_dir
    names = findings.names
    config = stages.read_config(project_dir)
    ticks_per_run = int(config.get("environment_variables", {}).get("TICKS_PER_RUN", 4))
    items = read_seed()
    values = inventory.parameter_values(req, findings)
    template = inventory.stage_template(req, findings, findings.account)
    resources = inventory.created(template, values, req.stage, stack.example_refs(
        names, findings.account, req.region, readers=findings.readers,
        record_format=findings.record_format, sink=findings.sink, shards=findings.shards))
    retention = values.get("TickRetentionDays",
                           template["Parameters"]["TickRetentionDays"]["Default"])
    readers = (", ".join(findings.readers) if findings.readers else
               "any AWS account (signed requests)")
    extra = {"AWS::S3::Bucket": f"ticks/ readable by {readers}",
             "AWS::KinesisFirehose::DeliveryStream": f"{findings.record_format} objects",
             "AWS::DynamoDB::Table": "on demand"}
    verb = "updates" if findings.stack_exists else "creates"
    lines = [
        f"Plan for stage {req.stage} in {req.region}, account {findings.account}:",
        *([f"  the stage exists (owner recorded: {findings.recorded_owner or 'none'}): it is "
           "updated in place, its names kept"] if findings.stack_exists else []),
        f"  deploy {verb} {len(resources)} resources (stack {names.stack}, then chalice deploy "
        f"--stage {req.stage}; as `make package` would template them):",
        *(f"    {r.kind:<22} {r.name}" + (f"  ({d})" if (d := extra.get(r.type, r.detail))
                                             else "") for r in resources),
        f"  on failure: {req.retries} retr{'y' if req.retries == 1 else 'ies'}, then "
        f"{names.notification_function} e-mails '{req.owner}'",
        f"  seed: {len(items)} tickers into {names.table} (moved ones are kept)",
        *(f"  note: {note}" for note in findings.notes),
    ]
    return lines + cost_lines(items, ticks_per_run, resources, int(retention), findings)


def cost_lines(items, ticks_per_run, resources, retention_days, findings):
    growing = bill.growing(items, ticks_per_run, retention_days, findings.sink, findings.shards)
    fixed = bill.fixed(resources)
    total = sum(growing.values()) + sum(fixed.values())
    return [
        f"Estimated cost: about ${total:.2f} a month at {len(items)} tickers x {ticks_per_run} "
        "ticks a minute (list prices for eu-west-1, no free tier):",
        f"  fixed, whatever the feed does: ${sum(fixed.values()):.2f}",
        *(f"    {line:<52} ${usd:6.2f}" for line, usd in fixed.items()),
        f"  growing with tickers x ticks: ${sum(growing.values()):.2f}",
        *(f"    {line:<52} ${usd:6.2f}" for line, usd in growing.items()),
        "  billed per use:",
        *(f"    {line}" for line in bill.per_use(items, ticks_per_run)),
    ]
