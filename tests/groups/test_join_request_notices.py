"""Join requests notify: owners and managers when someone asks, the requester when answered;
Home shows "Requests to join (N)"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups.actions import join_request_accept, join_request_create, join_request_decline
from groups.models import JoinRequest
from tests.factories import UserFactory


@pytest.fixture
def asker(db):
    return UserFactory(first_name="Pat", last_name="Ng", email="pat@acme.example")


def test_owner_and_managers_are_emailed_when_someone_asks(
    customer_group, asker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        join_request_create(actor=asker, group=customer_group)

    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == sorted([customer_group.owner.email, customer_group.manager.email])
    assert mailoutbox[0].subject == "Pat Ng asked to join Customer Success Council"
    assert reverse("groups:detail", args=[customer_group.pk]) in mailoutbox[0].body


def test_a_refused_request_emails_nobody(
    customer_group, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        join_request_create(actor=customer_group.member, group=customer_group)
    assert mailoutbox == []
    assert not JoinRequest.objects.exists()


@pytest.mark.parametrize(
    ("decide", "subject"),
    [
        (join_request_accept, "You joined Customer Success Council"),
        (join_request_decline, "Your request to join Customer Success Council was declined"),
    ],
    ids=["approved", "declined"],
)
def test_the_requester_is_emailed_the_answer(
    customer_group, asker, mailoutbox, django_capture_on_commit_callbacks, decide, subject
):
    join_request = JoinRequest.objects.create(group=customer_group, user=asker)

    with django_capture_on_commit_callbacks(execute=True):
        decide(actor=customer_group.manager, join_request=join_request)

    assert [(message.to[0], message.subject) for message in mailoutbox] == [(asker.email, subject)]


def test_home_shows_requests_to_join_to_owners_and_managers_only(client, customer_group, asker):
    JoinRequest.objects.create(group=customer_group, user=asker)

    client.force_login(customer_group.manager)
    page = client.get(reverse("home")).content.decode()
    assert "Requests to join (1)" in page and "Pat Ng" in page

    client.force_login(customer_group.member)
    assert "Requests to join" not in client.get(reverse("home")).content.decode()


def test_answered_requests_leave_the_home_count(client, customer_group, asker):
    join_request = JoinRequest.objects.create(group=customer_group, user=asker)
    join_request_decline(actor=customer_group.owner, join_request=join_request)

    client.force_login(customer_group.owner)
    assert "Requests to join" not in client.get(reverse("home")).content.decode()
