"""Username rules: the uniqueness key, the lookalike key and what a name may contain."""
from __future__ import annotations

import unicodedata

MIN_LENGTH = 3
MAX_LENGTH = 32
LENGTH_MESSAGE = "Use 3 to 32 characters."
CHARACTERS_MESSAGE = "Use letters, digits, _ and - only."

# Letters a name may be spoofed with, after casefolding, and the Latin letter they pass for.
# Names are shown as typed, so a letter is listed when its capital or its small form looks
# like the Latin letter of the same case (Cyrillic "В" is "B", so "в" -> "b"). When the two
# forms pass for different letters, the capital wins (Greek "Ν" is "N", though "ν" looks
# like "v"). Digits are never mapped: "l0l" and "lol" are different people.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "ë",
        "і": "i",
        "ї": "ï",
        "ј": "j",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "ү": "y",
        "х": "x",
        "ѕ": "s",
        "ԁ": "d",
        "һ": "h",
        "ӏ": "l",
        "ԛ": "q",
        "ԝ": "w",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "ζ": "z",
        "η": "h",
        "ι": "i",
        "κ": "k",
        "μ": "m",
        "ν": "n",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "y",
        "χ": "x",
        # Latin lookalikes of Latin letters
        "ı": "i",
        "ɑ": "a",
        "ɡ": "g",
    }
)

# Characters that render as nothing (or as blank space) yet are letters or marks by
# category: Hangul fillers, the combining grapheme joiner, Khmer inherent vowels and
# variation selectors. A name made of them would look empty or like another name.
_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
    + "".join(chr(cp) for cp in range(0x180B, 0x1810))
    + "".join(chr(cp) for cp in range(0xFE00, 0xFE10))
    + "".join(chr(cp) for cp in range(0xE0100, 0xE01F0))
)

# Rejected by category already; listed so the intent survives any loosening of that rule.
_ZERO_WIDTH_AND_BIDI = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def normalise(name: str) -> str:
    """Return the uniqueness key of a name: NFKC, then casefold.

    A last NFKC pass keeps the key itself normalised, since casefolding can undo it.
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def skeleton(name: str) -> str:
    """Return a lookalike key: the uniqueness key with Cyrillic and Greek lookalikes made Latin."""
    return normalise(name).translate(_CONFUSABLES)


def validate_username(name: str) -> str | None:
    """Return None for an acceptable username, else a plain English message.

    The rules apply to the NFKC form, which is what callers should store: 3 to 32 code points
    of letters of any script, decimal digits, "_" and "-"; combining marks only right after a
    letter (or after another mark on one). Spaces, control, zero-width, bidi and invisible
    characters are refused.
    """
    text = unicodedata.normalize("NFKC", name)
    if not MIN_LENGTH <= len(text) <= MAX_LENGTH:
        return LENGTH_MESSAGE
    previous = ""
    for char in text:
        if char in _ZERO_WIDTH_AND_BIDI or char in _INVISIBLE:
            return CHARACTERS_MESSAGE
        category = unicodedata.category(char)
        if category.startswith("M"):
            if previous not in ("L", "M"):
                return CHARACTERS_MESSAGE
        elif not (category.startswith("L") or category == "Nd" or char in "_-"):
            return CHARACTERS_MESSAGE
        previous = category[0]
    return None
