"""Code that acts on an AWS account: deploy, teardown, the stack, packaging, policies, lint."""
