"""A closed round's tallies and the leaderboards are computed once, and recomputed when what they count changes."""
from quizapp.extensions import db
from quizapp.models import Round
from tests.statements import Statements


def count_queries(client, url):  # type: ignore[no-untyped-def]
    with Statements() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return seen.count, response.get_data(as_text=True)


def test_reveal_counts_answers_once_then_serves_them_from_memory(app, make, visitor):
    round_ = make.facts_round(status="closed")
    false_id = next(s.id for s in round_.statements if s.is_false)
    for i in range(3):
        make.answer(round_, make.user(f"cached_{i}"), [false_id])
    first, _ = count_queries(visitor.client, f"/rounds/{round_.id}/reveal")
    second, page = count_queries(visitor.client, f"/rounds/{round_.id}/reveal")
    assert second < first
    assert "100.0% marked it false (3 of 3)" in page


def test_an_answer_committed_after_the_close_refreshes_the_reveal(app, make, visitor):
    round_ = make.facts_round(status="closed")
    false_id = next(s.id for s in round_.statements if s.is_false)
    make.answer(round_, make.user("early_bird"), [false_id])
    assert "(1 of 1)" in visitor.get(f"/rounds/{round_.id}/reveal").get_data(as_text=True)
    # Arrived before the close, written after it: answer_count moves, so the kept tallies are not reused.
    make.answer(db.session.get(Round, round_.id), make.user("late_writer"), [])
    page = visitor.get(f"/rounds/{round_.id}/reveal").get_data(as_text=True)
    assert "50.0% marked it false (1 of 2)" in page


def test_overall_leaderboard_picks_up_a_round_that_closes(app, make, visitor):
    closed = make.facts_round(status="closed")
    make.answer(closed, make.user("first_one"), [s.id for s in closed.statements if s.is_false])
    assert "first_one" in visitor.get("/leaderboard").get_data(as_text=True)
    later = make.facts_round(status="open")
    make.answer(later, make.user("second_one"), [])
    assert "second_one" not in visitor.get("/leaderboard").get_data(as_text=True)
    make.close(db.session.get(Round, later.id))
    assert "second_one" in visitor.get("/leaderboard").get_data(as_text=True)


def test_the_overall_leaderboard_picks_up_an_answer_written_just_after_the_close(app, make, visitor):
    round_ = make.facts_round(status="open")
    make.answer(round_, make.user("early_bird"), [s.id for s in round_.statements if s.is_false])
    make.close(db.session.get(Round, round_.id))
    assert "early_bird" in visitor.get("/leaderboard").get_data(as_text=True)
    # Arrived before the close, written after it: the round's tally moves, so the kept board is not reused.
    make.answer(db.session.get(Round, round_.id), make.user("late_writer"), [])
    assert "late_writer" in visitor.get("/leaderboard").get_data(as_text=True)


def test_the_series_leaderboard_picks_up_an_answer_written_after_the_close(app, make, visitor):
    host = make.user(curator=True)
    round_ = make.facts_round(curator=host, status="closed")
    series = make.series(host, "Saturdays", round_)
    make.answer(round_, make.user("early_bird"), [next(s.id for s in round_.statements if s.is_false)])
    url = f"/series/{series.id}"
    assert "early_bird" in visitor.get(url).get_data(as_text=True)
    # The page reads the series' rounds once and works the fingerprint out from them: answer_count is in it.
    make.answer(db.session.get(Round, round_.id), make.user("late_writer"), [])
    assert "late_writer" in visitor.get(url).get_data(as_text=True)


# --- rendered once: what is shared must never carry one viewer's own data -----------------------------


def test_a_players_own_marks_never_reach_the_shared_reveal_nor_the_other_way(app, make, new_player, visitor):
    round_ = make.facts_round(status="open")
    false_ids = [s.id for s in round_.statements if s.is_false]
    player = new_player("ownmarks")
    assert player.answer(round_.id, false_ids).status_code == 303
    db.session.rollback()  # end the test's read transaction: the app has written since
    make.answer(db.session.get(Round, round_.id), make.user("someone_else"), [])
    make.close(db.session.get(Round, round_.id))
    url = f"/rounds/{round_.id}/reveal"
    for viewer in (visitor, player, visitor, player):  # each order: shared copy first, then the player's own
        page = viewer.get(url).get_data(as_text=True)
        mine = viewer is player
        assert ("you marked it false" in page) is mine
        assert ("your score" in page) is mine
        assert ('class="me"' in page) is mine
        assert "50.0% marked it false (1 of 2)" in page


