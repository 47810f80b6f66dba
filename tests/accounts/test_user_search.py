"""The search boxes' rule (``user_search_q``): every word in the name or username."""

from __future__ import annotations

import pytest
from django.db import connection

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


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes of PostgreSQL")
def test_on_postgresql_the_search_indexes_keep_no_pending_list():
    # A GIN pending list is read whole by every search until a vacuum merges it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' AND c.relname LIKE '%%_trgm'"
        )
        options = dict(cursor.fetchall())
    assert set(options) == {"user_search_name_trgm", "user_email_trgm", "group_name_trgm"}
    assert all(value == ["fastupdate=off"] for value in options.values()), options
