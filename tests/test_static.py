"""Static files are linked by content hash and may be cached for a year."""
import re


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
