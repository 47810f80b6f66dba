"""The row-level template helpers give exactly what ``{% url %}`` and ``|date`` give."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from chatterorg.templatetags.chatter import customer_badge, id_url, time_tag


@pytest.mark.parametrize(
    "name", ["groups:profile", "groups:detail", "groups:comment", "invitations:cancel"]
)
@pytest.mark.parametrize("pk", [1, 7, 2**31 - 1, 123456789])
def test_id_url_matches_reverse(name: str, pk: int) -> None:
    assert id_url(name, pk) == reverse(name, args=[pk])


def test_id_url_refuses_a_route_without_exactly_one_id() -> None:
    with pytest.raises(ValueError, match="exactly one id"):
        id_url("groups:accept", 1)


def test_id_url_refuses_what_is_not_an_id() -> None:
    with pytest.raises(ValueError):
        id_url("groups:profile", "1/../../setup")  # type: ignore[arg-type]


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Asia/Kolkata"])
@pytest.mark.parametrize(
    ("style", "date_format"), [("", "M j, Y g:i A"), ("numeric", "n/j/Y g:i A")]
)
def test_time_tag_matches_the_date_filter_at_every_hour(
    zone: str, style: str, date_format: str
) -> None:
    start = datetime(2026, 3, 1, 0, 0, 7, 123456, tzinfo=UTC)
    reference = engines["django"].from_string(
        f"""<time datetime="{{{{ m|date:'c' }}}}">{{{{ m|date:"{date_format}" }}}}</time>"""
    )
    with timezone.override(zone):
        for hour in range(0, 24 * 400, 7):
            moment = start + timedelta(hours=hour, minutes=hour % 60)
            assert time_tag(moment, style) == reference.render({"m": moment})


def test_time_tag_of_nothing_is_empty() -> None:
    assert time_tag(None) == ""


def test_customer_badge_only_for_customers() -> None:
    assert "Customer" in customer_badge(SimpleNamespace(is_customer=True))
    assert customer_badge(SimpleNamespace(is_customer=False)) == ""
    assert customer_badge(None) == ""


def test_the_helpers_render_escaped_in_a_template() -> None:
    template = engines["django"].from_string(
        "{% load chatter %}<a href=\"{% id_url 'groups:profile' pk %}\">x</a>{{ when|time_tag }}"
    )
    html = template.render({"pk": 5, "when": datetime(2026, 11, 27, 15, 4, tzinfo=UTC)})
    assert html.startswith(f'<a href="{reverse("groups:profile", args=[5])}">x</a><time ')
    assert "Nov 27, 2026 3:04 PM" in html
