"""Score answers and check the shape of a facts answer."""
from __future__ import annotations

from collections.abc import Collection


def score_facts(false_ids: Collection[int], marked_ids: Collection[int]) -> int:
    """Return one point per false statement the player marked; a repeated mark counts once."""
    return len(set(false_ids) & set(marked_ids))


def score_poll(correct_option_id: int | None, chosen_option_id: int) -> int:
    """Return 1 for the correct option of a quiz poll, else 0; opinion polls have none."""
    if correct_option_id is None:
        return 0
    return 1 if chosen_option_id == correct_option_id else 0


def is_valid_facts_marks(
    statement_ids: Collection[int], marked_ids: Collection[int], false_count: int
) -> str | None:
    """Return None for a valid set of marks, else "duplicate", "unknown" or "count".

    Checks run in that order, so a forged or repeated id is reported as such rather than as a
    wrong count. Pass the marks as submitted (a list), not as a set, or duplicates go unseen.
    """
    marked = list(marked_ids)
    distinct = set(marked)
    if len(distinct) != len(marked):
        return "duplicate"
    if not distinct <= set(statement_ids):
        return "unknown"
    if len(distinct) != false_count:
        return "count"
    return None
