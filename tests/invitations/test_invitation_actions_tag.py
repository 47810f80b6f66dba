"""``{% invitation_actions %}``: the Resend and Cancel forms of one pending invitation."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db  # the context processors read the org

TEMPLATE = engines["django"].from_string(
    "{% load invitations %}{% invitation_actions invitation resend=resend "
    'resend_route="invitations:resend" cancel_route="invitations:cancel_confirm" small=small %}'
)


def _render(*, resend: bool, small: bool = False, email: str = "jane@globex.example") -> str:
    request = RequestFactory().get("/")
    get_token(request)
    html = TEMPLATE.render(
        {
            "invitation": SimpleNamespace(pk=42, email=email),
            "resend": resend,
            "small": small,
            "next_url": "/groups/7/?page=2&x=1",
        },
        request,
    )
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1TOKEN", html)


def test_resend_posts_with_the_viewers_csrf_token_and_comes_back():
    html = _render(resend=True)
    assert f'<form method="post" action="{reverse("invitations:resend", args=[42])}"' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="TOKEN">' in html
    assert html.count('<input type="hidden" name="next" value="/groups/7/?page=2&amp;x=1">') == 2
    assert 'aria-label="Resend invitation to jane@globex.example">Resend</button>' in html


def test_cancel_asks_first_through_its_confirm_page():
    html = _render(resend=False)
    assert "Resend" not in html and "csrfmiddlewaretoken" not in html
    assert (
        f'<form method="get" action="{reverse("invitations:cancel_confirm", args=[42])}" '
        'class="inline-form" data-confirm>' in html
    )
    assert 'aria-label="Cancel invitation to jane@globex.example">Cancel</button>' in html


def test_small_buttons_and_escaped_addresses():
    html = _render(resend=True, small=True, email='o"brien@globex.example')
    assert html.count("slds-button_small") == 2
    assert "o&quot;brien@globex.example" in html and 'o"brien' not in html


def test_in_a_cached_fragment_the_token_is_each_viewers_own(settings):
    from django.core.cache import cache
    from django.middleware.csrf import _unmask_cipher_token

    page = engines["django"].from_string(
        "{% load chatter invitations %}"
        '{% invitation_actions invitation resend=True resend_route="invitations:resend" '
        'cancel_route="invitations:cancel_confirm" %}'
        '{% fragment_cache "actions-test" %}{% invitation_actions invitation resend=True '
        'resend_route="invitations:resend" cancel_route="invitations:cancel_confirm" %}'
        "{% endfragment_cache %}"
    )
    cache.clear()
    for _ in range(2):  # the first render fills the cache, the second reads it
        request = RequestFactory().get("/")
        secret = _unmask_cipher_token(get_token(request))
        html = page.render(
            {"invitation": SimpleNamespace(pk=42, email="j@globex.example")}, request
        )
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert len(tokens) == 2
        assert all(_unmask_cipher_token(token) == secret for token in tokens)
