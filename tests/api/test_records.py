"""``/<id>``: a record's 15- or 18-character ID opens its page; the page shows the ID."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from api.ids import sf_id
from tests.factories import GroupFactory, MembershipFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_users_id_opens_their_profile_in_both_forms(user):
    person = UserFactory()
    id18 = sf_id("User", person.pk)
    profile = reverse("groups:profile", args=[person.pk])
    client = _client(user)

    assert client.get(f"/{id18}").url == profile
    assert client.get(f"/{id18[:15]}").url == profile
    assert client.get(f"/{id18.lower()}/").url == profile  # the suffix restores the case


def test_a_groups_id_opens_the_group_and_a_posts_its_group(user):
    group = GroupFactory()
    post = PostFactory(group=group, author=user)
    MembershipFactory(group=group, user=user)
    client = _client(user)

    assert client.get(f"/{sf_id('CollaborationGroup', group.pk)}").url == reverse(
        "groups:detail", args=[group.pk]
    )
    assert client.get(f"/{sf_id('FeedItem', post.pk)}").url == reverse(
        "groups:detail", args=[group.pk]
    )


def test_a_customer_gets_404_for_a_group_they_may_not_see(customer, customer_group):
    other = GroupFactory()
    client = _client(customer)

    assert client.get(f"/{sf_id('CollaborationGroup', other.pk)}").status_code == 404
    assert client.get(f"/{sf_id('CollaborationGroup', customer_group.pk)}").status_code == 302
    assert client.get(f"/{sf_id('Organization', 1)}").status_code == 404


def test_ids_of_nothing_and_non_ids_are_404(user):
    client = _client(user)

    assert client.get(f"/{sf_id('CollaborationGroup', 999_999)}").status_code == 404
    assert client.get("/0F9000000000001XYZ").status_code == 404  # wrong suffix
    assert client.get("/zzz000000000001").status_code == 404  # no such key prefix


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(f"/{sf_id('User', 1)}")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_group_page_and_the_profile_show_the_records_id(user):
    group = GroupFactory()
    client = _client(user)

    group_page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    profile = client.get(reverse("groups:profile", args=[user.pk])).content.decode()

    assert f"ID: {sf_id('CollaborationGroup', group.pk)}" in group_page
    assert f"ID: {sf_id('User', user.pk)}" in profile
