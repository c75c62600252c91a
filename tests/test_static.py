"""Static files are linked by content hash and may be cached for a year."""
import re
from pathlib import Path


def test_pages_link_static_files_with_their_hash_and_they_cache_for_a_year(app, visitor):
    page = visitor.get("/").get_data(as_text=True)
    links = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert any("htmx-4.0.1.min.js?v=" in link for link in links)
    assert all("?v=" in link for link in links)
    for link in links:
        response = visitor.get(link)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        response.close()


def test_no_merge_conflict_markers_are_left_in_static_files_or_templates():
    # A marker left by a merge ends a stylesheet's parsing there: every rule after it is silently dropped.
    root = Path(__file__).resolve().parent.parent
    markers = re.compile(r"^(<<<<<<< |=======$|>>>>>>> )", re.MULTILINE)
    files = [*(root / "static" / "css").rglob("*.css"), *(root / "static" / "js").rglob("*.js"),
             *(root / "templates").rglob("*.html")]
    assert files
    assert [str(path.relative_to(root)) for path in files if markers.search(path.read_text())] == []
