"""How the streaming function is wired to its failure alert: the on-failure destination,
the event age past which a run is moot, and its retries (set by deploy and the local cloud alike)."""
import time

from botocore.exceptions import ClientError

# An event older than this is moot: the next run catches up its minutes anyway (up to
# MAX_CATCHUP_MINUTES), so an hour-old event goes to the notifier instead of running late.
MAX_EVENT_AGE_S = 3600
# IAM changes take a few seconds to reach Lambda; it refuses the destination until then.
PROPAGATION_S = 60


def wire_failure_destination(lam, streaming_arn, notifier_arn, retries, clock=time.monotonic,
                             sleep=time.sleep):
    """Chalice cannot express destinations: set them on the deployed function. The streaming
    role's lambda:InvokeFunction on the notifier comes from its Chalice policy file."""
    deadline = clock() + PROPAGATION_S
    while True:
        try:
            lam.put_function_event_invoke_config(
                FunctionName=streaming_arn, MaximumRetryAttempts=retries,
                MaximumEventAgeInSeconds=MAX_EVENT_AGE_S,
                DestinationConfig={"OnFailure": {"Destination": notifier_arn}})
            return
        except ClientError as exc:
            refused = exc.response.get("Error", {}).get("Code") == "InvalidParameterValueException"
            if not refused or clock() > deadline:
                raise
            sleep(5)   # the role's new policy is still propagating
