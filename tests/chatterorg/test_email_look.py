"""The HTML emails share the app's header and brand button (inline styles: mail clients)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

EMAILS = {
    "invitation": {"join_url": "https://org.test/join/x"},
    "invitation_accepted": {"group_url": "https://org.test/groups/1/"},
    "member_added": {"group_url": "https://org.test/groups/1/"},
    "password_reset": {"reset_url": "https://org.test/reset/x", "org_name": "Acme"},
    "welcome": {"login_url": "https://org.test/login/", "org_name": "Acme"},
    "security_token": {"token": "abc", "org_name": "Acme"},
}
HEADER_LINE = "border-bottom: 3px solid #0176d3"
BRAND_BUTTON = "background: #0176d3; border: 1px solid #0176d3; border-radius: 4px;"


@pytest.mark.parametrize("name", EMAILS)
def test_every_html_email_has_the_header_of_the_app(name):
    html = render_to_string(f"emails/{name}.html", EMAILS[name])
    assert html.startswith("<!DOCTYPE html>")
    assert HEADER_LINE in html and "background: #16325c" in html
    assert "#555" not in html


@pytest.mark.parametrize("name", [n for n, c in EMAILS.items() if any("url" in k for k in c)])
def test_the_links_of_the_emails_are_brand_buttons(name):
    context = EMAILS[name]
    url = next(value for key, value in context.items() if key.endswith("_url"))
    html = render_to_string(f"emails/{name}.html", context)
    button = f'<a href="{url}" style="display: inline-block; padding: 6px 16px; {BRAND_BUTTON}'
    assert button in html


def test_every_html_email_uses_the_layout():
    emails = Path(settings.BASE_DIR, "templates", "emails")
    for path in emails.glob("[!_]*.html"):
        assert path.read_text().startswith('{% extends "emails/_layout.html" %}'), path.name


def test_the_header_names_the_org_when_the_email_knows_it():
    html = render_to_string("emails/welcome.html", EMAILS["welcome"])
    assert '">Acme</strong>' in html
