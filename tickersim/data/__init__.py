"""Code that acts on the data in a bucket: browsing it."""
