"""SOQL text into a ``Query``.

The grammar (grammar.lark) is compiled once per process into an LALR parser with a
contextual lexer. Whatever the input, parsing fails only with ``SoqlError``: the text
is capped at Salesforce's 100,000 characters, parenthesis nesting is measured before
Lark runs, and Lark's errors are translated into Salesforce's MALFORMED_QUERY wording
with the row and column.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedToken,
    VisitError,
)

from api.soql.dates import DATE_LITERALS, DATE_N_LITERALS
from api.soql.errors import Position, SoqlError, located
from api.soql.nodes import (
    Aggregate,
    AggregateItem,
    ChildItem,
    Compare,
    Condition,
    FieldItem,
    InValues,
    Junction,
    Literal,
    Name,
    Not,
    OrderItem,
    Query,
    SelectItem,
    SemiJoin,
)

#: Salesforce's limit on the length of a SOQL statement.
MAX_QUERY_LENGTH = 100_000
#: Deepest parenthesis nesting accepted (keeps the compiler's recursion shallow).
MAX_NESTING_DEPTH = 50

_GRAMMAR = Path(__file__).with_name("grammar.lark")
_SCAN = re.compile(r"'(?:[^'\\\n]|\\.)*'?|[()]")
_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "%": "%",
    "_": "_",
}


@functools.cache
def _lark() -> Lark:
    return Lark(
        _GRAMMAR.read_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=False,
        maybe_placeholders=True,
    )


def _at(token: Token) -> Position:
    return Position(token.line or 1, token.column or 1)


def _name(token: Token) -> Name:
    return Name(str(token), _at(token))


def string_decode(body: str, *, keep_like_escapes: bool = False) -> str:
    """A string literal's text between the quotes, its escapes decoded (ValueError for an
    unknown one). ``keep_like_escapes`` leaves ``\\%`` and ``\\_`` (and ``\\\\``) escaped
    for LIKE."""
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        escape = body[index + 1 : index + 2]
        if escape == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[index + 2 : index + 6]):
            out.append(chr(int(body[index + 2 : index + 6], 16)))
            index += 6
            continue
        if escape not in _ESCAPES:
            raise ValueError(escape)
        if keep_like_escapes and escape in "%_\\":
            out.append("\\" + escape)
        else:
            out.append(_ESCAPES[escape])
        index += 2
    return "".join(out)


def _datetime(text: str) -> datetime:
    match = re.fullmatch(
        r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):?(\d{2}))",
        text,
    )
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    zone = UTC
    if match.group(8) != "Z":
        offset = timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
        zone = timezone(-offset if match.group(9) == "-" else offset)
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)


class _Malformed(Exception):
    def __init__(self, token: Token, message: str) -> None:
        super().__init__(message)
        self.token = token
        self.message = message


class _ToNodes(Transformer[Token, Any]):
    def start(self, children: list[Any]) -> Query:
        return children[0]  # type: ignore[no-any-return]

    def query(self, c: list[Any]) -> Query:
        _select, items, _from, source, where, group_by, order_by, limit, offset = c
        return Query(
            select=tuple(items),
            source=_name(source),
            where=where,
            group_by=tuple(group_by or ()),
            order_by=tuple(order_by or ()),
            limit=limit,
            offset=offset,
        )

    def subquery(self, c: list[Any]) -> Query:
        _select, items, _from, source, where, order_by, limit = c
        return Query(
            select=tuple(items),
            source=_name(source),
            where=where,
            order_by=tuple(order_by or ()),
            limit=limit,
        )

    def semi_query(self, c: list[Any]) -> Query:
        _select, field, _from, source, where = c
        return Query(select=(FieldItem(_name(field)),), source=_name(source), where=where)

    def select_list(self, c: list[SelectItem]) -> list[SelectItem]:
        return c

    def field(self, c: list[Token]) -> FieldItem:
        return FieldItem(_name(c[0]))

    def aggregate(self, c: list[Any]) -> Aggregate:
        function, argument = c
        return Aggregate(
            str(function).upper(), _name(argument) if argument is not None else None, _at(function)
        )

    def aggregate_item(self, c: list[Any]) -> AggregateItem:
        aggregate, alias = c
        return AggregateItem(aggregate, _name(alias) if alias is not None else None)

    def child_item(self, c: list[Query]) -> ChildItem:
        return ChildItem(c[0])

    def where_clause(self, c: list[Any]) -> Condition:
        return c[1]  # type: ignore[no-any-return]

    def and_(self, c: list[Any]) -> Junction:
        return Junction("AND", tuple(x for x in c if not isinstance(x, Token)))

    def or_(self, c: list[Any]) -> Junction:
        return Junction("OR", tuple(x for x in c if not isinstance(x, Token)))

    def not_(self, c: list[Any]) -> Not:
        return Not(c[1])

    def compare(self, c: list[Any]) -> Compare:
        name, operator, value = c
        op = "!=" if str(operator) == "<>" else str(operator)
        return Compare(_name(name), op, value)

    def like(self, c: list[Any]) -> Compare:
        return Compare(_name(c[0]), "LIKE", c[2])

    def in_(self, c: list[Any]) -> InValues:
        return InValues(_name(c[0]), tuple(c[2]))

    def not_in(self, c: list[Any]) -> InValues:
        return InValues(_name(c[0]), tuple(c[3]), negated=True)

    def semi_join(self, c: list[Any]) -> SemiJoin:
        return SemiJoin(_name(c[0]), c[2])

    def anti_join(self, c: list[Any]) -> SemiJoin:
        return SemiJoin(_name(c[0]), c[3], negated=True)

    def includes(self, c: list[Any]) -> InValues:
        return InValues(_name(c[0]), tuple(c[2]), multipicklist=True)

    def excludes(self, c: list[Any]) -> InValues:
        return InValues(_name(c[0]), tuple(c[2]), negated=True, multipicklist=True)

    def values(self, c: list[Literal]) -> list[Literal]:
        return c

    def string(self, c: list[Token]) -> Literal:
        token = c[0]
        body = str(token)[1:-1]
        try:
            value = string_decode(body)
        except ValueError as exc:
            raise _Malformed(
                token,
                f"Invalid string literal '{body}'. Illegal character sequence '\\{exc}' in "
                "string literal.",
            ) from None
        # The raw text is kept for LIKE, where \% and \_ stay escaped.
        return Literal("string", value, at=_at(token), raw=body)

    def number(self, c: list[Token]) -> Literal:
        try:
            return Literal("number", Decimal(str(c[0])), at=_at(c[0]))
        except InvalidOperation:
            raise _Malformed(c[0], f"unexpected token: '{c[0]}'") from None

    def datetime(self, c: list[Token]) -> Literal:
        try:
            return Literal("datetime", _datetime(str(c[0])), at=_at(c[0]))
        except ValueError:
            raise _Malformed(c[0], f"line {c[0].line}:{c[0].column} no viable alternative "
                             f"at character '{c[0]}'") from None  # fmt: skip

    def date(self, c: list[Token]) -> Literal:
        try:
            value = datetime.strptime(str(c[0]), "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise _Malformed(c[0], f"unexpected token: '{c[0]}'") from None
        return Literal("date", value, at=_at(c[0]))

    def true(self, c: list[Token]) -> Literal:
        return Literal("boolean", True, at=_at(c[0]))

    def false(self, c: list[Token]) -> Literal:
        return Literal("boolean", False, at=_at(c[0]))

    def null(self, c: list[Token]) -> Literal:
        return Literal("null", None, at=_at(c[0]))

    def date_n(self, c: list[Token]) -> Literal:
        token = c[0]
        name, _, n = str(token).partition(":")
        if name.upper() not in DATE_N_LITERALS:
            raise _Malformed(token, f"unexpected token: '{token}'")
        return Literal("date_literal", name.upper(), n=int(n), at=_at(token))

    def date_literal(self, c: list[Token]) -> Literal:
        token = c[0]
        if str(token).upper() not in DATE_LITERALS:
            raise _Malformed(token, f"unexpected token: '{token}'")
        return Literal("date_literal", str(token).upper(), at=_at(token))

    def group_by(self, c: list[Token]) -> list[Name]:
        return [_name(t) for t in c[2:]]

    def order_by(self, c: list[Any]) -> list[OrderItem]:
        return [x for x in c[2:]]

    def order_item(self, c: list[Any]) -> OrderItem:
        target, direction, nulls, first_last = c
        return OrderItem(
            target=target if isinstance(target, Aggregate) else _name(target),
            descending=direction is not None and str(direction).upper() == "DESC",
            nulls_first=None if nulls is None else str(first_last).upper() == "FIRST",
        )

    def limit_clause(self, c: list[Token]) -> int:
        return int(c[1])

    def offset_clause(self, c: list[Token]) -> int:
        return int(c[1])


def _nesting(text: str) -> tuple[int, int]:
    """The deepest parenthesis nesting and where it is reached (outside string literals)."""
    depth = deepest = where = 0
    for match in _SCAN.finditer(text):
        token = match.group()
        if token == "(":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        elif token == ")":
            depth -= 1
    return deepest, where


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _malformed(text: str, line: int, column: int, message: str) -> SoqlError:
    return SoqlError("MALFORMED_QUERY", located(text, line, column, message))


def parse(text: str) -> Query:
    """The query ``text`` says (``SoqlError`` MALFORMED_QUERY for anything else)."""
    if not isinstance(text, str) or not text.strip():
        raise SoqlError("MALFORMED_QUERY", "SOQL statements cannot be empty or null")
    if len(text) > MAX_QUERY_LENGTH:
        raise SoqlError(
            "MALFORMED_QUERY",
            f"SOQL statements cannot be longer than {MAX_QUERY_LENGTH} characters",
        )
    deepest, where = _nesting(text)
    if deepest > MAX_NESTING_DEPTH:
        line, column = _position(text, where)
        raise _malformed(text, line, column, "expression is nested too deeply")
    try:
        tree = _lark().parse(text)
        query: Query = _ToNodes().transform(tree)
    except VisitError as exc:
        original = exc.orig_exc
        if isinstance(original, _Malformed):
            token = original.token
            raise _malformed(text, token.line or 1, token.column or 1, original.message) from None
        raise
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            line, column = _position(text, len(text.rstrip()))
            raise _malformed(text, line, column, "unexpected token: '<EOF>'") from None
        raise _malformed(
            text, token.line or 1, token.column or 1, f"unexpected token: '{token}'"
        ) from None
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        raise _malformed(
            text,
            exc.line,
            exc.column,
            f"line {exc.line}:{exc.column - 1} no viable alternative at character '{char}'",
        ) from None
    except UnexpectedEOF:
        line, column = _position(text, len(text.rstrip()))
        raise _malformed(text, line, column, "unexpected token: '<EOF>'") from None
    except LarkError as exc:  # any other refusal of Lark's is still the caller's query
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: {exc}") from None
    return query
