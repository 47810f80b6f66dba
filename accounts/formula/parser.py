"""Parsing formula text into a Formula.

The grammar (grammar.lark) is compiled once per process into an LALR parser. Parsing is
guarded so that it can only ever fail with FormulaSyntaxError, whatever the input:

* the text length is capped (MAX_FORMULA_LENGTH, as in Salesforce);
* parenthesis nesting is measured by a cheap scan before Lark runs (MAX_NESTING_DEPTH);
* the tree is converted without recursion, and the resulting syntax tree's depth is capped
  (MAX_EXPRESSION_DEPTH) so the recursive evaluator stays far from Python's recursion limit;
* Lark's errors are translated into Salesforce-like messages with a position.

Functions are checked here (name, parameter count, field-reference arguments, literal
regular expressions), and field names against ``known_fields`` when given. With a
``schema`` (field and global names with their types) names are checked against it and
the tree is then type-checked (checker.py), so that every error Salesforce reports when a
formula is saved is reported here, before anything runs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lark import Lark, Token, Transformer_NonRecursive
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from .checker import RESULT_TYPES, Checker
from .errors import FormulaRuntimeError, FormulaSyntaxError
from .evaluator import Formula
from .functions import FUNCTIONS
from .nodes import Call, Chain, FieldRef, GlobalRef, Literal, Node, Power, Prefix
from .patterns import MAX_PATTERN_COST_PER_FORMULA, compile_pattern, pattern_cost
from .runtime import NUMBER_CONTEXT, SCHEMA_TYPES, Value, arithmetic

#: Salesforce's limit on the length of a formula.
MAX_FORMULA_LENGTH = 3_900
#: Deepest parenthesis nesting (grouping and function calls) accepted.
MAX_NESTING_DEPTH = 64
#: Deepest syntax tree accepted; bounds the evaluator's recursion.
MAX_EXPRESSION_DEPTH = 100

_GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
# Tokens that can hide parentheses (text literals, comments) and the parentheses
# themselves. An unterminated literal or comment runs to the end of the text; the named
# groups are empty exactly when it is unterminated.
_SCAN = re.compile(
    r""""(?:[^"\\]|\\.)*(?P<double>"?)|'(?:[^'\\]|\\.)*(?P<single>'?)"""
    r"""|/\*.*?(?P<comment>\*/|\Z)|[()]""",
    re.DOTALL,
)
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_KEYWORDS: dict[str, Value] = {"true": True, "false": False, "null": None}
# Equivalent spellings of the same operator.
_OPERATOR_ALIASES = {"==": "=", "!=": "<>"}


@functools.cache
def _lark() -> Lark:
    """The process-wide parser, built on first use (building takes tens of milliseconds).

    Positions come from the tokens, which always carry them; ``propagate_positions``
    would add nothing but roughly doubles parsing time.
    """
    return Lark(
        _GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        maybe_placeholders=True,
    )


def parse(
    text: str,
    *,
    known_fields: Iterable[str] | None = None,
    known_globals: Iterable[str] | None = None,
    schema: Mapping[str, str] | None = None,
    result: str | None = None,
) -> Formula:
    """Parse ``text`` into a Formula, or raise FormulaSyntaxError.

    With ``known_fields`` (dotted names allowed) or ``known_globals`` ("$User.UserType"),
    references to other names are errors. Names match case-insensitively, as Salesforce
    API names do, and are stored in the spelling given in those lists.

    ``schema`` replaces both lists and gives each name its type: it maps record fields
    ("Department", "Profile.Name") and globals ("$User.Department", "$Permission.X") to a
    type name (see SCHEMA_TYPES: "text", "picklist", "number", "checkbox", "date"...;
    "$Permission.*" globals are always checkbox). The formula is then type-checked and
    type errors raise FormulaTypeError (a FormulaSyntaxError). ``result`` ("checkbox" for
    a validation rule, or "text", "number", "date", "datetime", "time") is the type the
    formula must return; it type-checks the formula even without a schema (fields are
    then of unknown type). ``Formula.result_type`` tells the inferred type.
    """
    if not isinstance(text, str):
        raise TypeError("formula text must be a str")
    if schema is not None and (known_fields is not None or known_globals is not None):
        raise TypeError("pass either schema or known_fields/known_globals, not both")
    if result is not None and result.casefold() not in RESULT_TYPES:
        raise ValueError(f"Unknown result type {result!r}; expected one of {sorted(RESULT_TYPES)}")
    declared = _declared(schema) if schema is not None else None
    if declared is not None:
        known_fields = [name for name in declared if not name.startswith("$")]
        known_globals = [name for name in declared if name.startswith("$")]
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaSyntaxError.at(
            f"Formula is too long ({len(text):,} characters). "
            f"Maximum length is {MAX_FORMULA_LENGTH:,} characters.",
            text,
            MAX_FORMULA_LENGTH,
        )
    if not text.strip():
        raise FormulaSyntaxError.at("Syntax error. The formula is empty", text, 0)
    _check_nesting(text)
    try:
        tree = _lark().parse(text)
    except LarkError as exc:
        raise _translate(exc, text) from None
    builder = _Builder(text, _canonical(known_fields), _canonical(known_globals))
    try:
        root: Node = builder.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, FormulaSyntaxError):
            raise exc.orig_exc from None
        raise
    fields, globals_ = frozenset(builder.fields), frozenset(builder.globals)
    if declared is None and result is None:
        return Formula(text, root, fields, globals_)
    field_types = {name: declared[name] for name in fields | globals_} if declared else {}
    checker = Checker(text, {name: SCHEMA_TYPES[kind] for name, kind in field_types.items()})
    result_type = checker.check(root)
    if result is not None:
        checker.check_result(result_type, result.casefold())
    return Formula(
        text,
        root,
        fields,
        globals_,
        field_types=MappingProxyType(field_types),
        result_type=result_type,
        text_nodes=frozenset(checker.text_nodes),
    )


