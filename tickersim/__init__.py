"""Operator tooling for tickersim: never shipped to Lambda."""
import os
import sys
from pathlib import Path

# Bytecode caches go beside the interpreter, never into the source tree: raw `chalice deploy`
# zips chalicelib/ as it finds it, and caches left there by the demo or the tests would double
# the bundle. The venv `make` builds does this for every process (tools/bootstrap.py); this
# covers tickersim run from any other Python, and the processes it starts (chalice, the demo's
# functions) inherit it.
if not sys.pycache_prefix:
    sys.pycache_prefix = str(Path(sys.prefix) / "pycache")
os.environ.setdefault("PYTHONPYCACHEPREFIX", sys.pycache_prefix)
