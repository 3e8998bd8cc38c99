"""Resource names from the owner's name: the seed convention, and valid AWS names for anyone."""
import ipaddress
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickersim.base import naming

# AWS's own rules, as documented for each service.
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
TABLE = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
TOPIC = re.compile(r"^[a-zA-Z0-9_-]{1,256}$")
STREAM = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
FUNCTION_OR_ROLE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")     # Chalice names roles as functions
STACK = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")

stages = st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True)
owners = st.text(min_size=1, max_size=80).filter(lambda s: s.strip())


@pytest.mark.parametrize("owner, code, bucket", [
    ("Kyle Maposa", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Zoë Ñúñez", "DEZOENUN", "dezoenunez-deliverystream-s3"),
    ("  kyle   maposa ", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Seán O'Brien", "DESEAOBR", "deseanobrien-deliverystream-s3"),
    ("Mary Smith-Jones", "DEMARSMI", "demarysmithjones-deliverystream-s3"),
    ("Ada Augusta King Lovelace", "DEADALOV", "deadaaugustakinglovelace-deliverystream-s3"),
    ("Cher", "DECHEXXX", "decher-deliverystream-s3"),            # one name: padded
    ("Li Wu", "DELIXWUX", "deliwu-deliverystream-s3"),           # short names: padded
    ("Jürgen Groß", "DEJURGRO", "dejurgengross-deliverystream-s3"),
])
def test_the_seed_convention(owner, code, bucket):
    names = naming.names_for(owner)
    assert names.code == code
    assert (names.table, names.topic, names.stream, names.bucket) == (
        f"{code}-streaming-dynamodb", f"{code}-streaming-sns-topic", f"{code}-deliverystream",
        bucket)


@pytest.mark.parametrize("owner, code, bucket", [
    ("O'Neil-Smith Jr.", "DEONEXXX", "deoneilsmith-deliverystream-s3"),
    ("Kyle Maposa Jr.", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Kyle Maposa, Jr.", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Kyle Maposa Sr", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Kyle Maposa III", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Kyle Maposa IV", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Kyle Maposa, PhD", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Kyle Maposa MD", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Kyle Maposa Esq.", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Kyle Maposa Jr. PhD", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Dr. Kyle Maposa", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Prof Kyle Maposa II", "DEKYLMAP", "dekylemaposa-deliverystream-s3"),
    ("Lee Iv", "DELEEIVX", "deleeiv-deliverystream-s3"),          # a surname, not a numeral
    ("Jr", "DEJRXXXX", "dejr-deliverystream-s3"),                 # all there is: kept
])
def test_name_suffixes_and_titles_are_not_surnames_or_first_names(owner, code, bucket):
    """Regression: "O'Neil-Smith Jr." was DEONEJRX and "Kyle Maposa Jr." DEKYLJRX."""
    names = naming.names_for(owner)
    assert (names.code, names.bucket) == (code, bucket)


def test_the_dev_and_prod_names_in_the_chalice_config_still_derive_from_the_owner():
    from tickersim.base import stage as stages
    for stage in ("dev", "prod"):
        env = stages.environment(stage, stages.STREAMING)
        names = naming.names_for("Kyle Maposa", stage)
        assert (env["TABLE_NAME"], env["DELIVERY_STREAM_NAME"]) == (names.table, names.stream)


def test_a_stage_other_than_the_default_is_added_to_every_name():
    names = naming.names_for("Kyle Maposa", "prod")
    assert (names.table, names.topic, names.stream, names.bucket, names.stack) == (
        "DEKYLMAP-streaming-dynamodb-prod", "DEKYLMAP-streaming-sns-topic-prod",
        "DEKYLMAP-deliverystream-prod", "dekylemaposa-deliverystream-s3-prod",
        "tickersim-prod-data")
    assert names.streaming_function == "tickersim-prod-streaming-lambda"


def test_a_name_with_no_latin_letters_gets_a_stable_distinct_code():
    first, again, other = (naming.names_for(o).code for o in ("李小龍", " 李小龍 ", "王菲"))
    assert first == again != other
    assert re.fullmatch(r"DE[0-9A-F]{6}", first)


@pytest.mark.parametrize("owner, stage", [("", "dev"), ("   ", "dev"), ("Kyle", "Dev"),
                                          ("Kyle", "dev-1"), ("Kyle", "averylongstage")])
def test_unusable_input_is_refused_with_what_to_pass(owner, stage):
    with pytest.raises(ValueError, match="owner name is empty|stage .* is not usable"):
        naming.names_for(owner, stage)


def _valid_bucket(name):
    try:
        ipaddress.ip_address(name)
        return False
    except ValueError:
        pass
    return (bool(BUCKET.match(name)) and ".." not in name
            and not name.startswith(BUCKET_RESERVED_PREFIXES)
            and not name.endswith(BUCKET_RESERVED_SUFFIXES))


@settings(max_examples=300)
@given(owner=owners, stage=stages)
def test_every_name_is_valid_for_its_service_whatever_the_owner(owner, stage):
    names = naming.names_for(owner, stage)
    assert _valid_bucket(names.bucket), names.bucket
    assert TABLE.match(names.table) and TOPIC.match(names.topic) and STREAM.match(names.stream)
    assert FUNCTION_OR_ROLE.match(names.streaming_function)
    assert FUNCTION_OR_ROLE.match(names.notification_function)
    assert STACK.match(names.stack)
    assert re.fullmatch(r"DE[A-Z0-9]{6}", names.code)


@given(owner=owners, stages=st.lists(stages, min_size=2, max_size=2, unique=True))
def test_two_stages_of_one_owner_never_share_a_name(owner, stages):
    a, b = (naming.names_for(owner, s) for s in stages)
    for field in ("table", "topic", "stream", "bucket", "stack", "streaming_function"):
        assert getattr(a, field) != getattr(b, field)


@given(owner=owners, stage=stages)
def test_spaces_around_and_between_words_change_nothing(owner, stage):
    plain, padded = naming.names_for(owner, stage), naming.names_for(f"  {owner}  ", stage)
    assert (plain.code, plain.bucket) == (padded.code, padded.bucket)
