"""Raw Join Now tokens exist only in the emails: not in the database, the queue, or the logs."""

from __future__ import annotations

import logging
import re

from django.apps import apps
from django_tasks_db.models import DBTaskResult

from invitations.actions import invitations_send, invite_request_clean
from invitations.models import Invitation
from invitations.tasks import invitation_emails_send

JOIN_LINK = re.compile(r"/join/([A-Za-z0-9_\-]{43})/")


def _every_stored_text() -> str:
    """Every value of every row of every table, as text."""
    chunks = []
    for model in apps.get_models():
        for row in model.objects.values_list():
            chunks.append(repr(row))
    return "\n".join(chunks)


def test_no_raw_token_is_stored_queued_or_logged(
    council, morgan, settings, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    caplog.set_level(logging.DEBUG)
    addresses = ["jane@globex.example", "raj@initech.example", "ann@umbrella.example"]

    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(
            actor=morgan,
            group=council,
            invite=invite_request_clean(addresses=addresses, message="Hi"),
        )
    [queued] = DBTaskResult.objects.all()
    invitation_ids = sorted(Invitation.objects.values_list("pk", flat=True))
    # The queue holds invitation IDs only.
    assert queued.args_kwargs == {"args": [], "kwargs": {"invitation_ids": invitation_ids}}

    # Run the queued task from what the queue stored, as the worker does (the
    # real `db_worker` process is exercised by the end-to-end story).
    invitation_emails_send.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])

    tokens = [JOIN_LINK.search(message.body).group(1) for message in mailoutbox]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(addresses)
    assert len(set(tokens)) == 3
    stored = _every_stored_text()
    logged = caplog.text
    for token in tokens:
        assert token not in stored
        assert token not in logged
    # The hashes are stored: the scan looked at the right rows.
    assert Invitation.objects.filter(token_hash__isnull=False).count() == 3


def test_a_failure_message_quoting_the_token_is_redacted_before_it_is_stored_or_logged(
    council, morgan, caplog, monkeypatch, mailoutbox
):
    from invitations import tasks
    from tests.factories import InvitationFactory

    seen: list[str] = []

    def leaky_send(*, to, subject, template, context):
        seen.append(context["join_url"])
        raise RuntimeError(f"could not deliver {context['join_url']}")

    monkeypatch.setattr(tasks, "email_send", leaky_send)
    caplog.set_level(logging.DEBUG)
    invitation = InvitationFactory(group=council, inviter=morgan)

    tasks.invitation_emails_send.call(invitation_ids=[invitation.pk])

    token = JOIN_LINK.search(seen[0]).group(1)
    invitation.refresh_from_db()
    assert "[token]" in invitation.delivery_error
    assert token not in invitation.delivery_error
    assert token not in caplog.text
    assert token not in _every_stored_text()
