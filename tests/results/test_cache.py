"""A closed round's tallies and the leaderboards are computed once, and recomputed when what they count changes."""
from sqlalchemy import event

from quizapp.extensions import db
from quizapp.models import Round


def count_queries(app, client, url):  # type: ignore[no-untyped-def]
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


def test_reveal_counts_answers_once_then_serves_them_from_memory(app, make, visitor):
    round_ = make.facts_round(status="closed")
    false_id = next(s.id for s in round_.statements if s.is_false)
    for i in range(3):
        make.answer(round_, make.user(f"cached_{i}"), [false_id])
    first, _ = count_queries(app, visitor.client, f"/rounds/{round_.id}/reveal")
    second, page = count_queries(app, visitor.client, f"/rounds/{round_.id}/reveal")
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
