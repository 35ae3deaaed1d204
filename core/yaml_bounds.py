"""YAML from uploaded files, bounded so that a hostile file is a problem, not a crash or a hung worker.

PyYAML's safe loader composes nested lists recursively: "[[[[..." a few thousand deep exhausts the stack (a
RecursionError). Aliases (``*name``) can make a small file expand to billions of values when a parser walks it
("billion laughs"), and ``&a [*a]`` is a list that contains itself, which a naive walk never leaves. All three
are measured on the composed node graph, without recursion, before anything is built.

One module for protocol files (studies.protocol.reader) and instrument definitions (instruments.definitions):
both are pure packages, and so is this one (PyYAML only).
"""

from __future__ import annotations

from typing import Any

import yaml

MESSAGES = {
    "depth": "lists and mappings are nested more than {limit} deep",
    "expanded_depth": "lists and mappings are nested more than {limit} deep (aliases expanded)",
    "nodes": "the file expands to more than {limit} values (aliases counted in full)",
    "cycle": "an alias refers to the list or mapping that contains it",
}


class Bound(yaml.composer.ComposerError):
    """A document past a bound. ``kind`` is a key of MESSAGES; ``limit`` the bound it passed."""

    def __init__(self, kind: str, limit: int | None = None, mark=None):
        self.kind, self.limit = kind, limit
        super().__init__(None, None, MESSAGES[kind].format(limit=limit), mark)


class DepthLoader(yaml.SafeLoader):
    """SafeLoader that stops composing past ``max_depth`` nested lists and mappings, before the stack runs out."""

    max_depth = 50
    depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise Bound("depth", self.max_depth, self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_expanded(root: yaml.Node, *, max_nodes: int, max_depth: int) -> None:
    """Raise Bound when the graph, every alias counted in full wherever it is used, has more than ``max_nodes``
    values or ``max_depth`` levels, or when an alias refers to a node that contains it. Each node is measured once."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(kid)] for kid in kids)
            depth[key] = 1 + max((depth[id(kid)] for kid in kids), default=0)
            if size[key] > max_nodes:
                raise Bound("nodes", max_nodes)
            if depth[key] > max_depth:
                raise Bound("expanded_depth", max_depth)
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise Bound("cycle")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((kid, False) for kid in _children(node) if id(kid) not in size)


# An instrument definition needs five or six levels and a few thousand values; protocol files pass their own limits.
MAX_DEPTH = 50
MAX_NODES = 200_000


def load(
    text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES, loader: type[DepthLoader] = DepthLoader
) -> Any:
    """The single document of ``text``; yaml.YAMLError (a Bound past the bounds) when it cannot be read."""
    reader = None
    try:
        # Inside the try: the loader checks the text for non-printable characters (a NUL) as it starts.
        reader = loader(text)
        reader.max_depth = max_depth
        node = reader.get_single_node()
        if node is None:
            return None
        check_expanded(node, max_nodes=max_nodes, max_depth=max_depth)
        return reader.construct_document(node)
    finally:
        if reader is not None:
            reader.dispose()
