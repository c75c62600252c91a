import pytest

from quizapp.rules.paste import split_statements

FRIDAY_FACTS = [
    "Я родилась в Новосибирске и до восемнадцати лет ни разу не видела моря.",
    "Мой первый код был на Бейсике, и это была игра про змейку.",
    "Я трижды сдавала экзамен по вождению и так и не сдала.",
    "В университете я изучала филологию, а не информатику.",
    "Я умею играть на виолончели.",
    "Однажды я опоздала на самолёт, потому что читала статью про трансформеры.",
    "Мой кот носит имя Гра\u0301диент, с ударением на первый слог.",
    "Я пробежала марафон за четыре часа.",
    "У меня аллергия на клубнику.",
    "Я ни разу не была в Москве 🙂",
]


def test_russian_friday_post_gives_ten_statements_byte_for_byte():
    post = "\r\n\r\n".join(FRIDAY_FACTS) + "\r\n"
    statements = split_statements(post)
    assert len(statements) == 10
    assert [s.encode("utf-8") for s in statements] == [f.encode("utf-8") for f in FRIDAY_FACTS]


def test_text_is_not_unicode_normalised():
    # Each of these would change under NFC or NFD: decomposed "é" and "й", precomposed "é".
    facts = ["Cafe\u0301 au lait", "Мои\u0306 кот", "Déjà vu"]
    statements = split_statements("\n".join(f"- {fact}" for fact in facts))
    assert [s.encode("utf-8") for s in statements] == [f.encode("utf-8") for f in facts]


def test_numbered_with_dots():
    assert split_statements("1. I have a cat.\n2. I can juggle.\n3. I was born at sea.") == [
        "I have a cat.",
        "I can juggle.",
        "I was born at sea.",
    ]


def test_numbered_with_parentheses_and_two_digit_numbers():
    text = "\n".join(f"{n}) fact {n}" for n in range(1, 12))
    assert split_statements(text) == [f"fact {n}" for n in range(1, 12)]


@pytest.mark.parametrize("bullet", ["-", "•", "*", "–", "—"])
def test_bulleted_lines(bullet):
    assert split_statements(f"{bullet} Я люблю чай\n{bullet} I speak Greek") == [
        "Я люблю чай",
        "I speak Greek",
    ]


def test_intro_and_closing_line_around_a_list_are_dropped():
    text = (
        "Пятничная игра!\n\n"
        "Вот 5 фактов обо мне, 2 из них ложь:\n"
        "1. Один\n2. Два\n3. Три\n4. Четыре\n5. Пять\n\n"
        "Угадаете?"
    )
    assert split_statements(text) == ["Один", "Два", "Три", "Четыре", "Пять"]


def test_list_items_separated_by_blank_lines():
    assert split_statements("1. One\n\n2. Two\n\n3. Three\n") == ["One", "Two", "Three"]


def test_lines_after_a_marker_continue_its_statement():
    text = "1. I once met\n   a famous actor.\n2. I have a cat."
    assert split_statements(text) == ["I once met\na famous actor.", "I have a cat."]


def test_a_marker_in_the_middle_of_a_line_is_text():
    assert split_statements("- Born in 1990. Yes.\n- Hate tea - really") == [
        "Born in 1990. Yes.",
        "Hate tea - really",
    ]


# Every marker the list shape knows (the _MARKER pattern is a module-level table mutmut does not mutate).
MARKERS = ["1.", "1)", "12.", "123)", "0.", "-", "•", "*", "–", "—"]


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("space", [" ", "\t", "   "], ids=["space", "tab", "spaces"])
def test_each_marker_followed_by_whitespace_starts_an_item(marker, space):
    text = f"Intro line\n{marker}{space}One\n  {marker}{space}Two\n\t{marker}{space}Three"
    assert split_statements(text) == ["One", "Two", "Three"]


@pytest.mark.parametrize("marker", MARKERS)
def test_a_marker_alone_on_its_line_starts_an_item_continued_below(marker):
    assert split_statements(f"{marker}\nOne\n{marker}\nTwo") == ["One", "Two"]


