"""Arrange comments into reply threads: parents before children, oldest first."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .model import Response


@dataclasses.dataclass
class ThreadNode:
    """A response and the replies to it."""

    response: Response
    replies: list[ThreadNode] = dataclasses.field(default_factory=list)
    depth: int = 0


def _order(response: Response) -> tuple:
    return (response.published, response.id)


def build_threads(
    responses: Iterable[Response], max_depth: int = 4
) -> tuple[list[ThreadNode], list[Response]]:
    """Top-level nodes with nested replies, and the responses whose parent was not found.

    A reply to an unknown, hidden or unapproved response is shown at top level (and
    reported), so no approved text disappears. Replies deeper than max_depth hang on the
    deepest allowed ancestor; cycles are broken at the response that closes them.
    """
    items = sorted(responses, key=_order)
    by_id = {r.id: r for r in items}
    orphans: list[Response] = []
    parent_of: dict[str, str] = {}
    for response in items:
        parent = response.in_reply_to
        if not parent:
            continue
        if parent not in by_id or parent == response.id:
            orphans.append(response)
            continue
        parent_of[response.id] = parent
    # Break cycles: walking up from any node must end at a root.
    for response in items:
        seen = {response.id}
        current = response.id
        while current in parent_of:
            current = parent_of[current]
            if current in seen:
                orphans.append(response)
                del parent_of[response.id]
                break
            seen.add(current)
    children: dict[str, list[Response]] = {}
    for response in items:
        if response.id in parent_of:
            children.setdefault(parent_of[response.id], []).append(response)
    roots: list[ThreadNode] = []

    def place(response: Response, container: list[ThreadNode], depth: int) -> None:
        node = ThreadNode(response, depth=depth)
        container.append(node)
        # At the deepest level replies become siblings, so the thread stays readable.
        inner, inner_depth = (node.replies, depth + 1) if depth < max_depth else (container, depth)
        for child in children.get(response.id, []):
            place(child, inner, inner_depth)

    for response in items:
        if response.id not in parent_of:
            place(response, roots, 0)
    return roots, orphans


def count_nodes(nodes: Iterable[ThreadNode]) -> int:
    """Number of responses in the given threads, replies included."""
    return sum(1 + count_nodes(node.replies) for node in nodes)
