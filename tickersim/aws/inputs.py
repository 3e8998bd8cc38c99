"""The operator's arguments, checked before anything touches AWS.

Each check returns the cleaned value or raises ValueError whose message names the input at
fault and says what to do: the commands print it as their one line and exit 2.
"""
import re
import unicodedata
from pathlib import Path

import boto3

from tickersim.aws.stack import MAX_EMAILS, RECORD_FORMATS
from tickersim.base import endpoints, naming, sinks
from tickersim.base import stage as stages

MAX_READERS = 50        # each is ~40 bytes of a bucket policy, which S3 caps at 20 KB
MAX_OWNER = 100         # the name goes into alert subjects, which SNS caps at 100 characters
_EMAIL = re.compile(r"[^@\s,;:<>()\[\]\\\"]+@(?P<domain>[^@\s,;:<>()\[\]\\\"]+)")
_LABEL = re.compile(r"[^\W_]([\w-]*[^\W_])?")
_ACCOUNT = re.compile(r"[0-9]{12}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
# S3 reserves these for its own kinds of names (access points, directory buckets, ...).
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", "--x-s3", "--table-s3")
_WHERE_STREAMS_RUN = "firehose"   # the scarcest of the stage's services


def deploy_stage(stage):
    """A stage `tickersim deploy` may create: the demo's own is not one."""
    naming.check_stage(stage)
    if stage == stages.LOCAL:
        raise ValueError(f"--stage {stage} is reserved for `tickersim demo` (its settings in "
                         ".chalice/config.json would be overwritten): pick another name, "
                         "e.g. --stage dev")
    return stage


def owner(name):
    if not name or not name.strip():
        raise ValueError('--owner is empty: pass your full name, e.g. --owner "Kyle Maposa"')
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ValueError(f"--owner {name!r} holds a control character: type the name on "
                         "one line, letters and spaces")
    if len(name) > MAX_OWNER:
        raise ValueError(f"--owner is {len(name)} characters long: keep it to {MAX_OWNER}")
    return " ".join(name.split())


def email(address, flag="--email"):
    match = _EMAIL.fullmatch(address or "")
    labels = match["domain"].split(".") if match else []
    if (not match or len(address) > 254 or len(labels) < 2
            or not all(_LABEL.fullmatch(label) for label in labels)
            or not labels[-1].isalpha() or len(labels[-1]) < 2):
        hint = (f" (one address per {flag})" if re.search(r"[,;\s]", address or "")
                and "@" in (address or "") else "")
        raise ValueError(f"{flag} {address!r} is not an e-mail address{hint}: give one like "
                         f"{flag} you@example.com")
    return address


def emails(addresses):
    """1 to MAX_EMAILS distinct addresses, each valid."""
    if not 1 <= len(addresses) <= MAX_EMAILS:
        raise ValueError(f"--email is given {len(addresses)} times: give 1 to {MAX_EMAILS} "
                         "alert addresses")
    checked = [email(a) for a in addresses]
    seen = set()
    for address in checked:
        if address.lower() in seen:
            raise ValueError(f"--email {address!r} is given twice: give each address once")
        seen.add(address.lower())
    return checked


def move_emails(addresses):
    """0 to MAX_EMAILS addresses for the price-move topic, each valid."""
    if len(addresses) > MAX_EMAILS:
        raise ValueError(f"--move-email is given {len(addresses)} times: give at most "
                         f"{MAX_EMAILS} move-alert addresses")
    return [email(a, "--move-email") for a in addresses]


def reader_accounts(accounts):
    """12-digit AWS account ids, each once, at most MAX_READERS."""
    if len(accounts) > MAX_READERS:
        raise ValueError(f"--reader-account is given {len(accounts)} times: at most "
                         f"{MAX_READERS} fit the bucket policy")
    for account in accounts:
        if not _ACCOUNT.fullmatch(account):
            raise ValueError(f"--reader-account {account!r} is not an AWS account id: give "
                             "its 12 digits, e.g. --reader-account 111122223333")
    if len(set(accounts)) != len(accounts):
        twice = next(a for a in accounts if accounts.count(a) > 1)
        raise ValueError(f"--reader-account {twice} is given twice: give each account once")
    return list(accounts)


def record_format(name):
    """How the stage's ticks/ objects are written (RecordFormat in infra/data.yaml); None:
    the stage's own (json for a new one)."""
    if name is not None and name not in RECORD_FORMATS:
        raise ValueError(f"--format {name!r} is not a record format: give "
                         + " or ".join(f"--format {f}" for f in RECORD_FORMATS))
    return name


def sink(name):
    """Where the streaming function writes; None: the stage's own (firehose for a new one)."""
    problem = sinks.sink_problem(name)
    if problem:
        raise ValueError(problem)
    return name


def shards(text, region_name, chosen_sink):
    """The data stream's size (a whole number of shards, or on-demand); None: the stage's
    own (1 for a new stream)."""
    problem = sinks.shards_problem(text, region_name, chosen_sink)
    if problem:
        raise ValueError(problem)
    return sinks.shards_value(text)


def bucket(name):
    """S3's rules for a general-purpose bucket name, less dots (they break HTTPS to
    virtual-hosted buckets, and the template refuses them)."""
    why = None
    if not 3 <= len(name) <= 63:
        why = f"is {len(name)} characters long; S3 needs 3 to 63"
    elif "." in name:
        why = "has a dot; dots break HTTPS access to the bucket"
    elif not _BUCKET.fullmatch(name):
        why = ("may hold only lower-case letters, digits and hyphens, beginning and ending "
               "with a letter or digit")
    elif name.startswith(_BUCKET_PREFIXES) or name.endswith(_BUCKET_SUFFIXES):
        why = "uses a prefix or suffix that S3 reserves"
    if why:
        raise ValueError(f"--bucket {name!r} {why}: choose another, e.g. --bucket "
                         "yourname-tickersim-ticks")
    return name


def region(name, session=None):
    known = (session or boto3.session.Session()).get_available_regions(_WHERE_STREAMS_RUN)
    if name not in known:
        raise ValueError(f"--region {name!r} is not a region with Kinesis Data Firehose: "
                         "use a region code such as eu-west-1 or us-east-1")
    return name


def endpoint(url):
    """The --endpoint flag, None for none: it (or else each AWS_ENDPOINT_URL* variable) must
    be an http(s) URL with a host."""
    problem = endpoints.problem(url)
    if problem:
        raise ValueError(problem)
    return url


def project(path):
    """A tickersim checkout: deploy reads its .chalice/config.json and infra/data.yaml."""
    for part in (".chalice/config.json", "infra/data.yaml"):
        if not (Path(path) / part).is_file():
            raise ValueError(f"--project-dir {str(path)!r} is not a tickersim project (no "
                             f"{part}): point it at the checkout, or leave it out")
    return Path(path)