# Two such lines in one block would be a list if either were taken for a marker; as text, each line is a statement.
@pytest.mark.parametrize(
    "line",
    ["-5 degrees is warm", "*really* true", "1999. What a year", "1.5 cats on average", "1,5 cats", "1:1 draw",
     "a. not a number", "+ plus is not a bullet", "# not a bullet", "•bullet without space", "—dash without space",
     "12)x", "٣. Arabic-Indic digit", "１. fullwidth digit"],
)
def test_marker_lookalikes_without_space_or_with_a_year_are_not_items(line):
    assert split_statements(f"{line}\n{line}") == [line, line]


def test_paragraphs_separated_by_blank_lines():
    text = "I have a cat.\n\nI can juggle.\n\n\nI was born at sea."
    assert split_statements(text) == ["I have a cat.", "I can juggle.", "I was born at sea."]


def test_paragraph_keeps_its_inner_line_breaks():
    text = "First line\nof one fact.\n\nSecond fact."
    assert split_statements(text) == ["First line\nof one fact.", "Second fact."]


def test_whitespace_only_lines_separate_paragraphs():
    assert split_statements("One\n \t \nTwo\n\u00a0\nThree") == ["One", "Two", "Three"]


def test_single_block_of_lines_gives_one_statement_per_line():
    assert split_statements("I have a cat.\nI can juggle.\n  I was born at sea.  ") == [
        "I have a cat.",
        "I can juggle.",
        "I was born at sea.",
    ]


def test_single_line_is_one_statement():
    assert split_statements("  Just one fact.  ") == ["Just one fact."]


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_windows_old_mac_and_unix_line_ends(newline):
    text = newline.join(["1. One", "2. Two", "", "3. Three"])
    assert split_statements(text) == ["One", "Two", "Three"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_ends_inside_a_paragraph_become_newlines(newline):
    text = f"a{newline}b{newline}{newline}c"
    assert split_statements(text) == ["a\nb", "c"]


def test_unicode_line_separator_is_text_not_a_line_end():
    assert split_statements("one\u2028still one\n\ntwo") == ["one\u2028still one", "two"]


def test_emoji_and_other_scripts_survive():
    text = "- 🐈‍⬛ у меня чёрный кот\n- Ελληνικά μιλάω\n- 日本に住んでいた"
    assert split_statements(text) == ["🐈‍⬛ у меня чёрный кот", "Ελληνικά μιλάω", "日本に住んでいた"]


@pytest.mark.parametrize("text", ["", "   ", "\r\n\r\n", "\n \n\t\n"])
def test_empty_or_blank_input_gives_nothing(text):
    assert split_statements(text) == []


def test_empty_items_are_dropped():
    assert split_statements("1. One\n2.\n3. Three") == ["One", "Three"]


def test_dialogue_dash_in_one_paragraph_keeps_a_paragraph_post():
    facts = [
        "Я работала в зоопарке.",
        "— Ты кто?\n— Я врач, — ответила я однажды пациенту.",
        "Я боюсь высоты.",
        "Я выиграла олимпиаду по химии.",
        "Я не пью кофе.",
    ]
    assert split_statements("\n\n".join(facts)) == facts


def test_dialogue_dash_paragraphs_among_plain_ones_keep_a_paragraph_post():
    facts = ["— Привет!", "Обычный факт.", "— Пока!", "Ещё факт."]
    assert split_statements("\n\n".join(facts)) == facts


def test_single_bulleted_line_is_not_a_list():
    assert split_statements("Intro\n- only item") == ["Intro", "- only item"]


def test_marker_lines_outnumbered_by_the_paragraphs_around_them_are_not_a_list():
    # Two dashes between an intro and an outro: as likely dialogue as a list, so the blocks stay paragraphs.
    text = "Intro.\n\n- Two\n- Three\n\nOutro."
    assert split_statements(text) == ["Intro.", "- Two\n- Three", "Outro."]


def test_marker_lines_that_outnumber_the_paragraphs_around_them_are_a_list():
    assert split_statements("Intro.\n\n- Two\n- Three\n- Four\n\nOutro.") == ["Two", "Three", "Four"]
