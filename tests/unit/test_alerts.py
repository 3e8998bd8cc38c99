"""The alert's subject and body: valid for SNS whatever the name or the event."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.alerts.alerts import MESSAGE_LIMIT, body, fit, log_group_link, subject
from tests.support import FAILURE_SHAPES, event


def valid_sns_subject(text):
    return (text.isascii() and len(text) < 100 and text == text.strip()
            and all(32 <= ord(c) < 127 for c in text))


@given(st.one_of(st.none(), st.text(max_size=500)))
@settings(max_examples=300)
def test_the_subject_is_always_valid_for_sns_and_keeps_its_frame(owner):
    text = subject(owner)
    assert valid_sns_subject(text)
    assert text.startswith("Failure: ") and text.endswith(", could not generate stream")


@given(st.text(alphabet=st.characters(min_codepoint=65, max_codepoint=122)
               .filter(str.isalpha), min_size=1, max_size=30))
def test_a_short_ascii_name_appears_in_the_subject_unchanged(name):
    assert subject(name) == f"Failure: {name}, could not generate stream"


@pytest.mark.parametrize("owner, shown", [
    ("Zoë Ñúñez", "Zoe Nunez"),
    ("Kyle Maposa", "Kyle Maposa"),
    ("Łukasz Groß", "Lukasz Gross"),
    ("  Anna\n\tMarie  ", "Anna Marie"),
    ("", "unknown owner"),
    (None, "unknown owner"),
])
def test_accents_are_transliterated_not_dropped(owner, shown):
    assert subject(owner) == f"Failure: {shown}, could not generate stream"


def test_a_very_long_name_is_shortened_visibly():
    text = subject("Maximilian " * 20)
    assert len(text) == 99 and "..., could not generate stream" in text


@pytest.mark.parametrize("shape", FAILURE_SHAPES)
def test_the_body_of_every_failure_shape_says_what_when_how_often_and_why(shape):
    record = event(shape)
    text = body(record, "Zoë Ñúñez")
    ctx, payload = record["requestContext"], record.get("responsePayload", {})
    assert "Zoë Ñúñez" in text
    assert "tickersim-dev-streaming-lambda" in text
    assert f"Scheduled time:  {record['requestPayload']['time']}" in text
    assert f"Attempts:        {ctx['approximateInvokeCount']}" in text
    assert f"Condition:       {ctx['condition']}" in text
    assert f"Request id:      {ctx['requestId']}" in text
    if payload.get("errorType"):
        assert f"Error type:      {payload['errorType']}" in text
    if payload.get("errorMessage"):
        assert payload["errorMessage"] in text
    for frame in payload.get("stackTrace", [])[-8:]:
        assert frame.rstrip("\n") in text
    assert log_group_link("tickersim-dev-streaming-lambda", "eu-west-1") in text


def test_a_timeout_is_named_as_such():
    text = body(event("failure-timeout"), "A B")
    assert "Error type:      Timeout" in text and "ran out of time" in text


def test_an_expired_event_is_named_as_such():
    text = body(event("failure-event-age"), "A B")
    assert "expired before the function could run" in text


def test_the_log_link_encodes_the_group_as_the_console_expects():
    assert log_group_link("f", "eu-west-1").endswith("#logsV2:log-groups/log-group/$252Faws"
                                                     "$252Flambda$252Ff")


@pytest.mark.parametrize("odd", [None, "text", 42, [1, 2], {"key1": "value1"},
                                 {"requestContext": "no", "requestPayload": 1}])
def test_an_unrecognised_event_is_said_so_and_shown_raw(odd):
    text = body(odd, "Kyle Maposa")
    assert "does not recognise" in text
    assert json.dumps(odd, indent=2, sort_keys=True) in text


def test_a_huge_odd_event_is_cut_to_fit_sns_and_says_so():
    text = body({"blob": "é" * 400_000}, "Kyle Maposa")
    assert len(text.encode("utf-8")) <= MESSAGE_LIMIT
    assert text.endswith("[... cut to fit the SNS message limit]\n")


@given(st.text(max_size=2000), st.integers(min_value=60, max_value=3000))
def test_fit_never_exceeds_the_limit_nor_splits_a_character(text, limit):
    out = fit(text, limit)
    assert len(out.encode("utf-8")) <= limit
    if len(text.encode("utf-8")) <= limit:
        assert out == text
    else:
        assert text.startswith(out[: out.index("\n[... cut")])
