from fractions import Fraction

import pytest

from quizapp.rules.reveal import FactsSummary, LieWording, StatementStat, lie_wording, summarise_facts


def stat(marked_false, players):
    return StatementStat(statement_id=1, is_false=True, marked_false=marked_false, players=players)


@pytest.mark.parametrize(
    ("marked", "players", "tenths"),
    [
        (1, 3, 333),  # 33.33…%
        (2, 3, 667),  # 66.66…% rounds up
        (1, 8, 125),  # 12.5% exactly
        (1, 16, 63),  # 6.25% is half a tenth: half rounds up
        (1, 2000, 1),  # 0.05% is half a tenth too
        (1, 2001, 0),  # just under half a tenth rounds down
        (0, 5, 0),
        (5, 5, 1000),
    ],
)
def test_statement_share_marked_false_in_tenths_rounds_half_up(marked, players, tenths):
    assert stat(marked, players).tenths == tenths


def test_statement_share_is_zero_without_players():
    assert stat(0, 0).tenths == 0


# Display order: 1 true, 2 false, 3 true, 4 false, 5 true.
STATEMENTS = [(1, False), (2, True), (3, False), (4, True), (5, False)]


def test_summary_of_a_played_round():
    summary = summarise_facts(STATEMENTS, {1: 1, 2: 3, 3: 2, 4: 1}, points=[2, 1, 1, 0])
    assert summary == FactsSummary(
        players=4,
        max_points=2,
        average_found=Fraction(1),
        distribution=[1, 2, 1],
        best_lie_ids=(4,),
        best_lie_caught=1,
        best_lie_wording=LieWording.FEW,
        most_doubted_truth_ids=(3,),
        most_doubted_marks=2,
    )


def test_maximum_is_the_number_of_false_statements():
    assert summarise_facts(STATEMENTS, {}, points=[0]).max_points == 2


def test_average_found_is_exact():
    summary = summarise_facts(STATEMENTS, {2: 1, 4: 1}, points=[2, 0, 0])
    assert summary.average_found == Fraction(2, 3)


def test_distribution_counts_players_per_points_from_zero_to_all():
    summary = summarise_facts(STATEMENTS, {}, points=[2, 2, 2, 0])
    assert summary.distribution == [1, 0, 3]


def test_best_lie_tie_names_every_tied_lie_in_display_order():
    lies = [(1, True), (2, False), (3, True), (4, True)]
    summary = summarise_facts(lies, {1: 1, 3: 2, 4: 1}, points=[2, 1, 1])
    assert summary.best_lie_ids == (1, 4)
    assert summary.best_lie_caught == 1


def test_best_lie_can_be_one_nobody_caught():
    summary = summarise_facts(STATEMENTS, {2: 3}, points=[1, 1, 1])
    assert summary.best_lie_ids == (4,)
    assert summary.best_lie_wording is LieWording.NOBODY


def test_most_doubted_truth_tie_names_every_tied_truth_in_display_order():
    summary = summarise_facts(STATEMENTS, {3: 2, 5: 2, 1: 1}, points=[0, 0])
    assert summary.most_doubted_truth_ids == (3, 5)
    assert summary.most_doubted_marks == 2


def test_best_lie_caught_by_most_players_is_not_worded_as_only_a_few():
    summary = summarise_facts(STATEMENTS, {2: 5, 4: 3}, points=[2, 2, 2, 1, 1])
    assert (summary.best_lie_ids, summary.best_lie_caught) == ((4,), 3)
    assert summary.best_lie_wording is LieWording.MOST


def test_lies_all_caught_equally_are_worded_as_such():
    summary = summarise_facts(STATEMENTS, {2: 2, 4: 2}, points=[2, 2, 0])
    assert summary.best_lie_ids == (2, 4)
    assert summary.best_lie_wording is LieWording.ALL_EQUAL


@pytest.mark.parametrize(
    ("caught", "players", "every_lie_tied", "wording"),
    [
        (0, 5, False, LieWording.NOBODY),
        (0, 5, True, LieWording.NOBODY),  # nobody caught any lie: that is the story, not the tie
        (2, 5, False, LieWording.FEW),
        (3, 5, False, LieWording.MOST),  # a majority: never "only"
        (2, 4, False, LieWording.MOST),  # half is not "only" either
        (1, 3, False, LieWording.FEW),
        (5, 5, False, LieWording.MOST),
        (3, 5, True, LieWording.ALL_EQUAL),
    ],
)
def test_best_lie_is_worded_by_the_numbers(caught, players, every_lie_tied, wording):
    assert lie_wording(caught, players, every_lie_tied=every_lie_tied) is wording


def test_no_most_doubted_truth_when_every_player_found_every_lie():
    summary = summarise_facts(STATEMENTS, {2: 2, 4: 2, 1: 0}, points=[2, 2])
    assert summary.most_doubted_truth_ids == ()


def test_marks_on_ids_outside_the_round_are_ignored():
    summary = summarise_facts(STATEMENTS, {99: 5, 2: 1, 4: 1}, points=[2])
    assert summary.most_doubted_truth_ids == ()


def test_summary_without_players():
    assert summarise_facts(STATEMENTS, {}, points=[]) == FactsSummary(
        players=0,
        max_points=2,
        average_found=None,
        distribution=[0, 0, 0],
    )


@pytest.mark.parametrize("points", [[3], [-1]])
def test_points_outside_zero_to_maximum_are_rejected(points):
    with pytest.raises(ValueError, match=rf"^points must be between 0 and 2, got {points[0]}$"):
        summarise_facts(STATEMENTS, {}, points=points)


def test_without_false_statements_there_is_no_best_lie():
    summary = summarise_facts([(1, False), (2, False)], {1: 1}, points=[0, 0])
    assert (summary.best_lie_ids, summary.most_doubted_truth_ids, summary.best_lie_wording) == ((), (1,), None)


def test_without_true_statements_there_is_no_most_doubted_truth():
    summary = summarise_facts([(1, True), (2, True)], {1: 1}, points=[1, 2])
    assert (summary.best_lie_ids, summary.most_doubted_truth_ids) == ((2,), ())
