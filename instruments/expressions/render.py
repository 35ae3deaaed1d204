"""Write a tree back as source, in the product's syntax or in REDCap's (for the data dictionary writer).

What REDCap has no word for is spelled with what it has: ``a % b`` as ``mod(a, b)``, ``not x`` as
``if(x, 0, 1)``, a signed ``datediff`` with REDCap's ``true``, and ``mean(...; min=N)`` as
``if(([a] <> "") + ... >= N, mean(...), "")``.
"""

from __future__ import annotations

from .nodes import Binary, Bool, Call, Node, Num, Ref, Str, Unary

LEVELS = {"or": 1, "and": 2, "not": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4}
LEVELS |= {"+": 5, "-": 5, "*": 6, "/": 6, "%": 6, "neg": 7, "^": 8}
PRIMARY = 9
REDCAP_OPS = {"==": "=", "!=": "<>"}


def level(node: Node, dialect: str) -> int:
    if isinstance(node, Binary):
        return PRIMARY if dialect == "redcap" and node.op == "%" else LEVELS[node.op]
    if isinstance(node, Unary):
        return PRIMARY if dialect == "redcap" and node.op == "not" else LEVELS["not" if node.op == "not" else "neg"]
    if isinstance(node, Num) and node.value < 0:
        return LEVELS["neg"]
    return PRIMARY


def number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def text(value: str) -> str:
    return f"'{value}'" if '"' in value else f'"{value}"'


def to_source(node: Node, dialect: str = "edc") -> str:
    return Writer(dialect).write(node)


class Writer:
    def __init__(self, dialect: str):
        self.dialect = dialect

    def wrapped(self, node: Node, least: int) -> str:
        written = self.write(node)
        return f"({written})" if level(node, self.dialect) < least else written

    def write(self, node: Node) -> str:
        if isinstance(node, Num):
            return number_text(node.value)
        if isinstance(node, Str):
            return text(node.value)
        if isinstance(node, Bool):
            return ("true" if node.value else "false") if self.dialect == "edc" else ("1" if node.value else "0")
        if isinstance(node, Ref):
            return f"[{node.name}]" if self.dialect == "redcap" else node.name
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def unary(self, node: Unary) -> str:
        if node.op == "-":
            return "-" + self.wrapped(node.operand, LEVELS["neg"])
        if self.dialect == "redcap":
            return f"if({self.write(node.operand)}, 0, 1)"
        return "not " + self.wrapped(node.operand, LEVELS["not"])

    def binary(self, node: Binary) -> str:
        if node.op == "%" and self.dialect == "redcap":
            return f"mod({self.write(node.left)}, {self.write(node.right)})"
        own = LEVELS[node.op]
        if node.op == "^":  # right-associative: a ^ (b ^ c) needs no parentheses on the right
            left, right = self.wrapped(node.left, PRIMARY), self.wrapped(node.right, LEVELS["neg"])
        elif own == LEVELS["=="]:  # comparisons do not chain
            left, right = self.wrapped(node.left, own + 1), self.wrapped(node.right, own + 1)
        else:
            left, right = self.wrapped(node.left, own), self.wrapped(node.right, own + 1)
        op = REDCAP_OPS.get(node.op, node.op) if self.dialect == "redcap" else node.op
        return f"{left} {op} {right}"

    def call(self, node: Call) -> str:
        args = ", ".join(self.write(arg) for arg in node.args)
        if self.dialect == "edc":
            least = f"; min={node.min_answered}" if node.min_answered is not None else ""
            return f"{node.name}({args}{least})"
        if node.name == "datediff":
            return f'datediff({args}, "ymd", true)'
        if node.name == "date":
            return self.write(node.args[0])
        if node.min_answered is not None and node.min_answered > 1:
            answered = " + ".join(f'({self.write(arg)} <> "")' for arg in node.args)
            return f'if({answered} >= {node.min_answered}, {node.name}({args}), "")'
        return f"{node.name}({args})"
