"""API values in words, plurals, p-values and run labels: the words every page shares."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reporting import vocabulary as vocab
from reporting.text import p_number, p_value, plural, run_label, short_id
from reporting.vocabulary import RAW_VALUES, in_words, prettify, words, words_joined


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("image_safety", "Image safety"),
        ("no_verdict", "No verdict"),
        ("processing", "Processing"),
        ("not scored", "Not scored"),
        ("model_judge", "Model judge"),
        ("sms", "SMS"),
        ("boolean", "Pass / fail"),
        ("critical", "Critical"),
        ("FINISHED", "Finished"),
    ],
)
def test_every_known_api_value_has_its_words(value: str, expected: str) -> None:
    assert words(value) == expected


def test_an_unknown_value_still_shows_prettified_and_never_crashes() -> None:
    assert words("needs_human-review") == "Needs human review"
    assert words("") == vocab.MISSING
    assert words(None) == vocab.MISSING
    assert words(math.nan) == vocab.MISSING
    assert words(True) == "Yes"
    assert prettify("__") == "__"


def test_a_vocabulary_can_be_named_so_a_word_means_one_thing() -> None:
    # "text" is a content type and a simulation channel: each list gives its own word.
    assert words("text", vocab.CONTENT_TYPES) == "Text"
    assert words("failed", vocab.STATUSES) == "Failed"
    assert words("agent", vocab.SCOPES) == "Assistant"


def test_no_word_on_screen_is_spelled_like_a_raw_api_value() -> None:
    shown = {words(raw) for raw in RAW_VALUES}
    assert shown.isdisjoint(RAW_VALUES)
    for table in vocab.VOCABULARIES:
        assert set(table) <= RAW_VALUES


def test_a_column_of_api_values_turns_into_words_and_keeps_missing_values_missing() -> None:
    column = pd.Series(["safety", None, "image_safety", "safety"], dtype="category")
    shown = in_words(column, vocab.EVAL_TYPES)
    assert shown.tolist()[0] == "Safety" and shown.tolist()[2:] == ["Image safety", "Safety"]
    assert shown.isna().tolist() == [False, True, False, False]
    assert words_joined("image_safety, safety", vocab.EVAL_TYPES) == "Image safety, Safety"


def test_feather_s_two_criticals_have_two_names() -> None:
    assert vocab.DECISIVE != vocab.CRITICAL_SEVERITY
    assert "critical" not in vocab.DECISIVE.lower()
    assert "severity" in vocab.DECISIVE_HELP


@pytest.mark.parametrize(
    ("n", "noun", "expected"),
    [
        (0, "eval", "0 evals"),
        (1, "eval", "1 eval"),
        (2, "eval", "2 evals"),
        (1204, "run", "1,204 runs"),
    ],
)
def test_a_count_reads_singular_or_plural(n: int, noun: str, expected: str) -> None:
    assert plural(n, noun) == expected


def test_an_irregular_plural_is_given() -> None:
    assert plural(3, "category", "categories") == "3 categories"
    assert plural(1, "category", "categories") == "1 category"


@pytest.mark.parametrize(
    ("p", "cell", "sentence"),
    [
        (0.0001, "< 0.001", "p < 0.001"),
        (0.03, "0.030", "p = 0.030"),
        (0.5, "0.500", "p = 0.500"),
        (None, "—", "no test possible"),
        (math.nan, "—", "no test possible"),
    ],
)
def test_a_p_value_is_written_one_way(p: float | None, cell: str, sentence: str) -> None:
    assert p_number(p) == cell
    assert p_value(p) == sentence


def test_a_run_label_says_the_date_once_and_never_repeats_the_eval() -> None:
    created = pd.Timestamp("2026-11-17 17:20", tz="UTC")
    default = "Support bot - harmful requests 2026-11-17 17:20"
    assert run_label(default, created, "Support bot - harmful requests") == "2026-11-17 17:20"
    assert run_label(default, None, "Support bot - harmful requests") == "2026-11-17 17:20"
    named = "support-bot v2.6.6 - Support bot - harmful requests"
    assert run_label(named, None, "Support bot - harmful requests") == "support-bot v2.6.6"
    assert run_label(named, created, "Support bot - harmful requests") == (
        "support-bot v2.6.6 · 2026-11-17 17:20"
    )
    assert run_label(None) == "—"


def test_a_short_id_keeps_the_start_of_the_id() -> None:
    assert short_id("e76d801f-5b2f-4c1e-9a8b-000000000000") == "e76d801f"
    assert short_id(None) == ""


def test_text_that_is_not_an_identifier_is_shown_exactly_as_it_came():
    hostile = 'type <img src=x onerror="window.__pwned=1">'
    assert words(hostile) == hostile
    assert words("My eval_name v2") == "My eval_name v2"
    assert words("needs_review") == "Needs review"
