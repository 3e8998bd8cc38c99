"""Resource names from the owner's name, following the course's seed convention.

`Kyle Maposa` -> code `DEKYLMAP`, table `DEKYLMAP-streaming-dynamodb`, topic
`DEKYLMAP-streaming-sns-topic`, stream `DEKYLMAP-deliverystream`, data stream
`DEKYLMAP-datastream` (with `--sink kinesis|both`), bucket
`dekylemaposa-deliverystream-s3`. A stage other than the default one is appended to
every name, so `dev` and `prod` can live in one account.
"""
import hashlib
import re
from dataclasses import dataclass

from chalicelib.alerts.text import ascii_fold

APP_NAME = "tickersim"
DEFAULT_STAGE = "dev"
_STAGE = re.compile(r"^[a-z][a-z0-9]{0,9}$")
_BUCKET_MAX = 63


@dataclass(frozen=True)
class Names:
    owner: str
    stage: str
    code: str
    table: str
    topic: str
    market_topic: str
    stream: str
    data_stream: str
    bucket: str
    stack: str

    def function(self, short):
        return function_name(self.stage, short)

    @property
    def streaming_function(self):
        return self.function("streaming-lambda")

    @property
    def notification_function(self):
        return self.function("notification-lambda")


def function_name(stage, short):
    """Chalice names functions `<app>-<stage>-<name>`."""
    return f"{APP_NAME}-{stage}-{short}"


def check_stage(stage):
    if not _STAGE.match(stage or ""):
        raise ValueError(f"stage {stage!r} is not usable: use 1-10 lower-case letters or digits, "
                         "starting with a letter (e.g. dev, prod, test2)")
    return stage


# Neither is part of the name itself: "Kyle Maposa Jr." is MAPosa, "Dr. Ada Lovelace" is ADA.
_SUFFIXES = {"jr", "jnr", "sr", "snr", "phd", "dphil", "md", "do", "esq", "dds", "dmd", "dvm",
             "mba", "cpa", "jd", "llb", "llm", "rn", "obe", "mbe", "cbe", "kbe", "qc", "kc",
             "2nd", "3rd", "4th", "5th"}
_NUMERALS = re.compile(r"^(II|III|IV|VI|VII|VIII|IX|X)$")       # as written: "Iv" is a name
_TITLES = {"mr", "mrs", "ms", "mx", "miss", "dr", "prof", "sir", "dame", "rev", "fr"}


def _words(owner):
    # Words are split on spaces only, so "O'Brien" and "Smith-Jones" stay one surname
    # (OBR, SMI), as a person would abbreviate them.
    folded = ascii_fold(owner, unknown=" ")
    words = [w for w in (re.sub(r"[^A-Za-z0-9]", "", part) for part in folded.split()) if w]
    while len(words) > 1 and (words[-1].lower() in _SUFFIXES or _NUMERALS.match(words[-1])):
        words.pop()
    while len(words) > 1 and words[0].lower() in _TITLES:
        words.pop(0)
    return words


def owner_code(owner):
    return _code(owner, _words(owner))


def _code(owner, words):
    if not words:
        # A name in a script with no ASCII form still gets a stable, distinct code.
        spaced = " ".join(owner.split())
        return "DE" + hashlib.sha256(spaced.encode("utf-8")).hexdigest()[:6].upper()
    first, last = words[0], (words[-1] if len(words) > 1 else "")
    return "DE" + first[:3].upper().ljust(3, "X") + last[:3].upper().ljust(3, "X")


def stack_name(stage):
    """The stage's data stack (infra/data.yaml); teardown finds everything else from it."""
    return f"{APP_NAME}-{check_stage(stage)}-data"


def names_for(owner, stage=DEFAULT_STAGE):
    if not owner or not owner.strip():
        raise ValueError("owner name is empty: pass the full name, e.g. --owner \"Kyle Maposa\"")
    check_stage(stage)
    words = _words(owner)
    code = _code(owner, words)
    suffix = "" if stage == DEFAULT_STAGE else f"-{stage}"
    tail = f"-deliverystream-s3{suffix}"
    person = ("de" + "".join(words).lower()) if words else code.lower()
    bucket = person[:_BUCKET_MAX - len(tail)] + tail
    return Names(
        owner=owner,
        stage=stage,
        code=code,
        table=f"{code}-streaming-dynamodb{suffix}",
        topic=f"{code}-streaming-sns-topic{suffix}",
        market_topic=f"{code}-market-sns-topic{suffix}",
        stream=f"{code}-deliverystream{suffix}",
        data_stream=f"{code}-datastream{suffix}",
        bucket=bucket,
        stack=stack_name(stage),
    )
