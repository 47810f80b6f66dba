"""How long the formula engine takes to refuse or finish its worst cases.

Prints one line per case (best of a few runs); asserts nothing: the tests check the
behaviour (limits, step counts, error types), this shows what those limits cost on this
machine. Run with ``python bench/formula_limits.py`` from the project root.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts.formula import (
    MAX_FORMULA_LENGTH,
    EvaluationContext,
    FormulaError,
    parse,
)

REPEATS = 5


def _attempt(action: Callable[[], object]) -> str:
    try:
        action()
    except FormulaError as error:
        return type(error).__name__
    return "ok"


def measure(label: str, action: Callable[[], object]) -> None:
    best = float("inf")
    outcome = ""
    for _ in range(REPEATS):
        started = time.perf_counter()
        outcome = _attempt(action)
        best = min(best, time.perf_counter() - started)
    print(f"{label:<55} {best * 1000:9.2f} ms  ({outcome})")


def main() -> None:
    context = EvaluationContext(fields={"FirstName": "a" * 30 + "!"})
    backtracking = parse('REGEX(FirstName, "(a+)+$")')
    slow_regexes = parse(" || ".join(['REGEX(FirstName, "(a+)+$")'] * 40))
    longest = '"' + "x" * (MAX_FORMULA_LENGTH - 2) + '"'
    nested = "NOT(" * 63 + "TRUE" + ")" * 63
    wide = "+".join(["1"] * 1900)
    budget = " || ".join(f'REGEX(x, "(?:{letter}{{70}}){{70}}")' for letter in "abcdefgh")
    dates = parse(
        "CASE(MOD(My_Date__c - DATE(1900, 1, 7), 7), 0, 0, 6, 0, 1) = 0",
        schema={"My_Date__c": "date"},
        result="checkbox",
    )

    measure("2 ^ 1000000000 (refused)", lambda: parse("2 ^ 1000000000").evaluate(context))
    measure("10 ^ 200 (refused)", lambda: parse("10 ^ 200").evaluate(context))
    measure("catastrophic regex, one match", lambda: backtracking.evaluate(context))
    measure("catastrophic regex x40 (shared budget)", lambda: slow_regexes.evaluate(context))
    measure("costly regex compile (refused)", lambda: parse('REGEX(x, "(?:a{1000}){1000}")'))
    measure("eight literal regexes over the budget (refused)", lambda: parse(budget))
    measure(f"parse a {MAX_FORMULA_LENGTH:,}-character literal", lambda: parse(longest))
    measure("parse + evaluate 63 nested NOT()", lambda: parse(nested).evaluate(context))
    measure("parse + evaluate 1,900 additions", lambda: parse(wide).evaluate(context))
    measure(
        "parse + check the weekend rule",
        lambda: parse(
            "CASE(MOD(My_Date__c - DATE(1900, 1, 7), 7), 0, 0, 6, 0, 1) = 0",
            schema={"My_Date__c": "date"},
            result="checkbox",
        ),
    )
    measure("evaluate the checked weekend rule", lambda: dates.evaluate(EvaluationContext()))


if __name__ == "__main__":
    main()
