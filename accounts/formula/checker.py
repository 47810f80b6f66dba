"""Static type checking of a parsed formula, as Salesforce checks a formula when it is saved.

Given the type of every field and global (a schema), the checker infers the type of every
node of the syntax tree bottom-up and reports, before anything runs, what Salesforce
reports at save: wrong parameter types for functions and operators, picklist fields used
outside the functions that accept them, branches of IF or CASE of different types, and a
result of the wrong type. Errors are FormulaTypeError, with the position of the offending
node, in Salesforce's wording.

Types are Salesforce's names: Text, Number, Boolean, Date, DateTime, Time, Picklist and
MultiPicklist, plus two of the checker's own: Null (the NULL literal, compatible with
anything) and Any (a field whose type is unknown, which is not checked).

The runtime agrees with the checker: a formula that passes never meets, at run time, a
value of a type its operators and functions do not accept, as long as the fields hold
values of their declared types (the evaluator converts and checks them on reading).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import FormulaTypeError
from .nodes import Call, Chain, FieldRef, GlobalRef, Literal, Node, Power, Prefix
from .runtime import SCHEMA_TYPES, Value

TEXT = "Text"
NUMBER = "Number"
BOOLEAN = "Boolean"
DATE = "Date"
DATETIME = "DateTime"
TIME = "Time"
PICKLIST = "Picklist"
MULTIPICKLIST = "MultiPicklist"
NULL = "Null"
ANY = "Any"

#: Result types a caller may ask for (``parse(..., result="checkbox")``), and how
#: Salesforce names them in "incompatible with expected data type (...)".
RESULT_TYPES: dict[str, tuple[str, str]] = {
    "checkbox": (BOOLEAN, "true or false"),
    "boolean": (BOOLEAN, "true or false"),
    "text": (TEXT, TEXT),
    "number": (NUMBER, NUMBER),
    "percent": (NUMBER, NUMBER),
    "currency": (NUMBER, NUMBER),
    "date": (DATE, DATE),
    "datetime": (DATETIME, DATETIME),
    "time": (TIME, TIME),
}

_PICKLISTS = (PICKLIST, MULTIPICKLIST)
_FLEXIBLE = (NULL, ANY)
_EVERYTHING = (NUMBER, TEXT, DATE, DATETIME, TIME, BOOLEAN, PICKLIST, MULTIPICKLIST)

T = (TEXT,)
N = (NUMBER,)
B = (BOOLEAN,)
D = (DATE,)
TM = (TIME,)


@dataclass(frozen=True)
class Signature:
    """Accepted types of each parameter (``rest`` for any further ones) and the result."""

    params: tuple[tuple[str, ...], ...]
    result: str
    rest: tuple[str, ...] | None = None

    def accepted(self, index: int) -> tuple[str, ...]:
        if index < len(self.params):
            return self.params[index]
        return self.rest or ()


def _sig(result: str, *params: tuple[str, ...], rest: tuple[str, ...] | None = None) -> Signature:
    return Signature(params, result, rest)


#: Functions whose parameter types are fixed. IF, CASE, NULLVALUE, BLANKVALUE, ADDMONTHS,
#: PRIORVALUE and ISCHANGED are checked by hand (their result depends on their arguments).
SIGNATURES: dict[str, Signature] = {
    "AND": _sig(BOOLEAN, rest=B),
    "OR": _sig(BOOLEAN, rest=B),
    "NOT": _sig(BOOLEAN, B),
    "ISBLANK": _sig(BOOLEAN, _EVERYTHING),
    "ISNULL": _sig(BOOLEAN, (NUMBER, TEXT, DATE, DATETIME, TIME, BOOLEAN)),
    "ISPICKVAL": _sig(BOOLEAN, (PICKLIST,), T),
    "ISNEW": _sig(BOOLEAN),
    "ISCLONE": _sig(BOOLEAN),
    "TEXT": _sig(TEXT, (NUMBER, TEXT, DATE, DATETIME, TIME, PICKLIST)),
    "LEN": _sig(NUMBER, T),
    "CONTAINS": _sig(BOOLEAN, T, T),
    "BEGINS": _sig(BOOLEAN, T, T),
    "REGEX": _sig(BOOLEAN, T, T),
    "UPPER": _sig(TEXT, T),
    "LOWER": _sig(TEXT, T),
    "TRIM": _sig(TEXT, T),
    "LEFT": _sig(TEXT, T, N),
    "RIGHT": _sig(TEXT, T, N),
    "MID": _sig(TEXT, T, N, N),
    "FIND": _sig(NUMBER, T, T, N),
    "SUBSTITUTE": _sig(TEXT, T, T, T),
    "VALUE": _sig(NUMBER, T),
    "ISNUMBER": _sig(BOOLEAN, T),
    "LPAD": _sig(TEXT, T, N, T),
    "RPAD": _sig(TEXT, T, N, T),
    "BR": _sig(TEXT),
    "HYPERLINK": _sig(TEXT, T, T, T),
    "CASESAFEID": _sig(TEXT, T),
    "INCLUDES": _sig(BOOLEAN, (MULTIPICKLIST,), T),
    "PICKLISTCOUNT": _sig(NUMBER, (MULTIPICKLIST,)),
    "MOD": _sig(NUMBER, N, N),
    "ABS": _sig(NUMBER, N),
    "ROUND": _sig(NUMBER, N, N),
    "TRUNC": _sig(NUMBER, N, N),
    "CEILING": _sig(NUMBER, N),
    "FLOOR": _sig(NUMBER, N),
    "MCEILING": _sig(NUMBER, N),
    "MFLOOR": _sig(NUMBER, N),
    "MAX": _sig(NUMBER, rest=N),
    "MIN": _sig(NUMBER, rest=N),
    "SQRT": _sig(NUMBER, N),
    "EXP": _sig(NUMBER, N),
    "LN": _sig(NUMBER, N),
    "LOG": _sig(NUMBER, N),
    "TODAY": _sig(DATE),
    "NOW": _sig(DATETIME),
    "TIMENOW": _sig(TIME),
    "DATE": _sig(DATE, N, N, N),
    "DATEVALUE": _sig(DATE, (TEXT, DATETIME, DATE)),
    "DATETIMEVALUE": _sig(DATETIME, (TEXT, DATE, DATETIME)),
    "TIMEVALUE": _sig(TIME, (TEXT, DATETIME, TIME)),
    "YEAR": _sig(NUMBER, D),
    "MONTH": _sig(NUMBER, D),
    "DAY": _sig(NUMBER, D),
    "WEEKDAY": _sig(NUMBER, D),
    "DAYOFYEAR": _sig(NUMBER, D),
    "ISOWEEK": _sig(NUMBER, D),
    "ISOYEAR": _sig(NUMBER, D),
    "HOUR": _sig(NUMBER, TM),
    "MINUTE": _sig(NUMBER, TM),
    "SECOND": _sig(NUMBER, TM),
    "MILLISECOND": _sig(NUMBER, TM),
}

# Results of ``left + right`` and ``left - right`` by operand types.
_PLUS = {
    (NUMBER, NUMBER): NUMBER,
    (DATE, NUMBER): DATE,
    (NUMBER, DATE): DATE,
    (DATETIME, NUMBER): DATETIME,
    (NUMBER, DATETIME): DATETIME,
    (TIME, NUMBER): TIME,
    (NUMBER, TIME): TIME,
    (TEXT, TEXT): TEXT,
}
_MINUS = {
    (NUMBER, NUMBER): NUMBER,
    (DATE, NUMBER): DATE,
    (DATE, DATE): NUMBER,
    (DATETIME, NUMBER): DATETIME,
    (DATETIME, DATETIME): NUMBER,
    (TIME, NUMBER): TIME,
    (TIME, TIME): NUMBER,
}
# What may stand on the right of ``+`` / ``-`` given the left (Salesforce's "Expected").
_PLUS_EXPECTED = {
    NUMBER: (NUMBER, DATE, DATETIME),
    DATE: N,
    DATETIME: N,
    TIME: N,
    TEXT: T,
}
_MINUS_EXPECTED = {
    NUMBER: N,
    DATE: (NUMBER, DATE),
    DATETIME: (NUMBER, DATETIME),
    TIME: (NUMBER, TIME),
}
_ORDERED = (NUMBER, TEXT, DATE, DATETIME, TIME)
_COMPARABLE = (NUMBER, TEXT, DATE, DATETIME, TIME, BOOLEAN)


def formula_type(schema_type: str) -> str:
    """The formula type of a schema type name ("currency" -> "Number")."""
    return SCHEMA_TYPES[schema_type]


def literal_type(value: Value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, str):
        return TEXT
    return NUMBER


def _listed(types: tuple[str, ...]) -> str:
    return ", ".join(types)


class Checker:
    """Infers types over one syntax tree; ``check`` returns the root's type.

    ``types`` maps each field and global name, as stored in the tree, to its formula
    type; names it does not know are Any. ``text_nodes`` collects the identities of the
    arguments of ISNULL and NULLVALUE found to be Text, which are never null.
    """

    def __init__(self, source: str, types: Mapping[str, str]) -> None:
        self._source = source
        self._types = types
        self.text_nodes: set[int] = set()

    def _error(self, message: str, node: Node) -> FormulaTypeError:
        return FormulaTypeError.at(message, self._source, node.position)

    def _parameter_error(
        self, where: str, expected: tuple[str, ...], received: str, node: Node
    ) -> FormulaTypeError:
        return self._error(
            f"Incorrect parameter type for {where}. "
            f"Expected {_listed(expected)}, received {received}",
            node,
        )

    def check(self, root: Node) -> str:
        return self._infer(root)

    def check_result(self, root_type: str, expected: str) -> None:
        """Refuse a result of another type than ``expected`` (a RESULT_TYPES key)."""
        wanted, shown = RESULT_TYPES[expected]
        if root_type in _FLEXIBLE or root_type == wanted:
            return
        raise FormulaTypeError.at(
            f"Formula result is data type ({root_type}), "
            f"incompatible with expected data type ({shown}).",
            self._source,
            0,
        )

    # --- inference -------------------------------------------------------------------

    def _infer(self, node: Node, picklists: tuple[str, ...] = ()) -> str:
        """The type of ``node``. ``picklists`` lists the picklist types the enclosing
        function accepts here; a picklist field anywhere else is an error."""
        if isinstance(node, Literal):
            return literal_type(node.value)
        if isinstance(node, (FieldRef, GlobalRef)):
            kind = self._types.get(node.name, ANY)
            if kind in _PICKLISTS and kind not in picklists:
                name = node.name
                if kind == PICKLIST:
                    message = (
                        f"Field {name} is a picklist field. Picklist fields are only "
                        "supported in certain functions."
                    )
                else:
                    message = (
                        f"Field {name} is a multi-select picklist field. Multi-select "
                        "picklist fields are only supported in certain functions."
                    )
                raise self._error(message, node)
            return kind
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Prefix):
            return self._prefix(node)
        if isinstance(node, Chain):
            return self._chain(node)
        return self._power(node)

    def _expect(self, where: str, node: Node, accepted: tuple[str, ...]) -> str:
        """Infer ``node`` and require one of the ``accepted`` types."""
        kind = self._infer(node, tuple(t for t in accepted if t in _PICKLISTS))
        if kind not in _FLEXIBLE and kind not in accepted:
            raise self._parameter_error(where, accepted, kind, node)
        return kind

    def _unify(self, function: str, first: str, node: Node, kind: str) -> str:
        """The common type of branches ``first`` and ``kind`` (of ``node``), if any."""
        if first == ANY or kind == ANY:
            return ANY
        if first == NULL:
            return kind
        if kind in (NULL, first):
            return first
        raise self._error(f"Incorrect argument type for function '{function}()'.", node)

    def _call(self, node: Call) -> str:
        name, args = node.name, node.args
        where = f"function '{name}()'"
        if name == "IF":
            self._expect(where, args[0], B)
            result = self._infer(args[1])
            return self._unify(name, result, args[2], self._infer(args[2]))
        if name == "CASE":
            return self._case(node)
        if name in ("NULLVALUE", "BLANKVALUE"):
            first = self._infer(args[0])
            if name == "NULLVALUE" and first == TEXT:
                self.text_nodes.add(id(args[0]))
            second = self._infer(args[1])
            if first in _FLEXIBLE or second in _FLEXIBLE or first == second:
                return self._unify(name, first, args[1], second)
            raise self._parameter_error(where, (first,), second, args[1])
        if name == "ADDMONTHS":
            kind = self._expect(where, args[0], (DATE, DATETIME))
            self._expect(where, args[1], N)
            return kind
        if name in ("PRIORVALUE", "ISCHANGED"):
            kind = self._infer(args[0], _PICKLISTS)
            return kind if name == "PRIORVALUE" else BOOLEAN
        signature = SIGNATURES.get(name)
        if signature is None:  # a function the checker does not know: not checked
            for arg in args:
                self._infer(arg, _PICKLISTS)
            return ANY
        for index, arg in enumerate(args):
            kind = self._expect(where, arg, signature.accepted(index))
            if name == "ISNULL" and kind == TEXT:
                self.text_nodes.add(id(arg))
        return signature.result

    def _case(self, node: Call) -> str:
        args = node.args
        where = "function 'CASE()'"
        subject = self._infer(args[0], (PICKLIST,))
        if subject == MULTIPICKLIST:
            raise self._parameter_error(where, (*_COMPARABLE, PICKLIST), subject, args[0])
        expected = TEXT if subject == PICKLIST else subject
        result = NULL
        for index in range(1, len(args) - 1, 2):
            value = self._infer(args[index])
            if expected not in _FLEXIBLE and value not in _FLEXIBLE and value != expected:
                raise self._parameter_error(where, (expected,), value, args[index])
            result = self._unify("CASE", result, args[index + 1], self._infer(args[index + 1]))
        return self._unify("CASE", result, args[-1], self._infer(args[-1]))

    def _prefix(self, node: Prefix) -> str:
        kind = self._infer(node.operand)
        for operator in reversed(node.operators):
            accepted = B if operator == "!" else N
            if kind not in _FLEXIBLE and kind not in accepted:
                raise self._parameter_error(f"operator '{operator}'", accepted, kind, node.operand)
            kind = accepted[0] if kind != ANY else ANY
        return kind

    def _power(self, node: Power) -> str:
        result = NULL
        for operand in node.operands:
            kind = self._expect("operator '^'", operand, N)
            result = ANY if ANY in (kind, result) else NUMBER
        return result

    def _chain(self, node: Chain) -> str:
        left = self._infer(node.first)
        left_node = node.first
        for operator, operand in node.rest:
            right = self._infer(operand)
            left = self._binary(operator, left, left_node, right, operand)
            left_node = operand
        return left

    def _binary(self, operator: str, left: str, left_node: Node, right: str, node: Node) -> str:
        where = f"operator '{operator}'"
        if operator in ("&&", "||"):
            for kind, operand in ((left, left_node), (right, node)):
                if kind not in _FLEXIBLE and kind != BOOLEAN:
                    raise self._parameter_error(where, B, kind, operand)
            return BOOLEAN
        if operator == "&":
            for kind, operand in ((left, left_node), (right, node)):
                if kind not in _FLEXIBLE and kind != TEXT:
                    raise self._parameter_error(where, T, kind, operand)
            return TEXT
        if operator in ("*", "/"):
            for kind, operand in ((left, left_node), (right, node)):
                if kind not in _FLEXIBLE and kind != NUMBER:
                    raise self._parameter_error(where, N, kind, operand)
            return ANY if ANY in (left, right) else NUMBER
        if operator in ("+", "-"):
            return self._additive(operator, left, left_node, right, node)
        # Comparisons: = <> on any type but picklists, < > <= >= on ordered types; both
        # sides of the same type.
        accepted = _COMPARABLE if operator in ("=", "<>") else _ORDERED
        for kind, operand in ((left, left_node), (right, node)):
            if kind not in _FLEXIBLE and kind not in accepted:
                raise self._parameter_error(where, accepted, kind, operand)
        if left not in _FLEXIBLE and right not in _FLEXIBLE and left != right:
            raise self._parameter_error(where, (left,), right, node)
        return BOOLEAN

    def _additive(self, operator: str, left: str, left_node: Node, right: str, node: Node) -> str:
        where = f"operator '{operator}'"
        table, expected = (_PLUS, _PLUS_EXPECTED) if operator == "+" else (_MINUS, _MINUS_EXPECTED)
        operands = tuple(expected)
        for kind, operand in ((left, left_node), (right, node)):
            if kind not in _FLEXIBLE and kind not in operands:
                raise self._parameter_error(where, operands, kind, operand)
        if ANY in (left, right):
            return ANY
        if left == NULL or right == NULL:
            # The result is null whatever the other side, except that NULL + text is text.
            return TEXT if operator == "+" and TEXT in (left, right) else NULL
        result = table.get((left, right))
        if result is None:
            raise self._parameter_error(where, expected[left], right, node)
        return result
