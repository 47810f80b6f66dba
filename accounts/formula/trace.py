"""Evaluation with a record of every sub-expression's value, for a rule tester to show.

``evaluate_traced`` runs a Formula as ``Formula.evaluate`` does (same steps budget, same
errors) while remembering the value of each node it evaluates, then lays the syntax tree
out as ``TraceNode`` rows: the sub-expression's text, its value, or that it was not
evaluated (a branch IF or AND skipped) or that it failed. The record is bounded: each
node is evaluated at most once, the tree shown is cut at ``max_nodes`` rows, and long
values are shortened for display.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import FormulaLimitError, FormulaRuntimeError
from .evaluator import MAX_EVALUATION_STEPS, Formula, _Evaluation
from .nodes import Call, Chain, FieldRef, GlobalRef, Literal, Node, Power, Prefix
from .runtime import EvaluationContext, Value, format_number

#: Rows of the tree laid out at most; the rest is summarised as cut.
MAX_TRACE_NODES = 300
#: Levels of the tree laid out at most (a display, often rendered recursively, stays
#: shallow); deeper operands are summarised as cut.
MAX_TRACE_DEPTH = 24
#: Characters of a value or sub-expression shown at most.
MAX_SHOWN_CHARS = 200


@dataclass(frozen=True)
class TraceNode:
    """One sub-expression: its text, its value as shown, and its operands.

    ``state`` is "value" (``value`` holds it), "skipped" (never evaluated) or "error"
    (evaluation failed here or below).
    """

    text: str
    state: str
    value: str = ""
    children: tuple[TraceNode, ...] = field(default=())


@dataclass(frozen=True)
class TraceResult:
    """The formula's value (or the error that stopped it) and the evaluation tree."""

    value: Value
    error: FormulaRuntimeError | None
    tree: TraceNode
    #: True when the tree was cut at ``max_nodes`` rows or ``MAX_TRACE_DEPTH`` levels.
    truncated: bool


class _Recording(_Evaluation):
    """An evaluation that remembers each node's value, and where an error surfaced."""

    __slots__ = ("failed", "values")

    def __init__(self, context: EvaluationContext, formula: Formula, max_steps: int) -> None:
        super().__init__(context, formula, max_steps)
        self.values: dict[int, Value] = {}
        self.failed: set[int] = set()

    def evaluate(self, node: Node) -> Value:
        try:
            value = super().evaluate(node)
        except FormulaRuntimeError:
            self.failed.add(id(node))
            raise
        self.values[id(node)] = value
        return value


def evaluate_traced(
    formula: Formula,
    context: EvaluationContext,
    *,
    max_steps: int = MAX_EVALUATION_STEPS,
    max_nodes: int = MAX_TRACE_NODES,
) -> TraceResult:
    """Evaluate ``formula`` and lay out the value of every sub-expression."""
    recording = _Recording(context, formula, max_steps)
    value: Value = None
    error: FormulaRuntimeError | None = None
    try:
        value = recording.evaluate(formula.root)
    except RecursionError:
        error = FormulaLimitError("Formula is nested too deeply to evaluate")
    except FormulaRuntimeError as exc:
        error = exc
    budget = [max_nodes]
    tree = _layout(formula.root, recording, budget, MAX_TRACE_DEPTH)
    return TraceResult(value=value, error=error, tree=tree, truncated=budget[0] < 0)


def _layout(node: Node, recording: _Recording, budget: list[int], levels: int) -> TraceNode:
    """The rows of ``node`` and its operands, depth first, within ``budget`` rows and
    ``levels`` levels (``budget[0]`` goes negative when anything was cut)."""
    budget[0] -= 1
    key = id(node)
    if key in recording.values:
        state, shown = "value", value_display(recording.values[key])
    elif key in recording.failed:
        state, shown = "error", ""
    else:
        state, shown = "skipped", ""
    children: list[TraceNode] = []
    for child in _operands(node):
        if budget[0] <= 0 or levels <= 1:
            budget[0] = -1
            break
        children.append(_layout(child, recording, budget, levels - 1))
    return TraceNode(_short(formula_text(node)), state, shown, tuple(children))


def _operands(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Chain):
        return (node.first, *(operand for _, operand in node.rest))
    if isinstance(node, Power):
        return node.operands
    if isinstance(node, Prefix):
        return (node.operand,)
    return ()


def _short(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def value_display(value: Value) -> str:
    """A value as a formula would write it: "text", 12.5, TRUE, 2026-01-31, null."""
    if value is None:
        return "null (blank)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return _short('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
    if isinstance(value, Decimal):
        return _short(format_number(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.isoformat(timespec="milliseconds")


def formula_text(node: Node) -> str:
    """The node written back as formula text (spacing and comments normalised).

    Nested operator chains get parentheses, so the text reads as the tree evaluates.
    """
    if isinstance(node, Literal):
        if node.value is None:
            return "NULL"
        return value_display(node.value) if not isinstance(node.value, str) else _quoted(node)
    if isinstance(node, (FieldRef, GlobalRef)):
        return node.name
    if isinstance(node, Call):
        return f"{node.name}({', '.join(formula_text(arg) for arg in node.args)})"
    if isinstance(node, Chain):
        parts = [_grouped(node.first)]
        for operator, operand in node.rest:
            parts += [operator, _grouped(operand)]
        return " ".join(parts)
    if isinstance(node, Power):
        return " ^ ".join(_grouped(operand) for operand in node.operands)
    return "".join(node.operators) + _grouped(node.operand)


def _quoted(node: Literal) -> str:
    assert isinstance(node.value, str)
    return '"' + node.value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _grouped(node: Node) -> str:
    text = formula_text(node)
    return f"({text})" if isinstance(node, (Chain, Power)) else text
