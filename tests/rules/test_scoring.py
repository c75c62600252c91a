from quizapp.rules.scoring import is_valid_facts_marks, score_facts, score_poll


def test_facts_score_one_point_per_false_statement_found():
    assert score_facts(false_ids={2, 5, 9}, marked_ids=[2, 5, 7]) == 2


def test_facts_score_marking_only_truths_scores_zero():
    assert score_facts(false_ids={2, 5, 9}, marked_ids=[1, 3, 4]) == 0


def test_facts_score_finding_every_lie_scores_the_maximum():
    assert score_facts(false_ids=[2, 5, 9], marked_ids=[9, 2, 5]) == 3


def test_facts_score_a_repeated_mark_counts_once():
    assert score_facts(false_ids={2, 5}, marked_ids=[2, 2]) == 1


def test_poll_score_correct_option_earns_a_point():
    assert score_poll(correct_option_id=4, chosen_option_id=4) == 1


def test_poll_score_wrong_option_earns_nothing():
    assert score_poll(correct_option_id=4, chosen_option_id=3) == 0


def test_poll_score_opinion_poll_earns_nothing():
    assert score_poll(correct_option_id=None, chosen_option_id=3) == 0


STATEMENTS = [10, 11, 12, 13, 14]


def test_marks_exactly_false_count_known_ids_are_valid():
    assert is_valid_facts_marks(STATEMENTS, [10, 13], false_count=2) is None


def test_marks_fewer_than_false_count_are_a_count_error():
    assert is_valid_facts_marks(STATEMENTS, [10], false_count=2) == "count"


def test_marks_more_than_false_count_are_a_count_error():
    assert is_valid_facts_marks(STATEMENTS, [10, 11, 12], false_count=2) == "count"


def test_no_marks_are_a_count_error():
    assert is_valid_facts_marks(STATEMENTS, [], false_count=1) == "count"


def test_marks_on_a_statement_of_another_round_are_unknown():
    assert is_valid_facts_marks(STATEMENTS, [10, 99], false_count=2) == "unknown"


def test_repeated_mark_is_a_duplicate_even_when_the_count_matches():
    assert is_valid_facts_marks(STATEMENTS, [10, 10], false_count=2) == "duplicate"


def test_duplicate_is_reported_before_unknown_and_count():
    assert is_valid_facts_marks(STATEMENTS, [99, 99, 99], false_count=1) == "duplicate"


def test_unknown_is_reported_before_count():
    assert is_valid_facts_marks(STATEMENTS, [99], false_count=2) == "unknown"


def test_marking_every_statement_is_a_count_error_not_an_unknown_one():
    assert is_valid_facts_marks([1, 2, 3, 4], [1, 2, 3, 4], false_count=2) == "count"
