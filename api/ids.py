"""Salesforce record IDs for the org's rows.

An ID is the object's 3-character key prefix, the row's primary key in base 62
over 12 characters (so it is stable for the row's life), and for the
18-character form a 3-character suffix that makes it case-insensitive, computed
as Salesforce does: for each 5-character chunk of the 15, a bit per uppercase
letter, read as an index into ``A``–``Z0``–``5``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from accounts.formula.functions import casesafe_suffix

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
BODY_LENGTH = 12
ID_RE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-5]{3})?$")

# Salesforce's published key prefixes for the objects the org has.
PREFIXES: dict[str, str] = {
    "User": "005",
    "Profile": "00e",
    "PermissionSet": "0PS",
    "PermissionSetAssignment": "0Pa",
    "CollaborationGroup": "0F9",
    "CollaborationGroupMember": "0FB",
    "CollaborationInvitation": "0H1",
    "Organization": "00D",
    "FeedItem": "0D5",
    "FeedComment": "0D7",
}
OBJECT_BY_PREFIX = {prefix: name for name, prefix in PREFIXES.items()}


class MalformedId(ValueError):
    """Not a Salesforce ID, or not one of this object's."""


def _suffix(id15: str) -> str:
    # The formula function CASESAFEID computes the same suffix: one algorithm.
    return casesafe_suffix(id15)


@lru_cache(maxsize=8192)
def sf_id(object_name: str, pk: int | None) -> str | None:
    """The 18-character ID of row ``pk`` of ``object_name`` (None for no row).

    Kept for the last 8,192 rows asked about: a page of records names each row's ID
    twice (its Id and its URL) and the same few parents (profiles, groups) on many rows.
    """
    if pk is None:
        return None
    number, body = int(pk), ""
    while number:
        number, digit = divmod(number, 62)
        body = ALPHABET[digit] + body
    id15 = PREFIXES[object_name] + body.rjust(BODY_LENGTH, "0")
    return id15 + _suffix(id15)


def sf_id_parse(value: str) -> tuple[str, int]:
    """``(object name, primary key)`` of a 15- or 18-character ID (``MalformedId``)."""
    if not isinstance(value, str) or not ID_RE.match(value):
        raise MalformedId(value)
    id15 = value[:15]
    # The suffix says which letters are uppercase: it restores a case-folded ID.
    if len(value) == 18 and value[15:].upper() != _suffix(id15):
        folded = _refold(value)
        if folded is None:
            raise MalformedId(value)
        id15 = folded
    name = OBJECT_BY_PREFIX.get(id15[:3])
    if name is None:
        raise MalformedId(value)
    number = 0
    for char in id15[3:]:
        number = number * 62 + ALPHABET.index(char)
    return name, number


def _refold(value: str) -> str | None:
    suffix = value[15:].upper()
    chars = list(value[:15])
    for chunk, symbol in enumerate(suffix):
        bits = SUFFIX_ALPHABET.find(symbol)
        if bits < 0:
            return None
        for position in range(5):
            index = chunk * 5 + position
            upper = bool(bits & (1 << position))
            chars[index] = chars[index].upper() if upper else chars[index].lower()
    id15 = "".join(chars)
    return id15 if _suffix(id15) == suffix else None


def sf_pk(object_name: str, value: str) -> int:
    """The primary key an ID of ``object_name`` names (``MalformedId`` for any other)."""
    name, pk = sf_id_parse(value)
    if name != object_name:
        raise MalformedId(value)
    return pk
