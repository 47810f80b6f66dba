"""The "Email addresses" parser."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from invitations.addresses import addresses_parse


def test_commas_semicolons_and_newlines_all_separate_addresses():
    text = "jane@globex.example, raj@initech.example;ann@umbrella.example\nbo@hooli.example\r\n"

    assert addresses_parse(text) == [
        "jane@globex.example",
        "raj@initech.example",
        "ann@umbrella.example",
        "bo@hooli.example",
    ]


def test_name_and_angle_brackets_give_the_address_even_with_a_comma_in_a_quoted_name():
    assert addresses_parse(
        'Jane Doe <jane@globex.example>, "Patel, Raj" <raj@initech.example>'
    ) == [
        "jane@globex.example",
        "raj@initech.example",
    ]


def test_addresses_are_trimmed_and_domains_lower_cased_but_local_parts_kept():
    assert addresses_parse("   Jane.Doe@GLOBEX.Example   ") == ["Jane.Doe@globex.example"]


def test_duplicates_are_dropped_case_insensitively_keeping_the_first_spelling():
    text = "Jane@globex.example, jane@GLOBEX.example, raj@initech.example, JANE@globex.example"

    assert addresses_parse(text) == ["Jane@globex.example", "raj@initech.example"]


def test_empty_pieces_are_ignored():
    assert addresses_parse(",, ;\n jane@globex.example ,,") == ["jane@globex.example"]


def test_each_invalid_address_is_listed_and_nothing_is_returned():
    with pytest.raises(ValidationError) as raised:
        addresses_parse("jane@globex.example, not-an-address, raj@, bob@initech.example")

    messages = raised.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("not-an-address:")
    assert messages[1].startswith("raj@:")


def test_an_address_longer_than_240_characters_is_refused():
    long_address = "a" * 60 + "@" + ".".join(["b" * 60] * 3) + ".example"
    assert len(long_address) > 240

    with pytest.raises(ValidationError) as raised:
        addresses_parse(long_address)

    assert "at most 240 characters" in raised.value.messages[0]


def test_an_address_of_exactly_240_characters_is_accepted():
    domain = ".".join(["b" * 60, "c" * 60, "d" * 53]) + ".example"
    address = "a" * (240 - 1 - len(domain)) + "@" + domain
    assert len(address) == 240

    assert addresses_parse(address) == [address]


def test_a_line_break_inside_angle_brackets_cannot_reach_an_address():
    with pytest.raises(ValidationError):
        addresses_parse("Jane <jane@globex.example\nBcc: evil@example.com>")


def test_a_hundred_addresses_are_accepted():
    text = ", ".join(f"person{i}@globex.example" for i in range(100))

    assert len(addresses_parse(text)) == 100


def test_more_than_a_hundred_addresses_are_refused_with_a_clear_message():
    text = ", ".join(f"person{i}@globex.example" for i in range(101))

    with pytest.raises(ValidationError) as raised:
        addresses_parse(text)

    assert raised.value.messages == ["You can invite at most 100 people at a time."]


def test_a_hundred_and_one_pieces_with_a_duplicate_are_a_hundred_addresses():
    text = ", ".join(f"person{i}@globex.example" for i in range(100)) + ", PERSON0@globex.example"

    assert len(addresses_parse(text)) == 100


# Property tests ---------------------------------------------------------------------------

SEPARATORS = st.sampled_from([",", ";", "\n", "\r\n", ", ", " ;\n"])


def _valid(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return len(address) <= 240


ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
_atom = st.text(alphabet=ATEXT, min_size=1, max_size=12)
_label = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    min_size=1,
    max_size=12,
)
# Addresses as people type them: dot-atoms at ordinary domains, in any case.
valid_addresses = st.builds(
    lambda local, labels, tld: f"{'.'.join(local)}@{'.'.join(labels)}.{tld}",
    st.lists(_atom, min_size=1, max_size=3),
    st.lists(_label, min_size=1, max_size=3),
    st.sampled_from(["example", "com", "ORG", "co", "museum", "xn--p1ai"]),
).filter(_valid)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_gives_addresses_or_a_validation_error_and_never_a_line_break(text):
    try:
        addresses = addresses_parse(text)
    except ValidationError:
        return
    for address in addresses:
        assert "\r" not in address
        assert "\n" not in address
        assert _valid(address)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from('abc@.,;<>" \r\n\t\x00é'), max_size=40), max_size=8)
)
def test_email_like_noise_gives_addresses_or_a_validation_error(pieces):
    try:
        addresses = addresses_parse(",".join(pieces))
    except ValidationError:
        return
    assert all("\r" not in a and "\n" not in a for a in addresses)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(valid_addresses, min_size=1, max_size=10),
    st.lists(st.integers(min_value=0, max_value=9), max_size=5),
    st.lists(SEPARATORS, min_size=15, max_size=15),
)
def test_each_valid_address_comes_back_exactly_once(addresses, repeats, separators):
    # Repeat some addresses in upper case, and join everything with assorted separators.
    repeated = addresses + [addresses[i % len(addresses)].upper() for i in repeats]
    text = "".join(a + sep for a, sep in zip(repeated, separators, strict=False))

    parsed = addresses_parse(text)

    expected_keys: list[str] = []
    for address in addresses:
        if address.lower() not in expected_keys:
            expected_keys.append(address.lower())
    assert [a.lower() for a in parsed] == expected_keys
