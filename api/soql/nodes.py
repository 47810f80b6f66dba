"""The syntax tree of a SOQL query: what the parser produces and the compiler reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from api.soql.errors import Position

NOWHERE = Position(1, 1)


@dataclass(frozen=True)
class Name:
    """A field path as written (``Owner.Name``), with its position."""

    text: str
    at: Position = field(default=NOWHERE, compare=False)

    @property
    def parts(self) -> list[str]:
        return self.text.split(".")


@dataclass(frozen=True)
class Literal:
    """A value: ``kind`` is string, number, datetime, date, boolean, null, date_literal."""

    kind: str
    value: str | Decimal | datetime | bool | None
    # For date literals: the literal's name and its N (LAST_N_DAYS:7).
    n: int | None = None
    at: Position = field(default=NOWHERE, compare=False)
    # A string's text between the quotes, escapes undecoded (LIKE reads \\% and \\_).
    raw: str = field(default="", compare=False)


@dataclass(frozen=True)
class FieldItem:
    name: Name


@dataclass(frozen=True)
class Aggregate:
    function: str  # COUNT, COUNT_DISTINCT, MIN, MAX, SUM, AVG (upper case)
    argument: Name | None
    at: Position = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class AggregateItem:
    aggregate: Aggregate
    alias: Name | None


@dataclass(frozen=True)
class ChildItem:
    query: Query


SelectItem = FieldItem | AggregateItem | ChildItem


@dataclass(frozen=True)
class Compare:
    name: Name
    operator: str  # = != < <= > >= LIKE
    value: Literal


@dataclass(frozen=True)
class InValues:
    name: Name
    values: tuple[Literal, ...]
    negated: bool = False
    # INCLUDES / EXCLUDES rather than IN / NOT IN.
    multipicklist: bool = False


@dataclass(frozen=True)
class SemiJoin:
    name: Name
    query: Query
    negated: bool = False


@dataclass(frozen=True)
class Not:
    condition: Condition


@dataclass(frozen=True)
class Junction:
    operator: str  # AND, OR
    conditions: tuple[Condition, ...]


Condition = Compare | InValues | SemiJoin | Not | Junction


@dataclass(frozen=True)
class OrderItem:
    target: Name | Aggregate
    descending: bool = False
    nulls_first: bool | None = None


@dataclass(frozen=True)
class Query:
    select: tuple[SelectItem, ...]
    source: Name
    where: Condition | None = None
    group_by: tuple[Name, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