def _declared(schema: Mapping[str, str]) -> dict[str, str]:
    """The schema with validated, lower-case type names; $Permission globals are checkbox."""
    declared: dict[str, str] = {}
    for name, kind in schema.items():
        if not isinstance(name, str) or not isinstance(kind, str):
            raise TypeError("schema must map names (str) to type names (str)")
        normalised = kind.casefold()
        if normalised not in SCHEMA_TYPES:
            raise ValueError(
                f"Unknown type {kind!r} for {name}; expected one of {sorted(SCHEMA_TYPES)}"
            )
        if name.casefold().startswith("$permission."):
            normalised = "checkbox"
        declared[name] = normalised
    return declared


def _canonical(names: Iterable[str] | None) -> dict[str, str] | None:
    return None if names is None else {name.casefold(): name for name in names}


def _check_nesting(text: str) -> None:
    depth = 0
    for match in _SCAN.finditer(text):
        token = match.group()
        if token == "(":
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                raise FormulaSyntaxError.at(
                    f"Formula is nested too deeply. Maximum nesting is "
                    f"{MAX_NESTING_DEPTH} levels of parentheses.",
                    text,
                    match.start(),
                )
        elif token == ")":
            depth -= 1


def _open_parentheses_before(text: str, position: int) -> int:
    depth = 0
    for match in _SCAN.finditer(text, 0, position):
        depth += {"(": 1, ")": -1}.get(match.group(), 0)
    return depth


def _unterminated(text: str, before: int) -> FormulaSyntaxError | None:
    """The error for a text literal or comment left open at or before ``before``, if any.

    Such a token swallows the rest of the formula, so the parser only notices later on;
    the author needs to be pointed at where it starts.
    """
    for match in _SCAN.finditer(text):
        if match.start() > before:
            return None
        if match.group("double") == "" or match.group("single") == "":
            return FormulaSyntaxError.at("Syntax error. Missing closing quote", text, match.start())
        if match.group("comment") == "":
            return FormulaSyntaxError.at(
                "Syntax error. Missing '*/' to close the comment", text, match.start()
            )
    return None


def _shown(text: str) -> str:
    """Quote a piece of the formula for a message: short, printable."""
    if len(text) > 30:
        text = text[:30] + "..."
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


def _translate(exc: LarkError, text: str) -> FormulaSyntaxError:
    """Turn a Lark parse error into a Salesforce-like FormulaSyntaxError."""
    if isinstance(exc, UnexpectedInput):
        at_end = isinstance(exc, UnexpectedEOF) or (
            isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
        )
        position = len(text) if at_end else exc.pos_in_stream or 0
        unterminated = _unterminated(text, position)
        if unterminated is not None:
            return unterminated
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        message = f"Syntax error. Found '{_shown(text[position])}'"
        return FormulaSyntaxError.at(message, text, position)
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token = exc.token
        position = token.start_pos if token.start_pos is not None else 0
        if token.type == "RPAR" and _open_parentheses_before(text, position) <= 0:
            message = "Syntax error. Extra ')'"
        elif token.type == "COMMA":
            message = "Syntax error. Extra ','"
        else:
            message = f"Syntax error. Found '{_shown(str(token))}'"
        return FormulaSyntaxError.at(message, text, position)
    if isinstance(exc, (UnexpectedToken, UnexpectedEOF)):
        # The input ended early; point just past its last character.
        position = len(text.rstrip())
        if "RPAR" in exc.expected and _open_parentheses_before(text, len(text)) > 0:
            message = "Syntax error. Missing ')'"
        else:
            message = "Syntax error. The formula ends unexpectedly"
        return FormulaSyntaxError.at(message, text, position)
    return FormulaSyntaxError.at("Syntax error", text, 0)


def _position(token: Token) -> int:
    return token.start_pos if token.start_pos is not None else 0


