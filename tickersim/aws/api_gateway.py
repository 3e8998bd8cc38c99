"""What Chalice leaves unset on the REST API it deploys: stage throttling (what a stranger can
cost you), gateway responses in the API's own error shape (an unknown path or method
answers 404 `{"error": {...}}`, not API Gateway's 403 "Missing Authentication Token"), and the
API function's log group (Chalice 1.34 creates `/aws/lambda/<app>-<stage>-api_handler`, but the
function is `<app>-<stage>` and writes to `/aws/lambda/<app>-<stage>`).

One source for both routes: `tickersim deploy` applies them with API calls, `make package`
puts the same values into the template (`template_properties`).
"""
from chalicelib.api import api

STAGE = "api"                 # Chalice's default API Gateway stage name
RATE_LIMIT = 10               # requests per second, steady, for the whole stage
BURST_LIMIT = 20              # requests at once
_NOT_FOUND = api.NOT_FOUND_MESSAGE.format(method="$context.httpMethod", path="$context.path")
# responseType -> (status code, or None to keep API Gateway's, body template)
RESPONSES = {
    "MISSING_AUTHENTICATION_TOKEN": ("404", '{"error": {"code": "not_found", "message": "'
                                            + _NOT_FOUND + '"}}'),
    # Marketstack's code for a client over its rate (the /api routes share it).
    "THROTTLED": ("429", '{"error": {"code": "rate_limit_reached", "message": "more than '
                         f'{RATE_LIMIT} requests a second; slow down and retry"}}}}'),
    "DEFAULT_4XX": (None, '{"error": {"code": "$context.error.responseType", '
                          '"message": $context.error.messageString}}'),
    "DEFAULT_5XX": (None, '{"error": {"code": "$context.error.responseType", '
                          '"message": $context.error.messageString}}'),
}
_CORS = {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}


def configure(apigw, rest_api_id, stage=STAGE):
    """Apply the gateway responses and the throttling, then redeploy the stage (gateway
    responses take effect only in a new deployment). Safe to repeat."""
    for kind, (status, template) in RESPONSES.items():
        kwargs = {"restApiId": rest_api_id, "responseType": kind,
                  "responseTemplates": {"application/json": template},
                  "responseParameters": _CORS}
        if status:
            kwargs["statusCode"] = status
        apigw.put_gateway_response(**kwargs)
    apigw.create_deployment(restApiId=rest_api_id, stageName=stage,
                            description="tickersim: gateway responses")
    apigw.update_stage(restApiId=rest_api_id, stageName=stage, patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(RATE_LIMIT)},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(BURST_LIMIT)}])


def create_log_group(logs, function_name, retention_days):
    """The log group the API function writes to, with the stage's retention; safe to repeat."""
    group = f"/aws/lambda/{function_name}"
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    if retention_days:
        logs.put_retention_policy(logGroupName=group, retentionInDays=retention_days)
    return group


def template_properties():
    """The same settings as properties of Chalice's AWS::Serverless::Api (`RestAPI`)."""
    responses = {}
    for kind, (status, template) in RESPONSES.items():
        response = {"ResponseTemplates": {"application/json": template},
                    "ResponseParameters": {"Headers": {"Access-Control-Allow-Origin": "'*'"}}}
        if status:
            response["StatusCode"] = status
        responses[kind] = response
    return {"GatewayResponses": responses,
            "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*",
                                "ThrottlingRateLimit": RATE_LIMIT,
                                "ThrottlingBurstLimit": BURST_LIMIT}]}
