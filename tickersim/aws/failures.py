"""How the commands that change AWS report a failure: one line on stderr and an exit code."""
import sys

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

BAD_INPUT = 2
FAILED = 1


def guarded(prog, call, bad_input=(), failures=(), aws_advice=""):
    """Run call(); returns (its result, None), or (None, exit code) after saying what failed."""
    try:
        return call(), None
    except bad_input as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None, BAD_INPUT
    except failures as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None, FAILED
    except (ClientError, BotoCoreError) as exc:
        print(f"{prog}: AWS refused: {exc}. {aws_advice}", file=sys.stderr)
        return None, FAILED
    except ResponseParserError as exc:
        # e.g. a local AWS answering in another service's format
        print(f"{prog}: the answer from AWS could not be read ({str(exc).splitlines()[0]}). "
              f"{aws_advice}", file=sys.stderr)
        return None, FAILED
