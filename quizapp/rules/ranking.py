"""Rank players by points with shared ranks."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Standing:
    """One player's totals over the closed rounds being ranked."""

    player_id: int
    name: str
    points: int
    rounds: int
    perfect: int
    max_points: int

    @property
    def accuracy(self) -> float | None:
        """Return points as a share of the maximum, or None when nothing could be scored."""
        if self.max_points == 0:
            return None
        return self.points / self.max_points


@dataclass(frozen=True)
class Ranked:
    """A standing with its place on the leaderboard."""

    rank: int
    standing: Standing


def competition_ranks(values: Sequence[int]) -> list[int]:
    """Return standard competition ranks (1, 2, 2, 4) for values sorted highest first."""
    ranks: list[int] = []
    for position, value in enumerate(values):
        if position and value > values[position - 1]:
            raise ValueError("values must be sorted in descending order")
        if position and value == values[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks


def rank_standings(standings: Iterable[Standing]) -> list[Ranked]:
    """Rank standings by points, highest first; equal points share a rank (1, 2, 2, 4).

    The rank depends on points alone. Players sharing a rank are listed by name, compared
    casefolded, then by player id, so the order is the same on every page load.
    """
    ordered = sorted(standings, key=lambda s: (-s.points, s.name.casefold(), s.player_id))
    ranks = competition_ranks([s.points for s in ordered])
    return [Ranked(rank=rank, standing=s) for rank, s in zip(ranks, ordered, strict=True)]


class PageLinks:
    """The previous and next page numbers of a list shown a page at a time (page counted from 1)."""

    page: int
    pages: int

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


@dataclass(frozen=True)
class BoardPage(PageLinks):
    """One page of a leaderboard, plus the viewer's own row when it falls on another page."""

    rows: list[Ranked]
    me: Ranked | None
    page: int
    pages: int
    total: int
    # The viewer's row is on this page or added below it: the page shows something of theirs.
    shows_viewer: bool = False


def board_page(ranked: Sequence[Ranked], page: int, per_page: int, player_id: int | None = None) -> BoardPage:
    """Cut a ranked list into pages; a page number out of range is clamped to the nearest page."""
    pages = max(1, -(-len(ranked) // per_page))
    page = min(max(page, 1), pages)
    rows = list(ranked[(page - 1) * per_page : page * per_page])
    on_page = player_id is not None and any(row.standing.player_id == player_id for row in rows)
    me = None
    if player_id is not None and not on_page:
        me = next((row for row in ranked if row.standing.player_id == player_id), None)
    return BoardPage(rows=rows, me=me, page=page, pages=pages, total=len(ranked), shows_viewer=on_page or me is not None)


@dataclass(frozen=True)
class Place:
    """Where one player's points stand among everyone who played a round, the player included."""

    rank: int  # as the round's leaderboard has it: equal points share a rank
    players: int
    tied_with: int  # other players on the same points
    beaten: int  # players on fewer points

    @property
    def others(self) -> int:
        return self.players - 1


def place_of(points: int, distribution: Sequence[int]) -> Place:
    """Place `points` among players counted per score (`distribution[p]` players scored p points).

    Read from the counts alone, so a reveal finds its viewer's rank without walking the leaderboard.
    """
    above = sum(count for scored, count in enumerate(distribution) if scored > points)
    beaten = sum(count for scored, count in enumerate(distribution) if scored < points)
    same = distribution[points] if 0 <= points < len(distribution) else 0
    return Place(rank=above + 1, players=sum(distribution), tied_with=max(same - 1, 0), beaten=beaten)


def podium(ranked: Sequence[Ranked], places: int = 3) -> tuple[list[Ranked], int]:
    """The first `places` rows of a ranked list, and how many more rows share the rank of the last one shown:
    a tie for third place is named, not cut."""
    top = list(ranked[:places])
    more = 0
    for row in ranked[places:]:
        if row.rank != top[-1].rank:
            break
        more += 1
    return top, more