class _Builder(Transformer_NonRecursive[Token, Node]):
    """Builds the syntax tree from Lark's parse tree, bottom-up and without recursion.

    Also validates names and records the referenced fields and globals. Callbacks receive
    their children already converted.
    """

    def __init__(
        self, source: str, fields: dict[str, str] | None, globals_: dict[str, str] | None
    ) -> None:
        super().__init__(visit_tokens=False)
        self._source = source
        self._known_fields = fields
        self._known_globals = globals_
        self.fields: set[str] = set()
        self.globals: set[str] = set()
        self._pattern_cost = 0

    def _error(self, message: str, position: int) -> FormulaSyntaxError:
        return FormulaSyntaxError.at(message, self._source, position)

    def _depth(self, position: int, *children: Node) -> int:
        """Depth of a new node over ``children``, refusing trees too deep to evaluate."""
        depth = 1 + max((child.depth for child in children), default=0)
        if depth > MAX_EXPRESSION_DEPTH:
            raise self._error(
                f"Formula is too complex. Maximum nesting is {MAX_EXPRESSION_DEPTH} "
                "levels of operators and functions.",
                position,
            )
        return depth

    # --- leaves ----------------------------------------------------------------------

    def number(self, children: list[Token]) -> Node:
        token = children[0]
        try:
            value = arithmetic(NUMBER_CONTEXT.plus, Decimal(str(token)))
        except FormulaRuntimeError as exc:
            raise self._error(exc.message, _position(token)) from None
        return Literal(value, _position(token))

    def string(self, children: list[Token]) -> Node:
        token = children[0]
        start = _position(token)
        body = str(token)[1:-1]
        parts: list[str] = []
        index = 0
        while (backslash := body.find("\\", index)) >= 0:
            parts.append(body[index:backslash])
            escaped = body[backslash + 1]  # the grammar guarantees a following character
            if escaped not in _ESCAPES:
                raise self._error(
                    f"Syntax error. Invalid escape sequence '\\{_shown(escaped)}'",
                    start + 1 + backslash,
                )
            parts.append(_ESCAPES[escaped])
            index = backslash + 2
        parts.append(body[index:])
        return Literal("".join(parts), start)

    def name(self, children: list[Token]) -> Node:
        token = children[0]
        text = str(token)
        folded = text.casefold()
        if folded in _KEYWORDS:  # TRUE, FALSE, NULL in any case
            return Literal(_KEYWORDS[folded], _position(token))
        if self._known_fields is not None:
            if folded not in self._known_fields:
                raise self._error(f"Field {text} does not exist. Check spelling.", _position(token))
            text = self._known_fields[folded]
        self.fields.add(text)
        return FieldRef(text, _position(token))

    def global_name(self, children: list[Token]) -> Node:
        token = children[0]
        text = str(token)
        if self._known_globals is not None:
            folded = text.casefold()
            if folded not in self._known_globals:
                raise self._error(f"Field {text} does not exist. Check spelling.", _position(token))
            text = self._known_globals[folded]
        self.globals.add(text)
        return GlobalRef(text, _position(token))

    def _check_pattern(self, pattern: str, position: int) -> None:
        """Compile a literal REGEX pattern now: errors belong to the author, at parse time."""
        try:
            self._pattern_cost += pattern_cost(pattern)
            if self._pattern_cost > MAX_PATTERN_COST_PER_FORMULA:
                raise FormulaRuntimeError("Regular expressions in this formula are too complex")
            compile_pattern(pattern)
        except FormulaRuntimeError as exc:
            raise self._error(exc.message, position) from None

    # --- compound nodes ------------------------------------------------------------

    def arguments(self, children: list[Node]) -> tuple[Node, ...]:
        return tuple(children)

    def call(self, children: list[Any]) -> Node:
        token: Token = children[0]
        args: tuple[Node, ...] = children[1] or ()
        name = str(token).upper()
        position = _position(token)
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise self._error(f"Unknown function {token}. Check spelling.", position)
        problem = spec.arity_problem(len(args))
        if problem is not None:
            raise self._error(
                f"Incorrect number of parameters for function '{name}()'. "
                f"{problem}, received {len(args)}",
                position,
            )
        if spec.needs_field and not isinstance(args[0], FieldRef):
            raise self._error(
                f"Function {name}() requires a field reference, such as {name}(Department)",
                args[0].position,
            )
        if name == "REGEX" and isinstance(args[1], Literal) and isinstance(args[1].value, str):
            self._check_pattern(args[1].value, args[1].position)
        return Call(name, args, position, self._depth(position, *args))

    def chain(self, children: list[Any]) -> Node:
        first: Node = children[0]
        rest = tuple(
            (_OPERATOR_ALIASES.get(str(op), str(op)), operand)
            for op, operand in zip(children[1::2], children[2::2], strict=True)
        )
        operands = [operand for _, operand in rest]
        return Chain(first, rest, first.position, self._depth(first.position, first, *operands))

    # One rule per precedence level in the grammar; all are chains of binary operators.
    or_expr = and_expr = eq_expr = rel_expr = add_expr = mul_expr = chain

    def pow_expr(self, children: list[Any]) -> Node:
        operands: tuple[Node, ...] = tuple(children[0::2])
        position = operands[0].position
        return Power(operands, position, self._depth(position, *operands))

    def prefix(self, children: list[Any]) -> Node:
        operators = tuple(str(op) for op in children[:-1])
        operand: Node = children[-1]
        position = _position(children[0])
        return Prefix(operators, operand, position, self._depth(position, operand))
