"""JSON read with a bound on nesting: a line nested 10,000 deep is refused, not a crash."""

from __future__ import annotations

import json
from typing import Any

# A response row is one object whose values are text, numbers or a small file reference;
# nothing a person writes by hand nests anywhere near this.
MAX_DEPTH = 32


class TooDeep(ValueError):
    """JSON nested beyond MAX_DEPTH levels."""

    def __init__(self) -> None:
        super().__init__(
            f"It nests objects or lists more than {MAX_DEPTH} levels deep; a response row is "
            'one flat object, e.g. {"prompt_uuid": "…", "content": "…"}.'
        )


def depth(value: Any) -> int:
    """How deeply objects and lists nest in parsed JSON (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def loads(text: str) -> Any:
    """json.loads, refusing (TooDeep) anything nested beyond MAX_DEPTH, even past Python's stack."""
    try:
        value = json.loads(text)
    except RecursionError:  # the C decoder gives up near the interpreter's recursion limit
        raise TooDeep() from None
    if depth(value) > MAX_DEPTH:
        raise TooDeep()
    return value
