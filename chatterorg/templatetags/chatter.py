"""Template helpers for what pages repeat on every row: links by id, times, the customer badge,
and the fragment cache keyed on versions.

A group page shows dozens of posts, comments and members, each with a profile
link and a time. ``{% url %}`` and ``|date`` redo the whole URL resolution and
format parsing for each row; these helpers do the expensive part once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from typing import Any

from django import template
from django.core.cache import caches
from django.forms import BoundField
from django.template import Context
from django.template.base import FilterExpression
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# An id no row reaches; the route is reversed once with it and the real id put in its place.
_MARK = str(2**31 - 1)

_CUSTOMER_BADGE = mark_safe(' <span class="badge badge--customer">Customer</span>')


@cache
def _url_shape(name: str, script_prefix: str) -> tuple[str, str]:
    try:
        url = reverse(name, args=[int(_MARK)])
    except NoReverseMatch:
        url = ""
    if url.count(_MARK) != 1:
        raise ValueError(f"{name} does not take exactly one id")
    head, _, tail = url.partition(_MARK)
    # Escaped once here, so that each row's URL is safe as it is built.
    return escape(head), escape(tail)


@register.simple_tag
def id_url(name: str, pk: int) -> SafeString:
    """``{% url name pk %}`` for a route whose one argument is an integer id, at a fraction
    of the cost: the route is reversed and escaped once per process, and each row only
    puts its id in."""
    head, tail = _url_shape(name, get_script_prefix())
    return SafeString(f"{head}{int(pk)}{tail}")


def _display(local: datetime, style: str = "") -> str:
    # "Nov 27, 2026 3:05 PM", as the date filter's "M j, Y g:i A" writes it;
    # "numeric": "11/27/2026 3:05 PM" ("n/j/Y g:i A"), as Setup's lists show dates.
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    if style == "numeric":
        return f"{local.month}/{local.day}/{local.year} {hour}:{local:%M} {meridiem}"
    return f"{local:%b} {local.day}, {local.year} {hour}:{local:%M} {meridiem}"


@register.filter(expects_localtime=True, is_safe=True)
def time_tag(value: datetime | None, style: str = "") -> SafeString | str:
    """A ``<time>`` element: ISO 8601 for machines, the feed's style for people
    (``|time_tag:"numeric"``: Setup's 11/27/2026 3:05 PM).

    The template engine hands the value over already in the current time zone
    (``expects_localtime``); both texts are digits, letters and punctuation
    without markup, so the element is built without escaping each part.
    """
    if value is None:
        return ""
    if timezone.is_aware(value) and value.tzinfo is not timezone.get_current_timezone():
        value = timezone.localtime(value)  # called from Python with a UTC value
    return SafeString(f'<time datetime="{value.isoformat()}">{_display(value, style)}</time>')


@register.filter
def customer_badge(person: Any) -> SafeString | str:
    """The "Customer" badge after the name of a customer (a user or a membership)."""
    return _CUSTOMER_BADGE if getattr(person, "is_customer", False) else ""


@register.filter
def locked_reason(field: Any) -> str:
    """Why a form shows this field locked (its form's ``locked``), or ""."""
    return str(getattr(field.form, "locked", {}).get(field.name, ""))


@cache
def _sprite_url(sprite: str) -> str:
    return static(f"slds/icons/{sprite}-sprite/svg/symbols.svg")


@register.simple_tag
def slds_icon(sprite: str, name: str, size: str = "small", label: str = "") -> SafeString:
    """An SLDS icon from its sprite (``standard``, ``utility``), decorative unless ``label``.

    Standard icons sit on their coloured tile; utility icons take the text colour.
    """
    tile = f" slds-icon-{sprite}-{name.replace('_', '-')}" if sprite == "standard" else ""
    fill = " slds-icon-text-default" if sprite == "utility" else ""
    assistive = format_html('<span class="slds-assistive-text">{}</span>', label) if label else ""
    return format_html(
        '<span class="slds-icon_container{}"><svg class="slds-icon slds-icon_{}{}"'
        ' aria-hidden="true"><use href="{}#{}"></use></svg>{}</span>',
        tile,
        size,
        fill,
        _sprite_url(sprite),
        name,
        assistive,
    )


# SLDS's class for each kind of widget (BoundField.widget_type); text-like inputs are slds-input.
_SLDS_CONTROL_CLASS = {
    "select": "slds-select",
    "selectmultiple": "slds-select",
    "nullbooleanselect": "slds-select",
    "textarea": "slds-textarea",
    "checkbox": "",
    # SLDS styles no native file input; chatterorg.css gives its button the neutral look.
    "clearablefile": "co-file-input",
    "file": "co-file-input",
}


@register.filter
def slds_control(field: BoundField) -> SafeString:
    """The field's widget with SLDS's class for its kind (slds-input, slds-select,
    slds-textarea), keeping the widget's own attributes and Django's aria-describedby."""
    css = _SLDS_CONTROL_CLASS.get(field.widget_type, "slds-input")
    own = field.field.widget.attrs.get("class", "")
    attrs: dict[str, str | bool] = {"class": f"{own} {css}".strip()} if css or own else {}
    return SafeString(field.as_widget(attrs=attrs))


@register.simple_tag(takes_context=True)
def quick_find_hidden(context: template.Context, *labels: str) -> str:
    """`` hidden`` on a Setup tree entry that none of ``labels`` matches the Quick Find
    text (``?quick_find=``) in: the no-JavaScript Quick Find (lightning.js filters live)."""
    request = context.get("request")
    needle = request.GET.get("quick_find", "").strip().lower() if request is not None else ""
    if not needle or any(needle in label.lower() for label in labels):
        return ""
    return " hidden"


# --- Fragment caches -------------------------------------------------------------------

# What ``{% csrf_token %}`` writes inside a cached fragment instead of the viewer's
# token. A ``<`` in an attribute value never comes from escaped content, so the
# mark can only be the tag's own output.
_CSRF_MARK = SafeString("<!--csrf-->")
_CSRF_MARKED_INPUT = CsrfTokenNode().render(Context({"csrf_token": _CSRF_MARK}))
FRAGMENT_TIMEOUT = 60 * 60 * 24


class FragmentCacheNode(template.Node):
    def __init__(self, nodelist: template.NodeList, key: FilterExpression) -> None:
        self.nodelist = nodelist
        self.key = key

    def render(self, context: Context) -> SafeString:
        key = self.key.resolve(context)
        if not key:  # no key: nothing cached (a page without versions)
            return self.nodelist.render(context)
        cache_key = "fragment:" + hashlib.sha256(str(key).encode()).hexdigest()
        cache = caches["default"]
        html = cache.get(cache_key)
        if html is None:
            with context.push(csrf_token=_CSRF_MARK):
                html = str(self.nodelist.render(context))
            cache.set(cache_key, html, FRAGMENT_TIMEOUT)
        if _CSRF_MARKED_INPUT in html:
            # The viewer's token, rendered once for every form of the fragment.
            html = html.replace(_CSRF_MARKED_INPUT, CsrfTokenNode().render(context))
        return SafeString(html)


@register.tag("fragment_cache")
def fragment_cache(parser: template.base.Parser, token: template.base.Token) -> FragmentCacheNode:
    """``{% fragment_cache key %}…{% endfragment_cache %}``: the block's HTML cached under ``key``.

    ``key`` must name every version and every trait of the viewer the block
    shows (see ``chatterorg.fragments``); the block's ``{% csrf_token %}`` are
    never cached: each page puts the viewer's own token in.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("fragment_cache takes one argument: the key")
    nodelist = parser.parse(("endfragment_cache",))
    parser.delete_first_token()
    return FragmentCacheNode(nodelist, parser.compile_filter(bits[1]))
