"""JSON read with bounds: nesting, values and items are counted before anything is parsed.

A line nested 10,000 deep, or a file of seven million empty objects, is refused from a scan of
its brackets and commas (strings skipped), never built: parsed JSON costs 30-60 bytes of memory
per value, so the parse is only run on text whose size in values is known to be small.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# A response row is one object whose values are text, numbers or a small file reference;
# nothing a person writes by hand nests anywhere near this.
MAX_DEPTH = 32
# Objects, lists and the items in them, in a whole file: ~10 per template row, so 10,000 rows
# with room for extra fields; 500,000 empty objects, the worst case, parse to ~35 MB.
MAX_VALUES = 500_000

# A string (its escapes and an unclosed end included), else one structural character: group 1
# opens, 2 closes, 3 separates. Only the groups are looked at, never the matched text.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"?'
_TOKENS_TEXT = re.compile(_STRING + r"|([\[{])|([\]}])|(,)", re.S)
_TOKENS_BYTES = re.compile(_STRING.encode() + rb"|([\[{])|([\]}])|(,)", re.S)
_OPEN, _CLOSE = 1, 2


class TooDeep(ValueError):
    """JSON nested beyond MAX_DEPTH levels."""

    def __init__(self) -> None:
        super().__init__(
            f"It nests objects or lists more than {MAX_DEPTH} levels deep; a response row is "
            'one flat object, e.g. {"prompt_uuid": "…", "content": "…"}.'
        )


class TooMany(ValueError):
    """JSON holding more than MAX_VALUES values."""

    def __init__(self) -> None:
        super().__init__(
            f"The file holds more than {MAX_VALUES:,} JSON values (objects, lists and the items "
            "in them); responses of one flat object each need far fewer. Leave out fields that "
            "are not part of a response, or split the file into smaller files."
        )


@dataclass(frozen=True)
class Shape:
    """What a scan of JSON text found, up to the first limit it passed."""

    deepest: int
    values: int  # objects and lists opened, plus separating commas (items beyond the first)
    top_items: int  # commas at the top level: an array of n items has n - 1


def shape(
    text: str | bytes, max_values: int = MAX_VALUES, max_top_items: int | None = None
) -> Shape:
    """Nesting, values and top-level items of JSON text, stopping at the first limit passed.

    Structure only, from a regular expression over the text (strings skipped in C), so a
    malformed file gets a shape too and is left to json to explain.
    """
    tokens = _TOKENS_BYTES if isinstance(text, bytes) else _TOKENS_TEXT
    level = deepest = values = top = 0
    for match in tokens.finditer(text):
        kind = match.lastindex
        if kind is None:  # a string
            continue
        if kind == _OPEN:
            level += 1
            values += 1
            if level > deepest:
                deepest = level
                if deepest > MAX_DEPTH:
                    break
        elif kind == _CLOSE:
            level -= 1
        else:
            values += 1
            if level == 1:
                top += 1
                if max_top_items is not None and top >= max_top_items:
                    break
        if values > max_values:
            break
    return Shape(deepest, values, top)


def loads(text: str, max_values: int = MAX_VALUES) -> tuple[Any, int]:
    """json.loads of text scanned first (TooDeep, TooMany), and how many values it held."""
    opens = text.count("{") + text.count("[")
    if opens <= MAX_DEPTH and opens + text.count(",") <= max_values:
        # Counted in C, strings included: an upper bound that clears most lines unscanned.
        value = json.loads(text)
        return value, values(value)
    found = shape(text, max_values)
    if found.deepest > MAX_DEPTH:
        raise TooDeep()
    if found.values > max_values:
        raise TooMany()
    try:
        return json.loads(text), found.values
    except RecursionError:  # not expected after the scan; kept so a miscount cannot crash
        raise TooDeep() from None


def values(value: Any) -> int:
    """Values in parsed JSON as shape() counts them: containers, and items beyond the first."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        count += 1 + max(len(children) - 1, 0)
        stack.extend(children)
    return count
