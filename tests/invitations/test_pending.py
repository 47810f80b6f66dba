"""Pending invitations on the group page, the full list, and Resend / Cancel."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from chatterorg.selectors import org_get
from chatterorg.tokens import token_new
from groups.access import group_capabilities, membership_get
from groups.models import Group
from invitations.access import invitation_for_token
from invitations.models import Invitation
from invitations.templatetags.invitations import PANEL_LIMIT
from tests.factories import InvitationFactory, PrivateCustomerGroupFactory, UserFactory


def group_url(group: Group) -> str:
    return reverse("groups:detail", args=[group.pk])


def resend_url(invitation: Invitation) -> str:
    return reverse("invitations:resend", kwargs={"invitation_id": invitation.pk})


def cancel_url(invitation: Invitation) -> str:
    return reverse("invitations:cancel", kwargs={"invitation_id": invitation.pk})


def list_url(group: Group) -> str:
    return reverse("invitations:list", kwargs={"group_id": group.pk})


def _panel_context(user, group) -> Context:
    caps = group_capabilities(
        user=user, group=group, membership=membership_get(user=user, group=group), org=org_get()
    )
    request = RequestFactory().get(group_url(group))
    request.user = user
    return Context({"group": group, "caps": caps, "request": request})


PANEL = Template("{% load invitations %}{% invitation_panel group caps %}")


def _render_panel(user, group) -> str:
    return PANEL.render(_panel_context(user, group))


# The panel on the group page -----------------------------------------------------------------


def test_the_owner_sees_each_pending_invitation_with_its_delivery_state(client, council):
    InvitationFactory(
        group=council,
        inviter=council.morgan,
        email="jane@globex.example",
        delivery_status=Invitation.Delivery.SENT,
    )
    InvitationFactory(
        group=council,
        inviter=council.nora,
        email="raj@initech.example",
        delivery_status=Invitation.Delivery.FAILED,
        delivery_error="SMTP 550 mailbox unavailable",
    )
    InvitationFactory(group=council, email="gone@globex.example", status="Canceled")
    client.force_login(council.morgan)

    page = client.get(group_url(council)).content.decode()

    # The group page's narrow column: a two-column table, the rest under the address.
    assert re.search(r"<caption[^>]*>Pending invitations</caption>", page)
    for header in ["Email", "Status"]:
        assert re.search(rf'<th scope="col"[^>]*>{header}</th>', page)
    assert "Delivery: " in page
    assert "jane@globex.example" in page
    assert "raj@initech.example" in page
    assert "Nora Kim" in page
    assert "SMTP 550 mailbox unavailable" in page
    assert "gone@globex.example" not in page
    assert page.count(">Resend</button>") == 2
    assert page.count(">Cancel</button>") == 2


def test_an_expired_invitation_shows_as_expired(council):
    InvitationFactory(group=council, expires_at=timezone.now() - timedelta(minutes=1))

    panel = _render_panel(council.morgan, council)

    assert "Expired" in _cell_texts(panel)


def _cell_texts(html: str) -> list[str]:
    """The text of each table cell, without its markup (a status is shown as a badge)."""
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", html, re.S)
    ]


def test_a_manager_without_the_permission_sees_the_list_and_cancel_but_not_resend(council):
    InvitationFactory(group=council)

    panel = _render_panel(council.nora, council)

    assert "Pending invitations" in panel
    assert ">Cancel</button>" in panel
    assert ">Resend</button>" not in panel
    assert "Invite People" not in panel


def test_a_plain_member_sees_no_invitations(client, council):
    InvitationFactory(group=council, email="jane@globex.example")
    client.force_login(council.casey)

    response = client.get(group_url(council))

    assert response.status_code == 200
    page = response.content.decode()
    assert council.name in page
    assert "jane@globex.example" not in page
    assert "Pending invitations" not in page


def test_the_panel_takes_one_query_however_many_invitations_are_pending(
    council, django_assert_num_queries
):
    context = _panel_context(council.morgan, council)
    InvitationFactory.create_batch(3, group=council)
    with django_assert_num_queries(1):  # invitations with their inviters
        PANEL.render(context)

    InvitationFactory.create_batch(60, group=council)
    with django_assert_num_queries(1):
        panel = PANEL.render(context)

    assert panel.count(">Cancel</button>") == PANEL_LIMIT
    assert f'href="{list_url(council)}"' in panel


def test_the_panel_shows_the_newest_first_and_no_full_list_link_when_all_fit(council):
    InvitationFactory(
        group=council, email="older@globex.example", sent_at=timezone.now() - timedelta(days=2)
    )
    InvitationFactory(group=council, email="newer@globex.example")

    panel = _render_panel(council.morgan, council)

    assert panel.index("newer@globex.example") < panel.index("older@globex.example")
    assert list_url(council) not in panel


# The full list ------------------------------------------------------------------------------


def test_the_full_list_pages_through_every_pending_invitation(client, council):
    InvitationFactory.create_batch(55, group=council)
    client.force_login(council.morgan)

    first = client.get(list_url(council)).content.decode()
    second = client.get(list_url(council) + "?page=2").content.decode()

    assert "<h1>Pending Invitations</h1>" in first
    for header in ["Email", "Invited By", "Sent", "Expires", "Status", "Delivery", "Actions"]:
        assert f'<th scope="col">{header}</th>' in first
    assert first.count(">Cancel</button>") == 50
    assert second.count(">Cancel</button>") == 5
    assert "Page 2 of 2" in second


def test_the_full_list_is_refused_to_a_plain_member(client, council):
    client.force_login(council.casey)

    assert client.get(list_url(council)).status_code == 403


def test_the_full_list_of_an_unlisted_group_is_404_to_an_outsider(client, council):
    group = PrivateCustomerGroupFactory(access_type=Group.AccessType.UNLISTED)
    client.force_login(council.morgan)

    assert client.get(list_url(group)).status_code == 404


# Resend ---------------------------------------------------------------------------------------


@pytest.fixture
def pending(council):
    raw, digest = token_new()
    invitation = InvitationFactory(
        group=council,
        inviter=council.nora,
        email="jane@globex.example",
        token_hash=digest,
        sent_at=timezone.now() - timedelta(days=3),
    )
    return raw, invitation


def test_resend_gives_a_new_link_and_kills_the_old_one(
    client, council, pending, mailoutbox, django_capture_on_commit_callbacks
):
    raw, invitation = pending
    client.force_login(council.morgan)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(invitation))

    assert response.status_code == 302
    assert response.url == group_url(council)
    assert invitation_for_token(raw) is None
    assert len(mailoutbox) == 1
    new_raw = mailoutbox[0].body.split("/join/")[1].split("/")[0]
    assert invitation_for_token(new_raw) == invitation
    follow = client.get(response.url).content.decode()
    assert "Invitation resent to jane@globex.example." in follow


def test_resend_comes_back_to_the_page_it_was_pressed_on(client, council, pending):
    _, invitation = pending
    client.force_login(council.morgan)

    response = client.post(resend_url(invitation), {"next": list_url(council) + "?page=1"})

    assert response.url == list_url(council) + "?page=1"


def test_resend_never_redirects_to_another_site(client, council, pending):
    _, invitation = pending
    client.force_login(council.morgan)

    response = client.post(resend_url(invitation), {"next": "https://evil.example/"})

    assert response.url == group_url(council)


def test_resend_is_refused_to_a_manager_without_the_permission(client, council, pending):
    raw, invitation = pending
    client.force_login(council.nora)

    assert client.post(resend_url(invitation)).status_code == 403

    assert invitation_for_token(raw) == invitation


def test_resend_of_an_invitation_in_a_group_the_user_cannot_see_is_404(client, council):
    group = PrivateCustomerGroupFactory(access_type=Group.AccessType.UNLISTED)
    invitation = InvitationFactory(group=group)
    client.force_login(council.morgan)

    assert client.post(resend_url(invitation)).status_code == 404
    assert (
        client.post(reverse("invitations:resend", kwargs={"invitation_id": 999999})).status_code
        == 404
    )


def test_resend_and_cancel_need_post(client, council, pending):
    _, invitation = pending
    client.force_login(council.morgan)

    assert client.get(resend_url(invitation)).status_code == 405
    assert client.get(cancel_url(invitation)).status_code == 405
    invitation.refresh_from_db()
    assert invitation.status == "Sent"


def test_resend_of_a_canceled_invitation_says_why(client, council, pending):
    _, invitation = pending
    Invitation.objects.filter(pk=invitation.pk).update(status="Canceled")
    client.force_login(council.morgan)

    response = client.post(resend_url(invitation), follow=True)

    assert "Only a pending invitation can be resent." in response.content.decode()


# Cancel ---------------------------------------------------------------------------------------


def test_a_manager_cancels_and_the_link_dies_at_once(client, council, pending):
    raw, invitation = pending
    client.force_login(council.nora)

    response = client.post(cancel_url(invitation), follow=True)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELED
    assert invitation_for_token(raw) is None
    page = response.content.decode()
    assert "Invitation to jane@globex.example canceled." in page
    assert "<td>jane@globex.example</td>" not in page


def test_a_plain_member_cannot_cancel(client, council, pending):
    raw, invitation = pending
    client.force_login(council.casey)

    assert client.post(cancel_url(invitation)).status_code == 403

    invitation.refresh_from_db()
    assert invitation.status == "Sent"
    assert invitation_for_token(raw) == invitation


def test_the_inviter_may_cancel_their_own_invitation(client, council):
    invitation = InvitationFactory(group=council, inviter=council.casey)
    client.force_login(council.casey)

    assert client.post(cancel_url(invitation)).status_code == 302

    invitation.refresh_from_db()
    assert invitation.status == "Canceled"


def test_cancel_in_a_group_the_user_cannot_see_is_404(client, council):
    group = PrivateCustomerGroupFactory(access_type=Group.AccessType.UNLISTED)
    invitation = InvitationFactory(group=group)
    client.force_login(UserFactory())

    assert client.post(cancel_url(invitation)).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "Sent"


# The list pages: the same queries for a few invitations and for more than a page ------


@pytest.mark.parametrize("route", ["invitations:list", "invitations:history"])
def test_the_list_pages_run_the_same_queries_for_3_and_for_60_invitations(
    client, council, django_assert_num_queries, route
):
    url = reverse(route, kwargs={"group_id": council.pk})
    client.force_login(council.morgan)
    InvitationFactory.create_batch(3, group=council, inviter=UserFactory())
    # 1 session, 2 user with their profile, 3 membership with the group, 4 org,
    # 5 permission sets, 6 the capped count, 7 the page with the inviters (and who accepted)
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
    for _ in range(3):
        InvitationFactory.create_batch(20, group=council, inviter=UserFactory())
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 50
