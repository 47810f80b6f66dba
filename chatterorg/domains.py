"""Email domains of the org's settings: the company's own, and the customer domain rule.

A pattern is a domain (``globex.example``: that domain only) or a wildcard
(``*.globex.example``: any subdomain of it, not the domain itself). Patterns and
addresses are compared in their IDNA form, lower-cased, so ``bücher.example``
and ``xn--bcher-kva.example`` are one domain.
"""

from __future__ import annotations

import functools
import re

from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domain_key(domain: str) -> str:
    """A domain in IDNA form, lower-cased; ValueError if it is not a valid domain name."""
    text = domain.strip().rstrip(".").lower()
    try:
        ascii_domain = text.encode("idna").decode("ascii").lower()
        ascii_domain.encode("ascii").decode("idna")
    except UnicodeError as exc:
        raise ValueError(f"Not a valid domain: {domain!r}") from exc
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"Not a valid domain: {domain!r}")
    return ascii_domain


def domain_patterns_parse(text: str) -> list[str]:
    """The patterns in ``text`` (commas, spaces or line breaks), normalised; ValidationError
    naming each one that is not a domain or ``*.`` and a domain."""
    patterns: list[str] = []
    bad: list[str] = []
    for piece in re.split(r"[\s,;]+", text or ""):
        if not piece:
            continue
        wildcard = piece.startswith("*.")
        try:
            key = domain_key(piece[2:] if wildcard else piece.lstrip("@"))
        except ValueError:
            bad.append(piece)
            continue
        pattern = f"*.{key}" if wildcard else key
        if pattern not in patterns:
            patterns.append(pattern)
    if bad:
        raise ValidationError(
            "Not a domain: %(bad)s. Enter domains like globex.example or *.globex.example.",
            code="bad_domain",
            params={"bad": ", ".join(bad)},
        )
    return patterns


@functools.lru_cache(maxsize=64)
def domain_patterns_cached(text: str) -> tuple[str, ...]:
    """``domain_patterns_parse`` of a saved setting (already valid), parsed once per process."""
    try:
        return tuple(domain_patterns_parse(text))
    except ValidationError:
        return ()


def domain_matches(domain: str, patterns: list[str]) -> bool:
    """``domain`` (an IDNA key, as ``email_key`` writes it) matches one of ``patterns``."""
    for pattern in patterns:
        if pattern.startswith("*."):
            if domain.endswith(pattern[1:]):
                return True
        elif domain == pattern:
            return True
    return False


def address_domain(key: str) -> str:
    """The domain part of an ``email_key``."""
    return key.rpartition("@")[2]
