"""YAML for uploaded definitions: PyYAML's safe loader, bounded so that a hostile file is a problem, not a crash.

PyYAML composes nested lists recursively: "[[[[..." a few thousand deep exhausts the stack (a RecursionError, a
server error). And aliases (``*name``, used by the library to share bands) can make a small file expand to
billions of values when the parser walks it. Both are measured on the composed node graph, without recursion,
before anything is built. (studies.protocol.reader bounds protocol files the same way; this pure package sits
below it and cannot import it.)
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 50  # lists and mappings inside one another; a real definition needs five or six
MAX_NODES = 200_000  # values, every alias counted at its expanded size


class BoundError(yaml.composer.ComposerError):
    def __init__(self, reason: str, mark=None):
        super().__init__(None, None, reason, mark)


class _BoundedLoader(yaml.SafeLoader):
    depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise BoundError(f"lists and mappings are nested more than {MAX_DEPTH} deep", mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expanded(root: yaml.Node) -> None:
    """Expanded size and depth of the graph (an alias counts in full wherever it is used), once per node."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            if id(node) not in size:
                stack.append((node, True))
                stack.extend((kid, False) for kid in _children(node) if id(kid) not in size)
            continue
        kids = _children(node)
        size[id(node)] = 1 + sum(size.get(id(kid), 1) for kid in kids)
        depth[id(node)] = 1 + max((depth.get(id(kid), 1) for kid in kids), default=0)
        if size[id(node)] > MAX_NODES:
            raise BoundError(f"the file expands to more than {MAX_NODES} values (aliases counted in full)")
        if depth[id(node)] > MAX_DEPTH:
            raise BoundError(f"lists and mappings are nested more than {MAX_DEPTH} deep (aliases expanded)")


def load_bounded(text: str) -> Any:
    """The document of ``text``; yaml.YAMLError (a BoundError past the bounds) when it cannot be read."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()
