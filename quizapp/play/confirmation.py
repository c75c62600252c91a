"""The "you answered" box: kept in parts once per round, and put together around each player's own choices.

Every player of a round sees the same box but for the statements they marked or the option they chose, so
each statement's (or option's) line is rendered once, all of them at once: how long a confirmation takes
then tells nobody whether another player chose the same. htmx swaps the whole round panel in after every
answer, so the panel's frame around the box is kept with it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from quizapp import versions
from quizapp.cache import kept_rendering
from quizapp.queries import PlayerAnswer
from quizapp.rules.lifecycle import RoundStatus
from quizapp.snapshots import RoundSnapshot
from quizapp.web import is_htmx

# Where the box goes in the kept panel. A NUL never reaches the database (web.refuse_unreadable_input refuses
# it), so no round's text can contain it.
_PLACE = "\x00"


@dataclass(frozen=True)
class Parts:
    head: Markup
    choices: dict[int, Markup]  # statement or option id -> its line
    tail: Markup
    panel: tuple[Markup, Markup]  # play/_round_panel.html of an open round as a player who answered sees it

    def box_parts(self, round_: RoundSnapshot, answer: PlayerAnswer) -> list[str]:
        """The box's pieces, all markup already: joined as plain strings (Markup's join escapes each piece again)."""
        if round_.is_facts:
            marked = answer.marked_ids
            chosen = [s.id for s in round_.statements if s.id in marked]
        else:
            chosen = [answer.option_id] if answer.option_id is not None else []
        return [self.head, *(self.choices[i] for i in chosen if i in self.choices), self.tail]


def _render(round_: RoundSnapshot, fragment: bool) -> Parts:
    def part(name: str, **context: object) -> Markup:
        return Markup(render_template("play/_confirmation.html", part=name, round=round_, fragment=fragment,
                                      **context))

    items = round_.statements if round_.is_facts else round_.options
    panel = render_template("play/_round_panel.html", round=round_, status=RoundStatus.OPEN, statuses=RoundStatus,
                            answer=True, confirmation=Markup(_PLACE), results=None)
    before, after = panel.split(_PLACE)
    return Parts(part("head"), {item.id: part("choice", item=item) for item in items}, part("tail"),
                 (Markup(before), Markup(after)))


def _parts(round_: RoundSnapshot) -> Parts:
    fragment = is_htmx()  # swapped in by htmx, the box takes the focus
    parts: Parts = kept_rendering(versions.confirmation_key(round_, fragment), lambda: _render(round_, fragment))
    return parts


def confirmation_html(round_: RoundSnapshot, answer: PlayerAnswer) -> Markup:
    """The box for this answer, its choices in the round's order."""
    return Markup("".join(_parts(round_).box_parts(round_, answer)))


def answered_panel_html(round_: RoundSnapshot, answer: PlayerAnswer) -> Markup:
    """The whole round panel of a player who answered an open round, when no tally shows beside the box."""
    parts = _parts(round_)
    before, after = parts.panel
    return Markup("".join([before, *parts.box_parts(round_, answer), after]))