def test_a_player_who_did_not_play_gets_the_shared_reveal_in_their_language(app, make, new_player, visitor):
    round_ = make.facts_round(status="closed")
    make.answer(round_, make.user("played"), [next(s.id for s in round_.statements if s.is_false)])
    url = f"/rounds/{round_.id}/reveal"
    assert "marked it false" in visitor.get(url).get_data(as_text=True)
    russian = visitor.get(url, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "marked it false" not in russian
    assert '<html lang="ru">' in russian
    bystander = new_player("bystander").get(url).get_data(as_text=True)
    assert "bystander" in bystander  # the page around the shared part is theirs: signed in, their name
    assert "you marked it false" not in bystander


def test_the_leaderboard_table_shows_a_players_row_as_theirs_only_to_them(app, make, new_player, visitor):
    round_ = make.facts_round(status="open")
    player = new_player("ranked_me")
    assert player.answer(round_.id, [s.id for s in round_.statements if s.is_false]).status_code == 303
    db.session.rollback()  # end the test's read transaction: the app has written since
    make.answer(db.session.get(Round, round_.id), make.user("ranked_other"), [])
    make.close(db.session.get(Round, round_.id))
    for viewer in (visitor, player, visitor, player):
        page = viewer.get("/leaderboard").get_data(as_text=True)
        assert "ranked_me" in page and "ranked_other" in page
        assert ('class="me"' in page) is (viewer is player)


def test_the_series_page_shows_a_round_closing_at_once(app, make, visitor):
    host = make.user(curator=True)
    round_ = make.facts_round(curator=host, status="open")
    series = make.series(host, "Fridays", round_)
    url = f"/series/{series.id}"
    assert f'href="/rounds/{round_.id}"' in visitor.get(url).get_data(as_text=True)
    make.close(db.session.get(Round, round_.id))
    page = visitor.get(url).get_data(as_text=True)
    assert f'href="/rounds/{round_.id}/reveal"' in page
    assert "badge-closed" in page


def test_two_players_each_see_their_own_marks_on_the_same_reveal(app, make, new_player):
    round_ = make.facts_round(status="open")
    false_ids = [s.id for s in round_.statements if s.is_false]
    true_ids = [s.id for s in round_.statements if not s.is_false]
    first, second = new_player("marks_false"), new_player("marks_true")
    assert first.answer(round_.id, false_ids).status_code == 303
    assert second.answer(round_.id, true_ids[: len(false_ids)]).status_code == 303
    db.session.rollback()
    make.close(db.session.get(Round, round_.id))
    text_of = {s.id: s.text for s in db.session.get(Round, round_.id).statements}
    url = f"/rounds/{round_.id}/reveal"
    for _ in range(2):
        for player, marked in ((first, false_ids), (second, true_ids[: len(false_ids)])):
            page = player.get(url).get_data(as_text=True)
            items = page.split('<ol class="reveal-list">')[1].split("</ol>")[0].split("<li ")[1:]
            mine = [item for item in items if "you marked it false" in item]
            assert all('class="reveal-item mine"' in item for item in mine)
            shown = {item.split('<p class="choice-text">')[1].split("</p>")[0] for item in mine}
            assert shown == {text_of[i] for i in marked}


def test_a_curators_edit_after_the_close_reaches_the_kept_reveal(app, make, visitor):
    """A closed round keeps its statements, but its title, intro and explanations can still be edited."""
    round_ = make.facts_round(status="closed", title="Before the edit", explanations=["old why"] * 4)
    make.answer(round_, make.user("edit_watcher"), [next(s.id for s in round_.statements if s.is_false)])
    url = f"/rounds/{round_.id}/reveal"
    before = visitor.get(url).get_data(as_text=True)
    assert "Before the edit" in before and "old why" in before
    db.session.rollback()
    edited = db.session.get(Round, round_.id)
    edited.title, edited.intro = "After the edit", "A new intro"
    edited.statements[0].explanation = "new why"
    db.session.commit()
    after = visitor.get(url).get_data(as_text=True)
    assert "After the edit" in after and "A new intro" in after and "new why" in after
    assert "Before the edit" not in after


# --- front caches: a shared reveal link served without the app --------------------------------------


def test_a_visitor_reading_closed_results_gets_no_cookie_and_a_page_a_front_cache_may_keep(app, make, visitor):
    round_ = make.facts_round(status="closed")
    make.answer(round_, make.user("shared_link"), [next(s.id for s in round_.statements if s.is_false)])
    for url in (f"/rounds/{round_.id}/reveal", "/leaderboard", f"/rounds/{round_.id}/leaderboard"):
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert response.cache_control.public and response.cache_control.max_age == 60, url
        # Signed-in viewers send a cookie, other languages another Accept-Language: a cache keeps them apart.
        assert {"Cookie", "Accept-Language"} <= set(response.vary), url


def test_pages_with_anything_personal_or_still_changing_are_never_public(app, make, new_player, visitor):
    closed = make.facts_round(status="closed")
    open_round = make.facts_round(status="open")
    player = new_player("private_eye")
    assert not player.get(f"/rounds/{closed.id}/reveal").cache_control.public
    assert not player.get("/leaderboard").cache_control.public
    # An open round still changes (its count): not shared, though a visitor's form, a GET to joining, sets no cookie.
    round_page = visitor.get(f"/rounds/{open_round.id}")
    assert not round_page.cache_control.public and "Set-Cookie" not in round_page.headers
    assert not visitor.get(f"/rounds/{open_round.id}/reveal").cache_control.public  # not closed yet
    # Any session at all (here only a chosen language) makes the page the visitor's own.
    visitor.client.post("/language", data={"lang": "ru"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert not visitor.get(f"/rounds/{closed.id}/reveal").cache_control.public


def test_everyones_reveal_is_kept_whole_and_a_players_own_is_put_together_for_them(app, make, new_player, visitor,
                                                                                     monkeypatch):
    """A visitor's reveal has nothing of their own: rendered once, then served whole; a player's is theirs."""
    from quizapp.results import views

    round_ = make.facts_round(status="open")
    false_ids = [s.id for s in round_.statements if s.is_false]
    player = new_player("kept_whole")
    assert player.answer(round_.id, false_ids).status_code == 303
    db.session.rollback()  # end the test's read transaction: the app has written since
    make.close(db.session.get(Round, round_.id))
    rendered: list[str] = []
    real = views.render_template

    def counting(name, **context):  # type: ignore[no-untyped-def]
        rendered.append(name)
        return real(name, **context)

    monkeypatch.setattr(views, "render_template", counting)
    url = f"/rounds/{round_.id}/reveal"
    pages = [visitor.get(url).get_data(as_text=True) for _ in range(3)]
    assert rendered.count("results/_reveal.html") == 1
    assert pages[0] == pages[1] == pages[2]
    mine = player.get(url).get_data(as_text=True)
    assert rendered.count("results/_reveal.html") == 2
    assert "your score" in mine and "your score" not in pages[0]
