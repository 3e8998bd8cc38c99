import os

from hypothesis import settings

from tickersim.local import partiql

# No test may reach a real AWS account: fake credentials and a fixed region, set before
# any client exists.
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                  AWS_SESSION_TOKEN="testing", AWS_DEFAULT_REGION="eu-west-1",
                  AWS_REGION="eu-west-1")
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

# moto answers PartiQL batches as DynamoDB does, in every test as in the demo and chaos.
partiql.install()

# Tests check behaviour, never time: a loaded CI machine must not fail a property on its clock.
settings.register_profile("tickersim", deadline=None)
settings.load_profile("tickersim")
