"""The dead-man alarm, emulated: moto stores CloudWatch alarms but never evaluates them.

The rule is read from infra/data.yaml's NoTicksAlarm (one source of truth with AWS) and
evaluated once per logical minute on the datapoints CloudWatch would have for that minute:
the streaming function's run lines in Embedded Metric Format, read from its log as
CloudWatch reads them (one sample per run, whether or not a market was open); a state
change publishes to the failure topic the message CloudWatch would send.
"""
import json
import operator
from collections import deque
from dataclasses import dataclass, field

from tickersim.base import stage as stages
from tickersim.base.data_template import load_data_template, resolve

ALARM_ID = "NoTicksAlarm"
REGION_NAMES = {"eu-west-1": "EU (Ireland)", "us-east-1": "US East (N. Virginia)"}
STATISTICS = {"SampleCount": len, "Sum": sum, "Maximum": max, "Minimum": min,
              "Average": lambda v: sum(v) / len(v)}
_COMPARE = {"LessThanThreshold": operator.lt, "LessThanOrEqualToThreshold": operator.le,
            "GreaterThanThreshold": operator.gt,
            "GreaterThanOrEqualToThreshold": operator.ge}


def definition(refs, project_dir=stages.PROJECT_DIR):
    """The alarm's properties from the data template, its Fn::Subs resolved from refs."""
    template = load_data_template(project_dir)
    return resolve(template["Resources"][ALARM_ID]["Properties"], refs)


def samples(props, log_text):
    """The values a log holds for the alarm's metric: each JSON line whose Embedded Metric
    Format directive declares it in the alarm's namespace with exactly the alarm's dimensions,
    and whose dimension values are the alarm's."""
    wanted = {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
    found = []
    for line in log_text.splitlines():
        try:
            record = json.loads(line)
            directives = record["_aws"]["CloudWatchMetrics"]
        except (ValueError, KeyError, TypeError):
            continue
        for directive in directives:
            if directive.get("Namespace") != props["Namespace"] or not any(
                    m.get("Name") == props["MetricName"] for m in directive.get("Metrics", [])):
                continue
            if any(set(dims) == set(wanted) and all(record.get(k) == v
                                                    for k, v in wanted.items())
                   for dims in directive.get("Dimensions", [])):
                found.append(record[props["MetricName"]])
    return found


@dataclass
class Alarm:
    """CloudWatch's M-out-of-N evaluation of one metric, one datapoint a period."""
    props: dict
    state: str = "OK"      # the demo starts from a deployed pipeline whose alarm is settled
    recent: deque = field(default_factory=deque)

    def breaching(self, value):
        if value is None:
            return {"breaching": True, "notBreaching": False}.get(
                self.props.get("TreatMissingData", "missing"))
        return _COMPARE[self.props["ComparisonOperator"]](value, self.props["Threshold"])

    def datapoint(self, values):
        """One period's datapoint from its samples, by the alarm's statistic (None: no data)."""
        return STATISTICS[self.props["Statistic"]](values) if values else None

    def add(self, value):
        """Add one period's datapoint (None: no data); returns (old, new) on a state change."""
        periods = self.props["EvaluationPeriods"]
        self.recent.append(value)
        while len(self.recent) > periods:
            self.recent.popleft()
        flags = [self.breaching(v) for v in self.recent]
        needed = self.props.get("DatapointsToAlarm", periods)
        if sum(f is True for f in flags) >= needed:
            new = "ALARM"
        elif all(f is None for f in flags):
            new = "INSUFFICIENT_DATA"
        else:
            new = "OK"
        old, self.state = self.state, new
        return (old, new) if new != old else None

    def reason(self):
        shown = ", ".join("no data" if v is None else f"{v:g}" for v in self.recent)
        return (f"Threshold Crossed: {len(self.recent)} datapoint(s) [{shown}] "
                f"{'were' if self.state == 'ALARM' else 'were not all'} "
                f"{self.props['ComparisonOperator']} the threshold ({self.props['Threshold']}).")


def message(alarm, old, new, when, region, account):
    """(subject, body) as CloudWatch publishes an alarm's state change to SNS."""
    props = alarm.props
    name = props["AlarmName"]
    place = REGION_NAMES.get(region, region)
    body = {
        "AlarmName": name, "AlarmDescription": props.get("AlarmDescription"),
        "AWSAccountId": account, "NewStateValue": new, "OldStateValue": old,
        "NewStateReason": alarm.reason(), "StateChangeTime": when, "Region": place,
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        "Trigger": {k: props.get(k) for k in (
            "MetricName", "Namespace", "Statistic", "Period", "EvaluationPeriods",
            "DatapointsToAlarm", "ComparisonOperator", "Threshold", "TreatMissingData")}
        | {"Dimensions": [{"name": d["Name"], "value": d["Value"]}
                          for d in props.get("Dimensions", [])]},
    }
    return f'{new}: "{name}" in {place}', json.dumps(body, indent=2)
