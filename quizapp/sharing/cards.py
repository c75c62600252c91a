"""Preview images: a Card (the words, already in their language) drawn as a 1200×630 PNG.

Nothing here knows about rounds, requests or secrets: a card shows exactly the strings it is given, so whoever
builds one decides what a state may show (quizapp.sharing.previews), and equal cards draw equal bytes.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
FONTS = Path(__file__).resolve().parent.parent / "fonts"

BACKGROUND = (24, 22, 48)
PANEL = (36, 33, 70)
INK = (245, 243, 255)
MUTED = (178, 172, 214)
ACCENTS = {"open": (255, 196, 61), "scheduled": (120, 200, 255), "closed": (255, 99, 132), "site": (140, 110, 255)}
BAR_TRACK = (60, 56, 104)
BAR_HEIGHT = 60  # a bar's label, the bar, and the gap under it
ROW_HEIGHT = 40  # a compact bar: label, bar and share on one line, when the full ones do not all fit
BARS_BOTTOM = HEIGHT - 84  # where the footer's place begins
FOUND, MISSED = (74, 222, 128), (255, 99, 132)
SQUARE = 56


@dataclass(frozen=True)
class Bar:
    """One bar of a reveal: its label and its share in tenths of a percent, with that share written out."""

    label: str
    tenths: int
    share: str


@dataclass(frozen=True)
class Card:
    """Everything a preview image shows, in the viewer's language."""

    wordmark: str
    badge: str  # the state, e.g. "Open" or "Revealed"
    tone: str  # a key of ACCENTS
    title: str
    facts: str = ""  # "10 statements · 3 lies"
    footer: str = ""  # "Closes 28 Nov 2026, 10:00 (UTC)"
    story: str = ""  # after the close: what fooled people
    bars: tuple[Bar, ...] = ()
    more: str = ""  # the row that stands for bars left out, with {n} for how many: "+{n} more"
    score: str = ""  # a player's own card: "2/3", drawn large
    squares: tuple[bool, ...] = ()  # a player's own card: one square per point to find, found or missed

    def digest(self) -> str:
        """A digest of every word and number on the card: equal digests draw equal images."""
        return hashlib.sha256(json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@cache
def font_of(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # Raqm shapes combining accents onto their letters; without it Pillow's basic layout still draws DejaVu's marks.
    layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=layout)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break text into lines no wider than width, between words, or inside a word too long for a line."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        while font.getlength(word) > width:
            cut = len(word)
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def fit(text: str, sizes: tuple[int, ...], width: int, max_lines: int, bold: bool = True
        ) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of sizes at which text fits in max_lines; at the smallest, cut with an ellipsis."""
    for size in sizes:
        font = font_of(size, bold)
        lines = wrap(text, font, width)
        if len(lines) <= max_lines:
            return font, lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return font, lines


def draw(card: Card) -> bytes:
    """Draw the card as a PNG."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    accent = ACCENTS.get(card.tone, ACCENTS["site"])
    pen.rectangle((0, 0, 16, HEIGHT), fill=accent)
    _head(pen, card, accent)
    reveal = bool(card.story or card.bars or card.score)
    top = _title(pen, card.title, 140, reveal)
    if card.score:
        _personal(pen, card, top, accent)
    else:
        _body(pen, card, top, accent, reveal)
    if card.footer:
        footer_font = font_of(28)
        pen.text((MARGIN, HEIGHT - 52), normal(card.footer), font=footer_font, fill=MUTED, anchor="ls")
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _head(pen: ImageDraw.ImageDraw, card: Card, accent: tuple[int, int, int]) -> None:
    """The wordmark, and the state's badge on the right."""
    pen.text((MARGIN, 56), normal(card.wordmark), font=font_of(34, bold=True), fill=INK)
    if card.badge:
        badge_font = font_of(26, bold=True)
        badge = normal(card.badge)
        right = WIDTH - MARGIN
        left = right - badge_font.getlength(badge) - 40
        pen.rounded_rectangle((left, 52, right, 100), radius=24, fill=accent)
        pen.text(((left + right) / 2, 76), badge, font=badge_font, fill=BACKGROUND, anchor="mm")


def _title(pen: ImageDraw.ImageDraw, title: str, top: int, reveal: bool) -> int:
    """Draw the title under top, smaller and shorter when a reveal needs the room; return where it ends."""
    sizes = (56, 48, 42, 36) if reveal else (68, 60, 52, 46, 40)
    title_font, title_lines = fit(normal(title), sizes, WIDTH - 2 * MARGIN, 2 if reveal else 3)
    for line in title_lines:
        pen.text((MARGIN, top), line, font=title_font, fill=INK)
        top += int(title_font.size * 1.2)
    return top + 8


def _body(pen: ImageDraw.ImageDraw, card: Card, top: int, accent: tuple[int, int, int], reveal: bool) -> None:
    """A round's or the site's card: what it asks, then after the close its story and bars."""
    if card.facts:
        pen.text((MARGIN, top), normal(card.facts), font=font_of(30 if reveal else 34), fill=accent)
        top += 50 if reveal else 56
    if card.story:
        story_font, story_lines = fit(normal(card.story), (28, 26), WIDTH - 2 * MARGIN, 2, bold=False)
        for line in story_lines:
            pen.text((MARGIN, top), line, font=story_font, fill=INK)
            top += int(story_font.size * 1.3)
        top += 8
    height, shown = bar_layout(len(card.bars), BARS_BOTTOM - top)
    draw_bar = _bar if height == BAR_HEIGHT else _row
    for bar in card.bars[:shown]:
        top = draw_bar(pen, bar, top, accent)
    if shown < len(card.bars) and card.more:
        more = card.more.replace("{n}", str(len(card.bars) - shown))
        pen.text((MARGIN, top), normal(more), font=font_of(24, bold=True), fill=MUTED)


def bar_layout(bars: int, room: int) -> tuple[int, int]:
    """How tall each bar is and how many are drawn in room pixels: full bars when all fit, else compact rows,
    and when even those run out, one row fewer to say how many more there are."""
    if bars * BAR_HEIGHT <= room:
        return BAR_HEIGHT, bars
    rows = max(room // ROW_HEIGHT, 0)
    return ROW_HEIGHT, bars if bars <= rows else max(rows - 1, 0)


def _personal(pen: ImageDraw.ImageDraw, card: Card, top: int, accent: tuple[int, int, int]) -> None:
    """A player's own card: their score large, a square per point to find, what it counts and their rank."""
    score_font = font_of(132, bold=True)
    top += 8
    pen.text((MARGIN, top), normal(card.score), font=score_font, fill=INK, anchor="la")
    left = MARGIN + score_font.getlength(normal(card.score)) + 40
    square = SQUARE if len(card.squares) <= 8 else 36
    for n, found in enumerate(card.squares[:16]):
        x = left + n * (square + 12)
        pen.rounded_rectangle((x, top + 24, x + square, top + 24 + square), radius=10,
                              fill=FOUND if found else MISSED)
    if card.facts:
        pen.text((left, top + 24 + square + 16), normal(card.facts), font=font_of(30), fill=MUTED)
    if card.story:
        pen.text((MARGIN, top + 170), normal(card.story), font=font_of(40, bold=True), fill=accent)


def _row(pen: ImageDraw.ImageDraw, bar: Bar, top: int, accent: tuple[int, int, int]) -> int:
    """Draw one compact bar (label, bar and share on one line) under top; return where the next one starts."""
    font, share_font = font_of(22), font_of(22, bold=True)
    label_width = 400
    label = fit(normal(bar.label), (22,), label_width, 1, bold=False)[1][0]
    pen.text((MARGIN, top + 4), label, font=font, fill=MUTED)
    pen.text((WIDTH - MARGIN, top + 4), normal(bar.share), font=share_font, fill=INK, anchor="ra")
    left, right = MARGIN + label_width + 24, WIDTH - MARGIN - 110
    pen.rounded_rectangle((left, top + 10, right, top + 24), radius=7, fill=BAR_TRACK)
    filled = round((right - left) * max(0, min(bar.tenths, 1000)) / 1000)
    if filled >= 14:
        pen.rounded_rectangle((left, top + 10, left + filled, top + 24), radius=7, fill=accent)
    return top + ROW_HEIGHT


def _bar(pen: ImageDraw.ImageDraw, bar: Bar, top: int, accent: tuple[int, int, int]) -> int:
    """Draw one labelled bar under top; return where the next one starts."""
    label_font = font_of(24)
    share_font = font_of(24, bold=True)
    track = WIDTH - 2 * MARGIN
    share = normal(bar.share)
    label = fit(normal(bar.label), (24,), track - share_font.getlength(share) - 24, 1, bold=False)[1][0]
    pen.text((MARGIN, top), label, font=label_font, fill=MUTED)
    pen.text((WIDTH - MARGIN, top), share, font=share_font, fill=INK, anchor="ra")
    top += 34
    pen.rounded_rectangle((MARGIN, top, MARGIN + track, top + 14), radius=7, fill=BAR_TRACK)
    filled = round(track * max(0, min(bar.tenths, 1000)) / 1000)
    if filled >= 14:
        pen.rounded_rectangle((MARGIN, top, MARGIN + filled, top + 14), radius=7, fill=accent)
    return top + 26


def normal(text: str) -> str:
    """Composed where Unicode has a composed letter, so an accent is drawn as the font's own glyph when it can be."""
    return unicodedata.normalize("NFC", text)
