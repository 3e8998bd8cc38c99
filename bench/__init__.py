"""`make bench`: tickersim against the implementation most people write first, in one run.

Nothing here ships to Lambda (chalice packages app.py and chalicelib/ only).
"""
