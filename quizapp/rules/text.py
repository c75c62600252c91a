"""What counts as text a reader can see."""
from __future__ import annotations

import unicodedata

# Separators, controls, format characters (zero-width, bidi marks) and marks with nothing to sit on
# all render as nothing on their own.
_INVISIBLE = {"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me"}


def has_visible_text(text: str) -> bool:
    """Tell whether the text shows anything at all: not empty, spaces, zero-width or bidi characters only."""
    return any(unicodedata.category(char) not in _INVISIBLE for char in text)
