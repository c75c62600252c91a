from fractions import Fraction
from itertools import permutations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.rules.percent import tenths

counts_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=10)


@pytest.mark.parametrize(
    "counts",
    [
        pytest.param([49, 125, 54, 37], id="rounding-each-would-give-100.1"),
        pytest.param([68, 173, 75, 51], id="rounding-each-would-give-99.9"),
    ],
)
def test_product_poll_shows_18_5_47_2_20_4_13_9(counts):
    assert tenths(counts) == [185, 472, 204, 139]


def test_three_equal_shares_give_the_spare_tenth_to_the_first():
    assert tenths([1, 1, 1]) == [334, 333, 333]


def test_equal_remainders_go_to_lower_indexes_first():
    assert tenths([1] * 7) == [143, 143, 143, 143, 143, 143, 142]


def test_largest_remainder_wins_over_lower_index():
    # 1/3 leaves .333 of a tenth, 2/3 leaves .667: the spare tenth goes to the second.
    assert tenths([1, 2]) == [333, 667]


def test_exact_shares_are_left_alone():
    assert tenths([1, 1, 2]) == [250, 250, 500]


def test_single_option_with_votes_is_100_percent():
    assert tenths([7]) == [1000]


def test_option_without_votes_is_zero():
    assert tenths([0, 5]) == [0, 1000]


def test_no_votes_at_all_give_all_zeros():
    assert tenths([0, 0, 0]) == [0, 0, 0]


def test_no_options_give_no_percentages():
    assert tenths([]) == []


def test_negative_count_is_rejected():
    with pytest.raises(ValueError, match="^counts must not be negative$"):
        tenths([3, -1])


@given(counts_lists)
def test_percentages_always_add_up_to_exactly_100(counts):
    expected = 0 if sum(counts) == 0 else 1000
    assert sum(tenths(counts)) == expected


@given(counts_lists)
def test_each_percentage_is_within_a_tenth_of_its_exact_share(counts):
    total = sum(counts)
    for count, shown in zip(counts, tenths(counts), strict=True):
        exact = Fraction(count * 1000, total) if total else Fraction(0)
        assert abs(shown - exact) < 1


@given(counts_lists)
def test_more_votes_never_show_a_smaller_percentage(counts):
    shown = tenths(counts)
    for i, j in permutations(range(len(counts)), 2):
        if counts[i] > counts[j]:
            assert shown[i] >= shown[j]

