"""YAML that cannot blow up: a byte limit on the document and a limit on what aliases expand to.

A 600-byte "billion laughs" document (anchors of lists of aliases of lists...) is a few dozen
nodes to the parser but billions of values to everything that walks the loaded object as a tree
(pydantic, ``json.dumps`` for the suite hash, the report). PyYAML's ``SafeLoader`` shares the
aliased node, so the parser itself stays small; this loader counts the *expanded* size of the
node graph (each alias counted as a full copy) and refuses the document before any Python object
is built, and refuses recursive aliases outright. Suites with a few ``&defaults``/``*defaults``
stay legal.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 1 * 2**20
"""Largest suite document read (1 MiB; the largest shipped suite is a few KiB)."""
MAX_ALIASES = 1000
"""Most alias uses in one document."""
MAX_EXPANDED_NODES = 200_000
"""Most YAML nodes the document may hold once every alias is expanded."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings."""


class YamlLimitError(ValueError):
    """The document is over one of the limits; the message says which."""


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodes in the tree ``root`` describes, counting each shared (aliased) node once per use.

    Memoised per node, so it costs the graph's size, not the tree's; a node reached while it is
    still being counted is a recursive alias.
    """
    memo: dict[int, int] = {}
    active: set[int] = set()
    # iterative post-order walk: deep documents must not hit Python's recursion limit
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in memo and not children_done:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not children_done:
            if key in active:
                raise YamlLimitError("recursive alias (an anchor used inside itself)")
            active.add(key)
            if len(active) > MAX_DEPTH:
                raise YamlLimitError(f"nested deeper than {MAX_DEPTH} levels")
            stack.append((node, True))
            for child in children:
                if id(child) in active:
                    raise YamlLimitError("recursive alias (an anchor used inside itself)")
                if id(child) not in memo:
                    stack.append((child, False))
            continue
        total = 1 + sum(memo[id(c)] for c in children)
        if total > limit:
            raise YamlLimitError(f"aliases expand the document to more than {limit:,} values")
        memo[key] = total
        active.discard(key)
    return memo[id(root)]


class BoundedSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that counts alias uses while composing (see the module docstring)."""

    def __init__(self, stream: Any):
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 - PyYAML's hook
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise YamlLimitError(f"more than {MAX_ALIASES} alias uses (*name)")
        return super().compose_node(parent, index)


def load_bounded(text: str) -> Any:
    """Parse one YAML document within the limits; raises :class:`YamlLimitError` over them and
    ``yaml.YAMLError`` for invalid YAML."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlLimitError(f"document larger than {MAX_BYTES // 2**20} MiB")
    loader = BoundedSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, MAX_EXPANDED_NODES)
        return loader.construct_document(node)
    finally:
        loader.dispose()
