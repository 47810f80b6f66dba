"""Exceptions raised by the formula engine.

Callers (validation rules) catch these classes and nothing else: a formula is
admin-written text, so every way it can go wrong must surface as one of them rather than
as an arbitrary Python exception.
"""

from __future__ import annotations

from typing import Self


class FormulaError(Exception):
    """Common base so callers can catch every formula failure at once."""


class FormulaSyntaxError(FormulaError):
    """The formula text cannot be compiled.

    Carries a Salesforce-like ``message`` plus where it went wrong: ``position`` is a
    0-based character offset, ``line`` and ``column`` are 1-based, for an editor to point
    at the offending character.
    """

    def __init__(self, message: str, position: int = 0, line: int = 1, column: int = 1) -> None:
        super().__init__(message, position, line, column)
        self.message = message
        self.position = position
        self.line = line
        self.column = column

    @classmethod
    def at(cls, message: str, source: str, position: int) -> Self:
        """Build the error for ``position`` in ``source``, working out line and column."""
        position = max(0, min(position, len(source)))
        line = source.count("\n", 0, position) + 1
        column = position - (source.rfind("\n", 0, position) + 1) + 1
        return cls(message, position, line, column)

    def __str__(self) -> str:
        return f"{self.message} (at line {self.line}, column {self.column})"


class FormulaTypeError(FormulaSyntaxError):
    """The formula parses but Salesforce would refuse to save it: a parameter, operator
    or result of the wrong type, or a picklist field outside the functions that accept
    one. Raised by ``parse`` when given a schema (or an expected result type)."""


class FormulaRuntimeError(FormulaError):
    """The formula compiled but could not be evaluated against this record.

    Examples: VALUE("abc"), division by zero, a text value where a number is required.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FormulaLimitError(FormulaRuntimeError):
    """Evaluation exceeded a resource limit (steps, text size, number size, regex time).

    A subclass of FormulaRuntimeError because, to a validation rule, it is simply a formula
    that could not be evaluated; it is distinct so that it can be logged as suspicious.
    """
