"""Hypothesis fuzz of the answer and authoring endpoints: never a 5xx, never an echo, one answer per player."""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from quizapp.extensions import db
from quizapp.models import Answer, Round, User
from quizapp.rules.rounds import RoundKind
from tests.conftest import Player
from tests.security.conftest import HTMX, World, signed_in, snapshot, text, token

# Every fuzzed string starts with this tag: seeing it raw in a response means something was echoed unescaped.
TAG = "<fz>"
FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

any_text = st.text(st.characters(codec="utf-8"), max_size=40)
tagged = any_text.map(lambda value: TAG + value)


def assert_clean(response) -> None:  # type: ignore[no-untyped-def]
    body = text(response)
    assert response.status_code < 500, body[:2000]
    assert TAG not in body
    assert "Traceback" not in body


def answers_per_player() -> dict[tuple[int, int], int]:
    db.session.rollback()
    query = select(Answer.round_id, Answer.player_id, func.count()).group_by(Answer.round_id, Answer.player_id)
    return {(round_id, player_id): count for round_id, player_id, count in db.session.execute(query)}


def stored_counts_agree() -> bool:
    db.session.rollback()
    for round_ in db.session.scalars(select(Round)):
        answers = db.session.scalar(select(func.count(Answer.id)).where(Answer.round_id == round_.id))
        if answers != round_.answer_count:
            return False
    return True


def test_fuzzing_the_answer_endpoint(shared_app, fresh_world: World):
    world = fresh_world
    shared_app.config["RATE_LIMIT_ANSWER"] = "100000 per minute"
    with shared_app.app_context():
        extra = [User(username=f"fuzzer{i}", username_key=f"fuzzer{i}", username_skeleton=f"fuzzer{i}")
                 for i in range(2)]
        db.session.add_all(extra)
        db.session.commit()
        extra_ids = [user.id for user in extra]
        players = [world.pat, *(signed_in(shared_app, user_id) for user_id in extra_ids)]
    tokens = [token(player) for player in players]
    rounds = [world.open_facts, world.open_poll, world.just_closed_poll, world.scheduled]
    known = [str(i) for i in [*world.false_ids, *world.true_ids, *world.poll_options, *world.rival_statements]]
    mark = st.one_of(st.sampled_from(known), tagged, st.integers().map(str), any_text)

    right = [str(i) for i in world.false_ids]
    wrong = [str(i) for i in world.true_ids]

    # Valid answers first, so the fuzz runs against players who have answered as well as those who have not.
    @FUZZ
    @example(who=0, round_index=0, marks=right, option=None, htmx=False)
    @example(who=0, round_index=0, marks=wrong, option=None, htmx=True)
    @example(who=1, round_index=1, marks=[], option=str(world.poll_options[0]), htmx=True)
    @example(who=1, round_index=1, marks=[], option=str(world.poll_options[1]), htmx=False)
    @given(who=st.integers(0, len(players) - 1), round_index=st.integers(0, len(rounds) - 1),
           marks=st.lists(mark, max_size=8), option=st.one_of(st.none(), mark), htmx=st.booleans())
    def answer(who: int, round_index: int, marks: list[str], option: str | None, htmx: bool) -> None:
        data = MultiDict([("csrf_token", tokens[who]), *(("marks", value) for value in marks)])
        if option is not None:
            data.add("option", option)
        response = players[who].client.post(f"/rounds/{rounds[round_index]}/answer", data=data,
                                            headers=HTMX if htmx else {})
        assert_clean(response)
        assert all(count == 1 for count in answers_per_player().values())
        assert stored_counts_agree()

    with shared_app.app_context():
        answer()
        assert answers_per_player().keys() >= {(world.open_facts, world.pat_id), (world.open_poll, extra_ids[0])}
        closed_or_scheduled = {world.just_closed_poll, world.scheduled}
        assert not any(round_id in closed_or_scheduled for round_id, _ in answers_per_player())


def test_fuzzing_the_round_editor(shared_app, fresh_world: World):
    host: Player = fresh_world.host
    csrf = token(host)
    actions = st.one_of(st.sampled_from(["save", "publish", "add", "shuffle", "paste", "remove-0", "up-1", "down-0",
                                         "remove-99", "up-0"]), tagged)
    row = st.tuples(tagged, st.booleans(), st.one_of(st.just(""), tagged))

    @FUZZ
    @example(title=TAG + "title", intro="", series=TAG + "series", rows=[(TAG + "a", False, ""), (TAG + "b", True, TAG)],
             paste="", action="publish", kind="facts", htmx=False)
    @example(title=TAG + "poll", intro="", series="", rows=[(TAG + "a", False, ""), (TAG + "b", True, "")],
             paste="", action="save", kind="poll", htmx=True)
    @given(title=st.one_of(tagged, any_text), intro=any_text, series=st.one_of(st.just(""), tagged),
           rows=st.lists(row, max_size=6), paste=st.one_of(st.just(""), tagged), action=actions,
           kind=st.sampled_from(["facts", "poll"]), htmx=st.booleans())
    def edit(title: str, intro: str, series: str, rows: list[tuple[str, bool, str]], paste: str, action: str,
             kind: str, htmx: bool) -> None:
        data = MultiDict([("csrf_token", csrf), ("title", title), ("intro", intro), ("series", series),
                          ("paste", paste), ("closes_choice", "1d"), ("tz", "UTC"), ("action", action)])
        name = "statements" if kind == "facts" else "options"
        for i, (row_text, flag, explanation) in enumerate(rows):
            data.add(f"{name}-{i}-text", row_text)
            if flag:
                data.add(f"{name}-{i}-{'is_false' if kind == 'facts' else 'is_correct'}", "y")
            if kind == "facts":
                data.add(f"{name}-{i}-explanation", explanation)
        before = snapshot()
        response = host.client.post(f"/curator/rounds/new/{kind}", data=data, headers=HTMX if htmx else {})
        assert_clean(response)
        if response.status_code != 303:
            assert snapshot() == before
        else:
            assert_clean(host.get("/curator/"))
            assert_clean(host.get("/"))

    with shared_app.app_context():
        edit()
        db.session.rollback()
        for round_ in db.session.scalars(select(Round)):
            rows = len(round_.statements) if round_.kind == RoundKind.FACTS else len(round_.options)
            assert rows <= (30 if round_.kind == RoundKind.FACTS else 10)
            assert len(round_.title) <= 200
            if round_.published and round_.kind == RoundKind.FACTS:
                falses = sum(statement.is_false for statement in round_.statements)
                assert 2 <= rows and 0 < falses < rows
        assert db.session.scalar(select(func.count(Round.id)).where(Round.published.is_(True))) >= 1
