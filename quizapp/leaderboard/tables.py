"""Rendering a page of a leaderboard's table, kept for everyone who has no row on it."""
from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

from quizapp.cache import kept_rendering
from quizapp.rules.ranking import BoardPage


def board_html(board: BoardPage, key: tuple[object, ...], **context: Any) -> Markup:
    """The table of one page of a leaderboard (leaderboard/_table.html with `context`).

    A viewer whose own row is on the page sees it highlighted: theirs is rendered for them. Everyone else sees
    the same HTML for as long as its key (quizapp.versions.board_key) stays the same.
    """

    def render() -> Markup:
        return Markup(render_template("leaderboard/_table.html", board=board, **context))

    if board.shows_viewer:
        return render()
    return kept_rendering(key, render)
