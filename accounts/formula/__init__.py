"""Salesforce-style formula language for User validation rules.

Parse once, evaluate many times against plain mappings; no framework dependencies::

    formula = parse('AND(ISBLANK(Department), Profile.Name <> "Chatter External User")')
    formula.evaluate_condition(EvaluationContext(fields={"Profile.Name": "Standard User"}))

Errors: FormulaSyntaxError from ``parse`` (with position, line and column);
FormulaRuntimeError from evaluation, and its subclass FormulaLimitError when a resource
limit (length, steps, text size, number size, regex time) is hit.
"""

from .errors import FormulaError, FormulaLimitError, FormulaRuntimeError, FormulaSyntaxError
from .evaluator import MAX_EVALUATION_STEPS, Formula
from .parser import MAX_EXPRESSION_DEPTH, MAX_FORMULA_LENGTH, MAX_NESTING_DEPTH, parse
from .runtime import MAX_TEXT_LENGTH, EvaluationContext, Value

__all__ = [
    "MAX_EVALUATION_STEPS",
    "MAX_EXPRESSION_DEPTH",
    "MAX_FORMULA_LENGTH",
    "MAX_NESTING_DEPTH",
    "MAX_TEXT_LENGTH",
    "EvaluationContext",
    "Formula",
    "FormulaError",
    "FormulaLimitError",
    "FormulaRuntimeError",
    "FormulaSyntaxError",
    "Value",
    "parse",
]
