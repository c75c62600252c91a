"""Percentages that add up to exactly 100.0, by the largest-remainder method."""
from __future__ import annotations

from collections.abc import Sequence

WHOLE = 1000  # 100.0 % in tenths of a percent


def tenths(counts: Sequence[int]) -> list[int]:
    """Return each count's share in tenths of a percent, summing to exactly 1000.

    Largest remainder (Hamilton): floor every exact share, then hand the tenths still missing
    to the largest remainders, the lower index first on ties. All zeros when the total is 0.
    Integer arithmetic only, so the result never depends on float rounding.
    """
    if any(count < 0 for count in counts):
        raise ValueError("counts must not be negative")
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    floors = [count * WHOLE // total for count in counts]
    remainders = [count * WHOLE % total for count in counts]
    missing = WHOLE - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:missing]:
        floors[i] += 1
    return floors

