import os

# No test may reach a real AWS account: fake credentials and a fixed region, set before
# any client exists.
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                  AWS_SESSION_TOKEN="testing", AWS_DEFAULT_REGION="eu-west-1",
                  AWS_REGION="eu-west-1")
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)
