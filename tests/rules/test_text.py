"""Only text a reader can see counts as a title or a statement."""
import pytest

from quizapp.rules.text import has_visible_text


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\t\n", "\u200b\u200c\u200d", "\u202e\u2066", "\ufeff", "\u0301\u0301", "\u00a0\u3000"],
    ids=["empty", "spaces", "tabs", "zero-width", "bidi", "bom", "lone-combining-marks", "nbsp-ideographic"],
)
def test_invisible_text_does_not_count(text):
    assert not has_visible_text(text)


@pytest.mark.parametrize("text", ["a", " Пётр ", "е\u0301", "🙂", "\u200b1", "漢"])
def test_any_visible_character_counts(text):
    assert has_visible_text(text)
