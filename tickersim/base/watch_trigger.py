"""New objects under ticks/ invoke watch_moves: the bucket's event notification, wired by deploy.

Not `@app.on_s3_event`: Chalice 1.34's `chalice deploy` would do the same merge as here
(it keeps the bucket's other notifications and replaces the one for its function), but
`chalice package` refuses any app that uses it ("CloudFormation does not support modifying
the event notifications of existing buckets"), which would break `make package`. So the
function is a plain `@app.lambda_function`; deploy wires it here, and the merged template
(tickersim/aws/package.py) puts the same notification on its own Bucket. S3 replaces the
whole configuration on every put: the bucket's other notifications are kept as they are,
and only ours, named by CONFIG_ID, is replaced.
"""
from botocore.exceptions import ClientError

CONFIG_ID = "tickersim-watch-moves"
TICKS_PREFIX = "ticks/"
STATEMENT_ID = "s3-invokes-watch-moves"


def notification(function_arn):
    return {"Id": CONFIG_ID, "LambdaFunctionArn": function_arn,
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": TICKS_PREFIX}]}}}


def merged(current, function_arn):
    """The bucket's notification configuration with ours in place of any earlier copy."""
    config = {k: v for k, v in current.items() if k != "ResponseMetadata"}
    others = [c for c in config.get("LambdaFunctionConfigurations", [])
              if c.get("Id") != CONFIG_ID]
    config["LambdaFunctionConfigurations"] = others + [notification(function_arn)]
    return config


def wire(s3, lam, bucket, function_arn, account=None):
    """Let S3 invoke the function for this bucket only, then point the bucket at it."""
    account = account or function_arn.split(":")[4]
    try:    # replaced, not added to: a re-deploy leaves one grant, for this bucket
        lam.remove_permission(FunctionName=function_arn, StatementId=STATEMENT_ID)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    lam.add_permission(FunctionName=function_arn, StatementId=STATEMENT_ID,
                       Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                       SourceArn=f"arn:aws:s3:::{bucket}", SourceAccount=account)
    current = s3.get_bucket_notification_configuration(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=merged(current, function_arn))
