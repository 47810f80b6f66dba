"""Salesforce-style formula language for User validation rules.

Parse once, evaluate many times against plain mappings; no framework dependencies::

    formula = parse('AND(ISBLANK(Department), Profile.Name <> "Chatter External User")')
    formula.evaluate_condition(EvaluationContext(fields={"Profile.Name": "Standard User"}))

With a schema, the formula is type-checked as Salesforce checks it on save::

    formula = parse("DAY(Begin_Date__c) > 15", schema={"Begin_Date__c": "date"},
                    result="checkbox")

Errors: FormulaSyntaxError from ``parse`` (with position, line and column), and its
subclass FormulaTypeError for type errors found with a schema; FormulaRuntimeError from
evaluation, and its subclass FormulaLimitError when a resource limit (length, steps, text
size, number size, regex time) is hit.

``evaluate_traced`` evaluates as ``Formula.evaluate`` does and also returns the value of
every sub-expression, for a rule tester to show.
"""

from .checker import RESULT_TYPES
from .errors import (
    FormulaError,
    FormulaLimitError,
    FormulaRuntimeError,
    FormulaSyntaxError,
    FormulaTypeError,
)
from .evaluator import MAX_EVALUATION_STEPS, Formula
from .parser import MAX_EXPRESSION_DEPTH, MAX_FORMULA_LENGTH, MAX_NESTING_DEPTH, parse
from .runtime import MAX_TEXT_LENGTH, SCHEMA_TYPES, EvaluationContext, Value
from .trace import TraceNode, TraceResult, evaluate_traced, value_display

__all__ = [
    "MAX_EVALUATION_STEPS",
    "MAX_EXPRESSION_DEPTH",
    "MAX_FORMULA_LENGTH",
    "MAX_NESTING_DEPTH",
    "MAX_TEXT_LENGTH",
    "RESULT_TYPES",
    "SCHEMA_TYPES",
    "EvaluationContext",
    "Formula",
    "FormulaError",
    "FormulaLimitError",
    "FormulaRuntimeError",
    "FormulaSyntaxError",
    "FormulaTypeError",
    "TraceNode",
    "TraceResult",
    "Value",
    "evaluate_traced",
    "parse",
    "value_display",
]
