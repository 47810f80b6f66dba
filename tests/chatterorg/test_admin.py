"""The Django admin: every model listed, searchable and filterable; read-only; no secrets."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from invitations.models import Invitation
from tests.factories import CustomerFactory, InvitationFactory

pytestmark = pytest.mark.django_db

APPS = ("chatterorg", "accounts", "groups", "invitations", "api")
OUR_MODELS = [model for model in admin.site._registry if model._meta.app_label in APPS]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_model_of_the_project_is_registered():
    from django.apps import apps

    models = {model for name in APPS for model in apps.get_app_config(name).get_models()}
    assert models == set(OUR_MODELS)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_lists_and_searches_every_model(admin_client, model):
    model_admin = admin.site._registry[model]
    assert len(model_admin.list_display) > 1

    assert admin_client.get(changelist(model)).status_code == 200
    if model_admin.search_fields:
        assert admin_client.get(changelist(model), {"q": "acme"}).status_code == 200


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_is_read_only(admin_client, model):
    model_admin = admin.site._registry[model]
    request = admin_client.get(changelist(model)).wsgi_request

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_user_page_shows_no_password_or_security_answer_hash(admin_client, admin_user):
    customer = CustomerFactory(security_answer_hash="argon2$secret-answer-hash")
    url = reverse("admin:accounts_user_change", args=[customer.pk])

    html = admin_client.get(url).content.decode()

    assert customer.username in html
    assert "secret-answer-hash" not in html
    assert customer.password not in html
    assert "argon2" not in html


def test_invitation_page_shows_no_token_hash(admin_client):
    invitation = InvitationFactory(token_hash="f" * 64)
    url = reverse("admin:invitations_invitation_change", args=[invitation.pk])

    html = admin_client.get(url).content.decode()

    assert invitation.email in html
    assert "f" * 64 not in html
    assert Invitation.objects.get().token_hash == "f" * 64


def test_users_without_modify_all_data_cannot_enter_the_admin(client):
    client.force_login(User.objects.get(pk=CustomerFactory().pk))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_standard_user_cannot_enter_the_admin(user_client):
    response = user_client.get(changelist(User))

    assert response.status_code == 302
