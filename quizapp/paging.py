"""Lists that can grow without bound are shown a page at a time: ?page= read safely, one query per page."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request
from sqlalchemy import Select, func, select

from quizapp.extensions import db
from quizapp.rules.ranking import PageLinks

T = TypeVar("T")
PER_PAGE = 50
# A page number is a few ASCII digits; anything else (Unicode digits, thousands of digits, signs) is page 1.
_PAGE = re.compile(r"[0-9]{1,9}")


def page_number(name: str = "page") -> int:
    """The page asked for in the query string, from 1."""
    value = request.args.get(name, "")
    return max(int(value), 1) if _PAGE.fullmatch(value) else 1


@dataclass(frozen=True)
class Page(PageLinks, Generic[T]):
    """One page of a list, with what its previous/next links need."""

    items: Sequence[T]
    page: int
    pages: int


def page_of(query: Select[Any], page: int, per_page: int = PER_PAGE) -> Page[Any]:
    """Run the query for one page of its rows; a page past the end shows the last one."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=items, page=page, pages=pages)
