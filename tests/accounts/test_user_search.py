"""The search boxes' rule (``user_search_q``): every word in the name or username."""

from __future__ import annotations

import pytest

from accounts.models import User, user_search_q
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _found(query: str, **kwargs) -> set[str]:
    return set(
        User.objects.filter(user_search_q(query, **kwargs)).values_list("last_name", flat=True)
    )


def test_every_word_must_match_the_first_name_last_name_or_username():
    UserFactory(first_name="Ada", last_name="Lovelace", username="ada@acme.example")
    UserFactory(first_name="Alan", last_name="Turing", username="alan@acme.example")

    assert _found("ada") == {"Lovelace"}
    assert _found("ADA love") == {"Lovelace"}
    assert _found("acme.example") == {"Lovelace", "Turing"}
    assert _found("ada turing") == set()


def test_a_word_never_matches_across_two_parts():
    UserFactory(first_name="Ada", last_name="Lovelace", username="countess@acme.example")

    assert _found("adalove") == set()
    assert _found("lovelacecountess") == set()


def test_a_renamed_user_is_found_by_the_new_name():
    user = UserFactory(first_name="Ada", last_name="Byron")
    user.last_name = "Lovelace"
    user.save(update_fields=["last_name"])

    assert _found("lovelace") == {"Lovelace"}
    assert _found("byron") == set()


def test_the_email_is_searched_only_when_asked():
    UserFactory(last_name="Potts", username="pepper@guest.stark.example", email="pp@stark.example")

    assert _found("pp@stark") == set()
    assert _found("pp@stark", email=True) == {"Potts"}


def test_an_empty_query_matches_everyone():
    UserFactory(last_name="Potts")

    assert "Potts" in _found("  ")
