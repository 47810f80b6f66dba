"""Email addresses of an invite: parsed from the form's text or a list, checked once."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from accounts.models import email_key

MAX_ADDRESSES = 100
MAX_ADDRESS_LENGTH = 240

_validate_email = EmailValidator()
# `Name <address>` and `"Last, First" <address>`: the address is what the brackets hold.
_NAMED = re.compile(r"^[^<>]*<([^<>]*)>$", re.DOTALL)


def _split(text: str) -> list[str]:
    """Split on commas, semicolons and line breaks, except inside double quotes.

    Line breaks always split, so no piece can carry CR or LF into a header.
    """
    pieces: list[str] = []
    for line in text.splitlines():
        current: list[str] = []
        quoted = False
        for char in line:
            if char == '"':
                quoted = not quoted
            elif char in ",;" and not quoted:
                pieces.append("".join(current))
                current = []
                continue
            current.append(char)
        pieces.append("".join(current))
    return [piece.strip() for piece in pieces if piece.strip()]


def address_normalise(raw: str) -> str:
    """One address, trimmed, with its domain lower-cased; ValidationError if it is not valid.

    The local part keeps its spelling: mail servers may treat it case-sensitively.
    A domain that is not a valid IDN (``email_key`` can't encode it) is invalid.
    """
    piece = raw.strip()
    named = _NAMED.match(piece)
    if named:
        piece = named.group(1).strip()
    if "\r" in piece or "\n" in piece:
        raise ValidationError("%(address)s: line breaks are not allowed.", params={"address": raw})
    local, at, domain = piece.rpartition("@")
    address = f"{local}{at}{domain.lower()}" if at else piece
    if len(address) > MAX_ADDRESS_LENGTH:
        raise ValidationError(
            "%(address)s: an address can have at most %(limit)d characters.",
            params={"address": _shorten(raw), "limit": MAX_ADDRESS_LENGTH},
        )
    try:
        _validate_email(address)
        email_key(address)
    except (ValidationError, ValueError):
        raise ValidationError(
            "%(address)s: enter a valid email address.", params={"address": _shorten(raw)}
        ) from None
    return address


def _shorten(text: str) -> str:
    return text if len(text) <= 80 else f"{text[:77]}..."


def addresses_split(text: str, *, limit: int = MAX_ADDRESSES) -> list[str]:
    """The pieces of a pasted list (commas, semicolons, line breaks), one address each.

    A paste far beyond ``limit`` is refused before each piece is validated.
    """
    pieces = _split(text)
    if len(pieces) > 10 * limit:
        raise _too_many(limit)
    return pieces


def addresses_parse(text: str) -> list[str]:
    """The distinct valid addresses in ``text`` (commas, semicolons, line breaks), in order.

    See ``addresses_clean``.
    """
    return addresses_clean(addresses_split(text))


def addresses_clean(pieces: Sequence[str]) -> list[str]:
    """The distinct valid addresses among ``pieces`` (one address each), in the order given.

    Duplicates (the same ``email_key``: case, IDN spellings) are dropped, keeping
    the first spelling. If
    any address is invalid, ValidationError lists each one, so nothing is sent
    for a half-valid list; so it does for none, or more than ``MAX_ADDRESSES``.
    """
    addresses, errors = addresses_partition(pieces)
    if errors:
        raise ValidationError(errors)
    return addresses_count_check(addresses)


def addresses_count_check(addresses: list[str]) -> list[str]:
    """``addresses`` if there is at least one and at most ``MAX_ADDRESSES``."""
    if not addresses:
        raise ValidationError("Enter at least one email address.", code="required")
    if len(addresses) > MAX_ADDRESSES:
        raise _too_many()
    return addresses


def addresses_partition(pieces: Sequence[str]) -> tuple[list[str], list[ValidationError]]:
    """The distinct valid addresses among ``pieces``, and one error per distinct invalid one.

    For "Send to the N valid addresses": the caller decides whether errors refuse it all.
    """
    if len(pieces) > 10 * MAX_ADDRESSES:
        raise _too_many()
    addresses: list[str] = []
    seen: set[str] = set()
    errors: list[ValidationError] = []
    error_seen: set[str] = set()
    for piece in pieces:
        try:
            address = address_normalise(piece)
        except ValidationError as error:
            if piece not in error_seen:
                error_seen.add(piece)
                errors.append(error)
            continue
        key = email_key(address)
        if key not in seen:
            seen.add(key)
            addresses.append(address)
    return addresses, errors


def _too_many(limit: int = MAX_ADDRESSES) -> ValidationError:
    return ValidationError(
        "You can invite at most %(limit)d people at a time.",
        code="too_many",
        params={"limit": limit},
    )
