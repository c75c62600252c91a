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
    text_width = WIDTH - 2 * MARGIN
    pen.rectangle((0, 0, 16, HEIGHT), fill=accent)

    wordmark = font_of(34, bold=True)
    pen.text((MARGIN, 56), normal(card.wordmark), font=wordmark, fill=INK)
    if card.badge:
        badge_font = font_of(26, bold=True)
        badge = normal(card.badge)
        right = WIDTH - MARGIN
        left = right - badge_font.getlength(badge) - 40
        pen.rounded_rectangle((left, 52, right, 100), radius=24, fill=accent)
        pen.text(((left + right) / 2, 76), badge, font=badge_font, fill=BACKGROUND, anchor="mm")

    top = 140
    reveal = bool(card.story or card.bars)
    sizes = (56, 48, 42, 36) if reveal else (68, 60, 52, 46, 40)
    title_font, title_lines = fit(normal(card.title), sizes, text_width, 2 if reveal else 3)
    line_height = int(title_font.size * 1.2)
    for line in title_lines:
        pen.text((MARGIN, top), line, font=title_font, fill=INK)
        top += line_height
    top += 8
    if card.facts:
        pen.text((MARGIN, top), normal(card.facts), font=font_of(30 if reveal else 34), fill=accent)
        top += 50 if reveal else 56
    if card.story:
        story_font, story_lines = fit(normal(card.story), (28, 26), text_width, 2, bold=False)
        for line in story_lines:
            pen.text((MARGIN, top), line, font=story_font, fill=INK)
            top += int(story_font.size * 1.3)
        top += 8
    for bar in card.bars:
        if top + BAR_HEIGHT > HEIGHT - 96:
            break  # the footer's place: fewer bars rather than a crowded card
        top = _bar(pen, bar, top, accent)
    if card.footer:
        footer_font = font_of(28)
        pen.text((MARGIN, HEIGHT - 52), normal(card.footer), font=footer_font, fill=MUTED, anchor="ls")
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


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
