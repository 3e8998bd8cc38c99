"""Deploy's argument checks and its plan: what is accepted, and what the estimate follows."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickersim.aws import bill, inputs, preflight
from tickersim.base.seeds import read_seed
from tickersim.base.stage import PROJECT_DIR

ACCOUNT = "123456789012"


@pytest.mark.parametrize("address", ["kyle@example.com", "k.m+alerts@mail.example.co.uk",
                                     "zoë@exämple.de", "ops-1@x.io"])
def test_real_addresses_pass(address):
    assert inputs.email(address) == address


@pytest.mark.parametrize("owner, kept", [("李小龍", "李小龍"), ("  Zoë   Ñúñez ", "Zoë Ñúñez"),
                                         ("O'Neil-Smith Jr.", "O'Neil-Smith Jr.")])
def test_owner_names_in_any_script_pass_with_spacing_tidied(owner, kept):
    assert inputs.owner(owner) == kept


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


@given(st.lists(_LABEL, min_size=1, max_size=5).map("-".join).filter(lambda n: len(n) >= 3))
def test_names_made_of_lower_case_letters_digits_and_hyphens_pass(name):
    if not name.startswith(("xn--", "sthree-", "amzn-s3-demo-")) and \
            not name.endswith(("-s3alias", "--ol-s3", "--x-s3", "--table-s3")):
        assert inputs.bucket(name[:63].rstrip("-")) == name[:63].rstrip("-")


@given(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-"), min_size=3,
               max_size=63).filter(lambda n: n[0] != "-" and n[-1] != "-"))
def test_the_suggested_name_for_a_taken_bucket_is_itself_valid(name):
    suggestion = preflight.suggest_bucket(name, ACCOUNT)
    assert suggestion.endswith(ACCOUNT) and len(suggestion) <= 63
    assert inputs.bucket(suggestion) == suggestion


def test_the_estimate_follows_the_tickers_and_the_ticks_per_run():
    items = read_seed()
    base = sum(bill.monthly_cost(items, 4).values())
    more = items * 40                   # 200 tickers (names repeat: size is what counts)
    assert sum(bill.monthly_cost(more, 4).values()) > 10 * base
    assert bill.per_run(items, 12).payload_bytes == 3 * bill.per_run(items, 4).payload_bytes
    # One write unit per ticker, plus the run claim.
    assert bill.per_run(more, 4).write_units == len(more) + 1


@pytest.mark.parametrize("given", ["json", "parquet"])
def test_the_record_formats_the_template_allows_pass(given):
    assert inputs.record_format(given) == given
    assert preflight.request(PROJECT_DIR, "qa", "Grace Hopper", ["g@example.com"],
                             record_format=given).record_format == given


@pytest.mark.parametrize("given", ["", "orc", "JSON", "parquet ", "avro"])
def test_any_other_record_format_is_refused_naming_both(given):
    with pytest.raises(ValueError, match=f"^--format {given!r} is not a record format: give "
                                         "--format json or --format parquet$"):
        inputs.record_format(given)


def test_no_format_given_means_the_stages_own():
    assert inputs.record_format(None) is None
    assert preflight.request(PROJECT_DIR, "qa", "Grace Hopper",
                             ["g@example.com"]).record_format is None


@pytest.mark.parametrize("given", [None, "firehose", "kinesis", "both"])
def test_the_sinks_the_template_allows_pass(given):
    assert inputs.sink(given) == given


@pytest.mark.parametrize("given", ["", "Kinesis", "kafka", "firehose,kinesis"])
def test_any_other_sink_is_refused_naming_all_three(given):
    with pytest.raises(ValueError, match="--sink firehose, --sink kinesis or --sink both"):
        inputs.sink(given)


@pytest.mark.parametrize("text, region, expected", [
    ("1", "eu-west-1", "1"), ("500", "eu-west-1", "500"), ("200", "ap-south-1", "200"),
    ("on-demand", "eu-west-1", "on-demand"), ("007", "eu-west-1", "7"), (None, "eu-west-1", None),
])
def test_shards_within_the_regions_default_quota_or_on_demand_pass(text, region, expected):
    assert inputs.shards(text, region, "kinesis") == expected


@pytest.mark.parametrize("text, region, words", [
    ("0", "eu-west-1", "at least 1 shard"),
    ("-1", "eu-west-1", "not a number of shards"),
    ("abc", "eu-west-1", "not a number of shards"),
    ("NaN", "eu-west-1", "not a number of shards"),
    ("1.5", "eu-west-1", "not a number of shards"),
    ("２", "eu-west-1", "not a number of shards"),
    ("501", "eu-west-1", "default shard quota of 500 per account in eu-west-1"),
    ("201", "ap-south-1", "default shard quota of 200 per account in ap-south-1"),
    ("ondemand", "eu-west-1", "--shards on-demand"),
])
def test_bad_shards_are_refused_in_one_line_naming_the_limit(text, region, words):
    with pytest.raises(ValueError, match=words) as caught:
        inputs.shards(text, region, "kinesis")
    assert "\n" not in str(caught.value)


def test_shards_without_a_stream_are_refused():
    with pytest.raises(ValueError, match="--sink firehose does not have"):
        inputs.shards("2", "eu-west-1", "firehose")
