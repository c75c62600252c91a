"""Leaderboards come a page at a time, and the viewer always finds their own row."""
import re


def ranks_and_names(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<td class="rank">(\d+)</td>\s*<th scope="row">([^<]+?)\s*(?:<span|</th>)', html)


def test_overall_leaderboard_pages_and_shows_the_viewer_below_the_page(app, make, visitor, monkeypatch):
    monkeypatch.setattr("quizapp.leaderboard.views.PER_PAGE", 3)
    round_ = make.facts_round(status="closed", statements=[("a", True), ("b", True), ("c", True), ("d", False)])
    false_ids = [s.id for s in round_.statements if s.is_false]
    for found, name in zip([3, 3, 2, 1, 1], ["ann", "bob", "cat", "dan", "eve"], strict=True):
        make.answer(round_, make.user(name), false_ids[:found])
    make.answer(round_, make.user("zed", password="zed-password"), [])
    assert visitor.login("zed", "zed-password").status_code == 303

    first = visitor.get("/leaderboard").get_data(as_text=True)
    assert ranks_and_names(first) == [("1", "ann"), ("1", "bob"), ("3", "cat"), ("6", "zed")]
    assert 'class="me"' in first and 'href="/leaderboard?page=2"' in first

    second = visitor.get("/leaderboard?page=2").get_data(as_text=True)
    assert ranks_and_names(second) == [("4", "dan"), ("4", "eve"), ("6", "zed")]
    assert "?page=3" not in second
    assert visitor.get("/leaderboard?page=99").status_code == 200


def test_reveal_shows_the_top_and_links_to_the_full_round_leaderboard(app, make, visitor, monkeypatch):
    monkeypatch.setattr("quizapp.results.views.REVEAL_TOP", 2)
    round_ = make.facts_round(status="closed")
    false_id = next(s.id for s in round_.statements if s.is_false)
    for i in range(4):
        make.answer(round_, make.user(f"player_{i}"), [false_id] if i % 2 == 0 else [])
    reveal = visitor.get(f"/rounds/{round_.id}/reveal").get_data(as_text=True)
    assert len(ranks_and_names(reveal)) == 2
    assert f'href="/rounds/{round_.id}/leaderboard"' in reveal
    full = visitor.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert [rank for rank, _ in ranks_and_names(full)] == ["1", "1", "3", "3"]


def test_round_leaderboard_is_not_public_before_the_close(app, make, visitor):
    round_ = make.facts_round(status="open")
    assert visitor.get(f"/rounds/{round_.id}/leaderboard").status_code == 404
