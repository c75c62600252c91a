"""The pages a visitor reaches first render."""


def test_home_lists_open_round(app, make, visitor):
    round_ = make.facts_round(title="Ten facts about me")
    page = visitor.get("/").get_data(as_text=True)
    assert "Ten facts about me" in page
    assert f"/rounds/{round_.id}" in page
