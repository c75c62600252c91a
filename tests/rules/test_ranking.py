import pytest

from quizapp.rules.ranking import (
    Place,
    Ranked,
    Standing,
    board_page,
    competition_ranks,
    place_of,
    podium,
    rank_standings,
)


def standing(player_id, name, points, *, rounds=1, perfect=0, max_points=3):
    return Standing(
        player_id=player_id,
        name=name,
        points=points,
        rounds=rounds,
        perfect=perfect,
        max_points=max_points,
    )


def test_competition_ranks_equal_values_share_a_rank_and_skip_the_next():
    assert competition_ranks([9, 7, 7, 4]) == [1, 2, 2, 4]


def test_competition_ranks_all_equal_share_first_place():
    assert competition_ranks([3, 3, 3]) == [1, 1, 1]


def test_competition_ranks_distinct_values_rank_by_position():
    assert competition_ranks([5, 4, 0]) == [1, 2, 3]


def test_competition_ranks_of_nothing_is_empty():
    assert competition_ranks([]) == []


def test_competition_ranks_refuse_unsorted_values():
    with pytest.raises(ValueError, match="^values must be sorted in descending order$"):
        competition_ranks([1, 2])


def test_ranking_puts_most_points_first():
    ranked = rank_standings([standing(1, "ann", 1), standing(2, "bob", 3), standing(3, "cy", 2)])
    assert [r.standing.player_id for r in ranked] == [2, 3, 1]
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_ranking_equal_points_share_a_rank_1_2_2_4():
    ranked = rank_standings(
        [standing(1, "a", 5), standing(2, "b", 3), standing(3, "c", 3), standing(4, "d", 1)]
    )
    assert [r.rank for r in ranked] == [1, 2, 2, 4]


def test_ranking_rank_ignores_accuracy_and_rounds():
    busy = standing(1, "busy", 4, rounds=8, max_points=24)
    sharp = standing(2, "sharp", 4, rounds=2, max_points=4)
    assert {r.rank for r in rank_standings([busy, sharp])} == {1}


def test_ranking_shared_rank_is_listed_by_casefolded_name():
    ranked = rank_standings(
        [standing(1, "zoe", 2), standing(2, "Bob", 2), standing(3, "alice", 2)]
    )
    assert [r.standing.name for r in ranked] == ["alice", "Bob", "zoe"]


def test_ranking_same_name_is_listed_by_player_id():
    ranked = rank_standings([standing(9, "Ann", 2), standing(4, "ann", 2)])
    assert [r.standing.player_id for r in ranked] == [4, 9]


def test_ranking_order_does_not_depend_on_input_order():
    players = [standing(1, "c", 1), standing(2, "a", 1), standing(3, "b", 2)]
    assert rank_standings(players) == rank_standings(reversed(players))


def test_ranking_wraps_each_standing_unchanged():
    only = standing(1, "ann", 2)
    assert rank_standings([only]) == [Ranked(rank=1, standing=only)]


def test_ranking_of_nobody_is_empty():
    assert rank_standings([]) == []


def test_accuracy_is_points_over_maximum():
    assert standing(1, "ann", 3, max_points=4).accuracy == 0.75


def test_accuracy_is_none_without_a_maximum():
    assert standing(1, "ann", 0, max_points=0).accuracy is None


def _board(count: int) -> list[Ranked]:
    return rank_standings(
        Standing(player_id=i, name=f"p{i:03d}", points=count - i, rounds=1, perfect=0, max_points=count)
        for i in range(count)
    )


def test_board_page_slices_ranked_rows_by_page():
    page = board_page(_board(25), page=2, per_page=10)
    assert [row.rank for row in page.rows] == list(range(11, 21))
    assert (page.page, page.pages, page.total, page.previous, page.next) == (2, 3, 25, 1, 3)


def test_board_page_clamps_out_of_range_pages():
    assert board_page(_board(25), page=99, per_page=10).page == 3
    assert board_page(_board(25), page=-4, per_page=10).page == 1
    empty = board_page([], page=3, per_page=10)
    assert (empty.rows, empty.pages, empty.next, empty.previous) == ([], 1, None, None)


def test_board_page_adds_the_viewer_when_they_are_on_another_page():
    page = board_page(_board(25), page=1, per_page=10, player_id=17)
    assert page.me is not None and page.me.standing.player_id == 17 and page.me.rank == 18


def test_board_page_does_not_repeat_the_viewer_who_is_on_the_page():
    assert board_page(_board(25), page=1, per_page=10, player_id=3).me is None
    assert board_page(_board(25), page=1, per_page=10, player_id=999).me is None


@pytest.mark.parametrize(
    ("player_id", "page", "shows_viewer"),
    [(3, 1, True), (17, 1, True), (17, 2, True), (None, 1, False), (999, 1, False)],
    ids=["on-the-page", "below-the-page", "on-the-second-page", "visitor", "not-ranked"],
)
def test_board_page_shows_the_viewer_when_their_row_is_on_it_or_added_below(player_id, page, shows_viewer):
    # The reveal and leaderboard pages are kept whole only when they show nothing of the viewer's.
    assert board_page(_board(25), page=page, per_page=10, player_id=player_id).shows_viewer is shows_viewer


# --- the viewer's place and the podium at the reveal ------------------------------------------------------


def test_place_of_ranks_as_the_leaderboard_does_equal_points_sharing_a_rank():
    # 1 player on 0 points, 2 on 1, 3 on 2, 1 on 3: ranks 1 (3 pts), 2 (2 pts) ×3, 5 (1 pt) ×2, 7 (0 pts)
    distribution = [1, 2, 3, 1]
    assert [place_of(points, distribution).rank for points in (3, 2, 1, 0)] == [1, 2, 5, 7]
    assert competition_ranks([3, 2, 2, 2, 1, 1, 0]) == [1, 2, 2, 2, 5, 5, 7]


def test_place_of_counts_the_players_beaten_and_those_tied():
    place = place_of(2, [1, 2, 3, 1])
    assert (place.players, place.others, place.beaten, place.tied_with) == (7, 6, 3, 2)


def test_place_of_a_lone_player_is_first_with_nobody_beaten():
    place = place_of(1, [0, 1])
    assert (place.rank, place.others, place.beaten, place.tied_with) == (1, 0, 0, 0)


def test_place_of_points_outside_the_counts_still_ranks_them():
    assert place_of(3, [2, 1]) == Place(rank=1, players=3, tied_with=0, beaten=3)


def ranked_points(*points):
    ordered = rank_standings(standing(i, f"p{i}", value) for i, value in enumerate(points))
    return ordered


def test_podium_is_the_top_three_rows():
    top, more = podium(ranked_points(5, 4, 3, 2))
    assert [row.rank for row in top] == [1, 2, 3] and more == 0


def test_podium_names_how_many_more_share_the_third_place():
    top, more = podium(ranked_points(5, 4, 4, 4, 4, 1))
    assert [row.rank for row in top] == [1, 2, 2] and more == 2


def test_podium_of_a_three_way_tie_for_first_is_three_firsts():
    top, more = podium(ranked_points(2, 2, 2, 2, 1))
    assert [row.rank for row in top] == [1, 1, 1] and more == 1


def test_podium_of_fewer_players_than_places_shows_them_all():
    assert podium(ranked_points(3)) == (ranked_points(3), 0)
    assert podium([]) == ([], 0)
