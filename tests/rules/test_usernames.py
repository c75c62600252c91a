import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.rules.usernames import normalise, skeleton, validate_username

LENGTH = "Use 3 to 32 characters."
CHARACTERS = "Use letters, digits, _ and - only."


def test_uniqueness_key_ignores_case():
    assert normalise("Alice") == normalise("ALICE") == normalise("alice")


def test_uniqueness_key_ignores_case_in_cyrillic():
    assert normalise("Пётр") == normalise("ПЁТР")


def test_uniqueness_key_folds_german_sharp_s():
    assert normalise("Straße") == normalise("STRASSE")


def test_uniqueness_key_folds_compatibility_forms():
    # Fullwidth letters and the "ﬁ" ligature are the same name after NFKC.
    assert normalise("ＡＬＩＣＥ") == normalise("alice")
    assert normalise("ﬁona") == normalise("Fiona")


def test_uniqueness_key_makes_composed_and_decomposed_accents_equal():
    assert normalise("Jose\u0301") == normalise("Jos\u00e9")


def test_uniqueness_key_keeps_different_letters_apart():
    assert normalise("Пётр") != normalise("Петр")


@given(st.text(max_size=40))
def test_uniqueness_key_is_stable_when_applied_again(name):
    assert normalise(normalise(name)) == normalise(name)


def test_skeleton_catches_cyrillic_capital_a_in_admin():
    assert skeleton("\u0410dmin") == skeleton("Admin")
    assert normalise("\u0410dmin") != normalise("Admin")


@pytest.mark.parametrize(
    ("spoof", "latin"),
    [
        ("\u0440\u0430\u0443\u0440\u0430\u0441", "paypac"),  # all-Cyrillic "раурас"
        ("\u0412\u041e\u0412", "BOB"),  # Cyrillic capitals В О В
        ("\u041c\u0410\u0420\u041a", "MAPK"),
        ("\u0455\u0435\u0441\u0443", "secy"),
        ("\u039d\u0399\u039a\u039f", "NIKO"),  # Greek capitals Ν Ι Κ Ο
        ("\u03bf\u03c1\u03b1", "opa"),  # Greek small ο ρ α
        ("P\u0430yP\u0430l", "PayPal"),  # one script mixed into another
    ],
)
def test_skeleton_matches_cyrillic_and_greek_lookalikes(spoof, latin):
    assert skeleton(spoof) == skeleton(latin)


def test_skeleton_does_not_merge_distinct_russian_names():
    assert skeleton("Пётр") != skeleton("Петр")


def test_skeleton_does_not_map_digits():
    assert skeleton("l0l") != skeleton("lol")
    assert skeleton("1ce") != skeleton("ice")


def test_skeleton_includes_case_folding():
    assert skeleton("ADMIN") == skeleton("admin")


@pytest.mark.parametrize(
    "name",
    [
        "abc",
        "a" * 32,
        "Alice_99",
        "dash-ing",
        "Пётр",
        "Пе\u0301тр",  # a combining accent after a letter
        "Ελένη",
        "王小明",
        "محمد",
        "José",
        "user٣",  # Arabic-Indic digit: a decimal digit of another script
    ],
)
def test_valid_usernames(name):
    assert validate_username(name) is None


@pytest.mark.parametrize("name", ["", "ab", "a" * 33])
def test_username_length_is_3_to_32(name):
    assert validate_username(name) == LENGTH


def test_username_length_counts_code_points_so_a_combining_mark_counts():
    assert validate_username("Пе\u0301") is None


def test_username_length_is_counted_after_nfkc():
    # "ﬃ" is one character that NFKC turns into three.
    assert validate_username("\ufb03") is None
    assert validate_username("a" * 30 + "\ufb03") == LENGTH


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("john smith", id="space"),
        pytest.param("john\u00a0smith", id="no-break-space"),
        pytest.param("john.smith", id="dot"),
        pytest.param("john@example", id="at"),
        pytest.param("bob😀", id="emoji"),
        pytest.param("bob\tby", id="tab"),
        pytest.param("bob\x00by", id="nul"),
        pytest.param("bob\x7fby", id="delete"),
        pytest.param("\u0301abc", id="leading-combining-mark"),
        pytest.param("abc1\u0301", id="combining-mark-on-a-digit"),
        pytest.param("a_\u0301bc", id="combining-mark-on-underscore"),
    ],
)
def test_username_refuses_other_characters(name):
    assert validate_username(name) == CHARACTERS


@pytest.mark.parametrize(
    "char",
    ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_username_refuses_zero_width_characters(char):
    assert validate_username(f"ad{char}min") == CHARACTERS


@pytest.mark.parametrize(
    "char",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_username_refuses_bidi_controls(char):
    assert validate_username(f"ad{char}min") == CHARACTERS


@pytest.mark.parametrize(
    "char",
    ["\u3164", "\u115f", "\u1160", "\uffa0", "\u034f", "\ufe0f", "\U000e0100", "\u180b"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_username_refuses_invisible_letters_and_marks(char):
    assert validate_username(f"ad{char}min") == CHARACTERS


def test_username_made_only_of_hangul_fillers_is_refused():
    assert validate_username("\u3164\u3164\u3164") == CHARACTERS


@given(st.text(min_size=3, max_size=32))
def test_accepted_usernames_hold_only_allowed_categories(name):
    if validate_username(name) is None:
        for char in unicodedata.normalize("NFKC", name):
            category = unicodedata.category(char)
            assert category[0] in "LM" or category == "Nd" or char in "_-"


def test_several_combining_marks_may_follow_a_letter():
    # x has no precomposed form with these marks, so NFKC leaves both after the letter.
    assert validate_username("max\u0301\u0302") is None
