import os

from hypothesis import settings

import tickersim  # noqa: F401  (before chalicelib: keeps bytecode out of the source tree)
from tickersim.local import partiql

# No test may reach a real AWS account: fake credentials and a fixed region, set before
# any client exists.
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                  AWS_SESSION_TOKEN="testing", AWS_DEFAULT_REGION="eu-west-1",
                  AWS_REGION="eu-west-1")
os.environ.pop("AWS_PROFILE", None)
for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
    os.environ.pop(name)         # and each AWS_ENDPOINT_URL_<SERVICE>

# moto answers PartiQL batches as DynamoDB does, in every test as in the demo and chaos.
partiql.install()

# Tests check behaviour, never time: a loaded CI machine must not fail a property on its clock.
settings.register_profile("tickersim", deadline=None)
settings.load_profile("tickersim")
