"""The numbers on a facts round's reveal page."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class FactsSummary:
    """The reveal page's overview of a facts round."""

    players: int
    max_points: int
    average_found: Fraction | None
    distribution: list[int]  # index = points 0..max_points, value = number of players
    best_lie_id: int | None
    most_doubted_truth_id: int | None


def summarise_facts(
    statements: Sequence[tuple[int, bool]],
    marked_counts: Mapping[int, int],
    points: Sequence[int],
) -> FactsSummary:
    """Summarise a closed facts round from its statements, their mark counts and the points.

    statements are (id, is_false) in display order; marked_counts maps a statement id to how
    many players marked it false (missing means none); points holds each player's points.
    The best lie is the false statement marked least, the most doubted truth the true one
    marked most (None when no true statement was marked); ties go to the first displayed.
    With no players there is no average, best lie or most doubted truth.
    """
    max_points = sum(1 for _, is_false in statements if is_false)
    distribution = [0] * (max_points + 1)
    for player_points in points:
        if not 0 <= player_points <= max_points:
            raise ValueError(f"points must be between 0 and {max_points}, got {player_points}")
        distribution[player_points] += 1
    if not points:
        return FactsSummary(0, max_points, None, distribution, None, None)

    def marks(statement: tuple[int, bool]) -> int:
        return marked_counts.get(statement[0], 0)

    # min() and max() return the first of equal items, which is the display-order tie-break.
    lies = [s for s in statements if s[1]]
    truths = [s for s in statements if not s[1]]
    best_lie = min(lies, key=marks, default=None)
    most_doubted = max(truths, key=marks, default=None)
    if most_doubted is not None and marks(most_doubted) == 0:
        most_doubted = None
    return FactsSummary(
        players=len(points),
        max_points=max_points,
        average_found=Fraction(sum(points), len(points)),
        distribution=distribution,
        best_lie_id=best_lie[0] if best_lie else None,
        most_doubted_truth_id=most_doubted[0] if most_doubted else None,
    )
