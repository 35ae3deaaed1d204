"""The syntax tree of an expression: frozen dataclasses, built by the parser, read by the evaluator and the
renderers. Numbers are floats (integers come back as int only when a result is shown)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Bool:
    value: bool


@dataclass(frozen=True)
class Ref:
    """An item (or an earlier score) by name."""

    name: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / ^ % == != < <= > >= and or
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    """A function call; ``min_answered`` is the ``; min=N`` of sum/mean/min/max (None: at least one)."""

    name: str
    args: tuple[Node, ...]
    min_answered: int | None = None


Node = Num | Str | Bool | Ref | Unary | Binary | Call


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def depth(node: Node) -> int:
    """The tree's depth, walked without recursion (a long chain ``1+1+...`` is deep but parses in a loop)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest


def references(node: Node) -> frozenset[str]:
    names, stack = set(), [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Ref):
            names.add(current.name)
        stack.extend(children(current))
    return frozenset(names)
