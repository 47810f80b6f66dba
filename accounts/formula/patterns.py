"""Safe regular expressions for REGEX().

Admin-written patterns run on the server, so three things are bounded:

* matching time: the third-party ``regex`` module accepts a ``timeout``, which stops
  catastrophic backtracking such as ``(a+)+$``; the evaluator also gives each evaluation a
  total regex time budget so that many slow-but-not-quite-timing-out calls cannot add up;
* compile time, which ``timeout`` does not cover: ``(?:a{1000}){1000}`` takes most of a
  second to compile, so counted repeats are priced before compiling, per pattern and, for
  literal patterns, per formula; at run time compiling counts against the time budget;
* pattern and subject length.

Salesforce uses Java regular expressions; the ``regex`` module's default (version 0)
syntax is close enough for the patterns validation rules use (``\\d``, classes, groups,
counted repeats, alternation).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import regex

from .errors import FormulaLimitError, FormulaRuntimeError
from .runtime import MAX_TEXT_LENGTH

MAX_REGEX_PATTERN_LENGTH = 1_000
MAX_REGEX_SUBJECT_LENGTH = MAX_TEXT_LENGTH
#: Longest a single REGEX() match may run.
REGEX_TIMEOUT_SECONDS = 0.05
#: Longest all REGEX() matches of one evaluation may run together.
REGEX_TIME_BUDGET_SECONDS = 0.2

# Rough size of the compiled program (an atom repeated {n} counts n times). Compiling
# costs about two microseconds per unit, so one pattern compiles in ~10 ms at most and all
# the literal patterns of one formula in ~50 ms at most.
MAX_PATTERN_COST = 5_000
MAX_PATTERN_COST_PER_FORMULA = 20_000
# The regex module's pattern parser is recursive; keep far away from the recursion limit.
_MAX_GROUP_DEPTH = 50
_COUNTED_REPEAT = re.compile(r"\{([0-9]*)(?:,([0-9]*))?\}")
# Escapes whose argument is written in braces, e.g. \p{Lu}, \x{263a}, \N{DASH}.
_BRACED_ESCAPES = frozenset("pPNxXu")


def _skip_escape(pattern: str, index: int) -> int:
    """Index just past the escape sequence starting at ``pattern[index] == '\\'``."""
    end = index + 2
    braced = pattern[index + 1 : end] in _BRACED_ESCAPES
    if braced and end < len(pattern) and pattern[end] == "{":
        close = pattern.find("}", end)
        return len(pattern) if close < 0 else close + 1
    return end


def _skip_class(pattern: str, index: int) -> int:
    """Index just past the character class starting at ``pattern[index] == '['``."""
    position = index + 1
    if position < len(pattern) and pattern[position] == "^":
        position += 1
    if position < len(pattern) and pattern[position] == "]":
        position += 1  # a leading ']' is a literal member
    while position < len(pattern) and pattern[position] != "]":
        if pattern[position] == "\\":
            position = _skip_escape(pattern, position)
        else:
            position += 1
    return position + 1


def pattern_cost(pattern: str) -> int:
    """Price the pattern (see MAX_PATTERN_COST), refusing costly or deeply nested ones."""
    # costs[-1] is the running cost of the innermost open group.
    costs = [0]
    last_atom = 0
    position = 0
    while position < len(pattern):
        char = pattern[position]
        atom = 1
        if char == "\\":
            position = _skip_escape(pattern, position)
        elif char == "[":
            position = _skip_class(pattern, position)
        elif char == "(":
            costs.append(0)
            if len(costs) > _MAX_GROUP_DEPTH:
                raise FormulaLimitError("Regular expression is nested too deeply")
            position += 1
            last_atom = 0
            continue
        elif char == ")":
            atom = max(costs.pop(), 1) if len(costs) > 1 else 1
            position += 1
        elif char == "{" and (repeat := _COUNTED_REPEAT.match(pattern, position)):
            bounds = [int(bound) for bound in repeat.groups() if bound]
            count = max(bounds, default=1)
            # The atom was already counted once; a repeat {n} makes n copies of it.
            costs[-1] += last_atom * max(count - 1, 0)
            position = repeat.end()
            atom = 0
        elif char in "*+?|":
            position += 1
            atom = 0
        else:
            position += 1
        costs[-1] += atom
        last_atom = atom
        if costs[-1] > MAX_PATTERN_COST:
            raise FormulaLimitError("Regular expression is too complex")
    return sum(costs)


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """Compile ``pattern`` once; invalid or too costly patterns raise a formula error.

    The parser calls this for literal patterns, turning the error into a syntax error.
    """
    if len(pattern) > MAX_REGEX_PATTERN_LENGTH:
        raise FormulaLimitError(
            f"Regular expression is too long ({len(pattern):,} characters). "
            f"Maximum length is {MAX_REGEX_PATTERN_LENGTH:,} characters."
        )
    pattern_cost(pattern)
    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise FormulaRuntimeError(f"Invalid regular expression: {exc}") from exc
    except (RecursionError, OverflowError, ValueError, MemoryError) as exc:
        # The pattern parser is third-party code fed with admin text; whatever it trips
        # over is still just an invalid pattern to the formula author.
        raise FormulaRuntimeError("Invalid regular expression") from exc


def full_match(compiled: Any, subject: str, timeout: float) -> bool:
    """Whether ``subject`` matches the WHOLE pattern, as Salesforce's REGEX requires."""
    if len(subject) > MAX_REGEX_SUBJECT_LENGTH:
        raise FormulaLimitError(
            f"Text is too long for REGEX ({len(subject):,} characters). "
            f"Maximum length is {MAX_REGEX_SUBJECT_LENGTH:,} characters."
        )
    try:
        return compiled.fullmatch(subject, timeout=timeout) is not None
    except TimeoutError as exc:
        raise FormulaLimitError("Regular expression took too long to evaluate") from exc
