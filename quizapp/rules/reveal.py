"""The numbers on a facts round's reveal page."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


@dataclass(frozen=True)
class StatementStat:
    """How many of the round's players marked one statement false."""

    statement_id: int
    is_false: bool
    marked_false: int
    players: int

    @property
    def tenths(self) -> int:
        """Return the share that marked it false in tenths of a percent, half rounded up."""
        if self.players == 0:
            return 0
        return (self.marked_false * 2000 + self.players) // (2 * self.players)


class LieWording(StrEnum):
    """How the reveal words its best lie, by the numbers: never "only" when most players caught it."""

    NOBODY = "nobody"  # no player caught it
    FEW = "few"  # fewer than half caught it: "only n of N"
    MOST = "most"  # half or more caught it, yet it was still the lie caught least
    ALL_EQUAL = "all_equal"  # every lie was caught by as many players: none stands out


@dataclass(frozen=True)
class FactsSummary:
    """The reveal page's overview of a facts round."""

    players: int
    max_points: int
    average_found: Fraction | None
    distribution: list[int]  # index = points 0..max_points, value = number of players
    best_lie_ids: tuple[int, ...] = ()  # every lie marked least, in display order: a tie is named as a tie
    best_lie_caught: int = 0
    best_lie_wording: LieWording | None = None
    most_doubted_truth_ids: tuple[int, ...] = ()  # every truth marked most, when any was marked
    most_doubted_marks: int = 0


def lie_wording(caught: int, players: int, *, every_lie_tied: bool) -> LieWording:
    """How to word a best lie caught by `caught` of `players`; `every_lie_tied` when the round's lies all were."""
    if caught == 0:
        return LieWording.NOBODY
    if every_lie_tied:
        return LieWording.ALL_EQUAL
    return LieWording.FEW if 2 * caught < players else LieWording.MOST


def _extreme(ids_and_marks: list[tuple[int, int]], pick: Callable[[list[int]], int]) -> tuple[tuple[int, ...], int]:
    """The ids whose marks are the pick (min or max) of all, in the given order, and that number of marks."""
    if not ids_and_marks:
        return (), 0
    chosen = pick([marks for _, marks in ids_and_marks])
    return tuple(id_ for id_, marks in ids_and_marks if marks == chosen), chosen


def summarise_facts(
    statements: Sequence[tuple[int, bool]],
    marked_counts: Mapping[int, int],
    points: Sequence[int],
) -> FactsSummary:
    """Summarise a closed facts round from its statements, their mark counts and the points.

    statements are (id, is_false) in display order; marked_counts maps a statement id to how
    many players marked it false (missing means none); points holds each player's points.
    The best lies are the false statements marked least, the most doubted truths the true ones
    marked most (none when no true statement was marked); every tied statement is named, in display order.
    With no players there is no average, best lie or most doubted truth.
    """
    max_points = sum(1 for _, is_false in statements if is_false)
    distribution = [0] * (max_points + 1)
    for player_points in points:
        if not 0 <= player_points <= max_points:
            raise ValueError(f"points must be between 0 and {max_points}, got {player_points}")
        distribution[player_points] += 1
    if not points:
        return FactsSummary(0, max_points, None, distribution)
    lies = [(id_, marked_counts.get(id_, 0)) for id_, is_false in statements if is_false]
    truths = [(id_, marked_counts.get(id_, 0)) for id_, is_false in statements if not is_false]
    best_lies, caught = _extreme(lies, min)
    doubted, doubts = _extreme(truths, max)
    wording = lie_wording(caught, len(points), every_lie_tied=len(best_lies) == len(lies) > 1) if lies else None
    return FactsSummary(
        players=len(points),
        max_points=max_points,
        average_found=Fraction(sum(points), len(points)),
        distribution=distribution,
        best_lie_ids=best_lies,
        best_lie_caught=caught,
        best_lie_wording=wording,
        most_doubted_truth_ids=doubted if doubts > 0 else (),
        most_doubted_marks=doubts,
    )
