"""Split a list pasted from social media into statements."""
from __future__ import annotations

import re

# Up to three digits, so a line opening with a year ("1999. That summer…") is not an item.
# Whitespace (or the end of the line) must follow, so "-5 degrees" or "*really*" are not bullets.
_MARKER = re.compile(r"[ \t]*(?:[0-9]{1,3}[.)]|[-•*–—])(?:\s+|$)")


def split_statements(text: str) -> list[str]:
    """Return the statements of a pasted list, each text kept exactly as written.

    Line ends may be Windows (\\r\\n), old Mac (\\r) or Unix (\\n); a line holding only
    whitespace is blank, and blank lines split the text into blocks. Three shapes:

    - A list: a line starting with 1-3 digits and "." or ")", or with "-", "•", "*", "–" or
      "—", then whitespace, starts a statement, without its marker. The non-blank lines right
      after it continue that statement; a blank line ends it. Text outside the items (an
      intro before the first marker, a closing line after the list) is dropped.
    - Paragraphs: otherwise, with several blocks, each block is a statement and keeps its
      inner line breaks.
    - Lines: otherwise, with a single block, each line is a statement.

    Russian writes dialogue with a leading dash, so a marker alone does not make a list: it
    takes at least two marker lines, every block between the first and the last marked block
    must start with a marker, and the items must outnumber the blocks around the list.

    Each line is stripped of surrounding whitespace and the lines of a statement are joined
    with "\\n". Nothing else changes: no Unicode normalisation, so combining marks survive
    byte for byte. Empty or blank input gives [].
    """
    blocks = _blocks(text)
    if _is_list(blocks):
        return _list_items(blocks)
    if len(blocks) == 1:
        return [line.strip() for line in blocks[0]]
    return [_join(block) for block in blocks]


def _blocks(text: str) -> list[list[str]]:
    # Only real line ends split: str.splitlines() would also break on U+2028, form feeds and
    # other separators that belong to the text.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _is_list(blocks: list[list[str]]) -> bool:
    marked = [i for i, block in enumerate(blocks) if any(_MARKER.match(line) for line in block)]
    if not marked:
        return False
    first, last = marked[0], marked[-1]
    if not all(_MARKER.match(block[0]) for block in blocks[first + 1 : last + 1]):
        return False
    items = sum(1 for block in blocks for line in block if _MARKER.match(line))
    around = first + (len(blocks) - 1 - last)
    return items >= 2 and items > around


def _list_items(blocks: list[list[str]]) -> list[str]:
    items: list[list[str]] = []
    for block in blocks:
        current: list[str] | None = None
        for line in block:
            marker = _MARKER.match(line)
            if marker:
                current = [line[marker.end() :]]
                items.append(current)
            elif current is not None:
                current.append(line)
    statements = (_join(item) for item in items)
    return [statement for statement in statements if statement]


def _join(lines: list[str]) -> str:
    return "\n".join(line.strip() for line in lines).strip()
