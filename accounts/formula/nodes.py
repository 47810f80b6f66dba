"""Abstract syntax tree of a parsed formula.

The nodes are immutable so that one parsed Formula can be evaluated concurrently by many
requests. Every node records the 0-based ``position`` of its first character and its
``depth`` (1 for a leaf), which the parser bounds so that the recursive evaluator can
never approach Python's recursion limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .runtime import Value


@dataclass(frozen=True, slots=True)
class Literal:
    """A text, number, TRUE/FALSE or NULL constant."""

    value: Value
    position: int
    depth: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A record field such as ``Department`` or ``Profile.Name`` (canonical spelling)."""

    name: str
    position: int
    depth: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class GlobalRef:
    """A global merge field such as ``$User.UserType`` (canonical spelling)."""

    name: str
    position: int
    depth: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Prefix:
    """Prefix operators applied right to left: ``-x``, ``+x``, ``!x`` (NOT), ``--x``..."""

    operators: tuple[str, ...]
    operand: Node
    position: int
    depth: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Chain:
    """Left-associative operators of one precedence level: ``a + b - c`` folds left.

    Operators are normalised: ``==`` is stored as ``=`` and ``!=`` as ``<>``.
    """

    first: Node
    rest: tuple[tuple[str, Node], ...]
    position: int
    depth: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Power:
    """``a ^ b ^ c``: right-associative, folded from the right when evaluated."""

    operands: tuple[Node, ...]
    position: int
    depth: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; ``name`` is the upper-case function name, already validated."""

    name: str
    args: tuple[Node, ...]
    position: int
    depth: int = field(default=1, compare=False)


Node = Literal | FieldRef | GlobalRef | Prefix | Chain | Power | Call
