"""SOQL's errors: a Salesforce error code and Salesforce's message, with the position."""

from __future__ import annotations


class SoqlError(Exception):
    """A query Salesforce would refuse: ``code`` is its errorCode (MALFORMED_QUERY,
    INVALID_FIELD, INVALID_TYPE, INVALID_QUERY_FILTER_OPERATOR, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def located(text: str, line: int, column: int, message: str) -> str:
    """Salesforce's layout: the query's line, a caret under the column, then the message."""
    lines = text.splitlines() or [""]
    source = lines[line - 1] if 0 < line <= len(lines) else lines[-1]
    caret = " " * max(column - 1, 0) + "^"
    return f"\n{source}\n{caret}\nERROR at Row:{line}:Column:{column}\n{message}"


class Position:
    """Where a name or a value sits in the query text, for located errors."""

    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column
