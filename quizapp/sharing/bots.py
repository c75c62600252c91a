"""Link-preview crawlers: they fetch a shared page once, for its tags, and keep nothing."""
from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, Response, current_app, request, session

# The fetchers of the apps people share rounds in, and the usual "bot"/"crawler" words of the others.
CRAWLER = re.compile(
    r"bot\b|bot/|crawler|spider|preview|facebookexternalhit|facebookcatalog|embedly|whatsapp|telegram|"
    r"vkshare|skypeuripreview|mastodon|bluesky|iframely|outbrain|pinterest|quora link preview|redditbot|"
    r"slack|discord|linkedin|google-structured-data",
    re.IGNORECASE,
)


@lru_cache(maxsize=1024)
def is_crawler(user_agent: str) -> bool:
    """Tell whether a User-Agent is a link-preview or search crawler."""
    return bool(CRAWLER.search(user_agent))


def leave_crawlers_without_a_cookie(response: Response) -> Response:
    """Send a crawler that came without a session no cookie: the round page's form made it a CSRF token it can't use.

    The page stays what every visitor gets; only the Set-Cookie is dropped, so a preview fetched once leaves no
    session behind.
    """
    if (request.method in ("GET", "HEAD") and session
            and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
            and is_crawler(request.headers.get("User-Agent", ""))):
        session.clear()
        session.modified = False  # an empty, unchanged session: Flask sends no Set-Cookie
    return response


def init_app(app: Flask) -> None:
    app.after_request(leave_crawlers_without_a_cookie)
