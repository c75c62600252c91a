"""Request-wide helpers: htmx detection, security headers, template globals."""
from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, Response, abort, after_this_request, g, render_template, request, session, url_for
from flask_babel import (
    get_locale,
    get_timezone,
)
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.routing import IntegerConverter, Map
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from quizapp.models import utcnow
from quizapp.redirects import next_path
from quizapp.rules.lifecycle import as_utc

HTMX_VERSION = "4.0.1"
ID_MAX = 2**31 - 1

# When a permanent session's cookie was last signed (Unix seconds): it is signed again, and its lifetime starts
# again, once this is a day old.
SESSION_STAMP = "_signed"
SESSION_REFRESH_SECONDS = 24 * 60 * 60


def is_htmx() -> bool:
    """Tell whether this request wants a fragment (an htmx partial request, not a history restore)."""
    # Read from the WSGI environ: asked several times a request, and the headers object re-spells each name.
    environ = request.environ
    return environ.get("HTTP_HX_REQUEST") == "true" and environ.get("HTTP_HX_REQUEST_TYPE") == "partial"


def render_page_or_fragment(page: str, fragment: str, http_status: int = 200, **context: Any) -> tuple[str, int]:
    """Render the fragment for htmx and the whole page otherwise; both share the fragment's file."""
    return render_template(fragment if is_htmx() else page, **context), http_status


def here() -> str:
    """This page's path and query, for a link that comes back to it; the bare path when the query isn't UTF-8."""
    # Werkzeug's full_path decodes the raw query string strictly: the 400 page refusing such a query would fail.
    try:
        return request.full_path
    except UnicodeDecodeError:
        return request.path


def iso_utc(value: datetime | None) -> str:
    """Format a datetime for <time datetime> and JSON: UTC with a Z."""
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_datetime(value: datetime | None) -> str:
    """A moment as people say it, in the viewer's zone and language, with the zone named: "December 2 at 9:35 PM UTC".

    The year is left out within the current one. With JS the browser rewrites it in its own zone (static/js/app.js);
    without, the server knows no zone but one chosen in the editor, so the text says which zone it is in.
    """
    if value is None:
        return ""
    zone = str(get_timezone())
    return _formatted(as_utc(value), str(get_locale()), zone, this_year(zone))


def this_year(zone: str) -> int:
    """The current year in that zone: a time within it is shown without its year."""
    return utcnow().astimezone(ZoneInfo(zone)).year


@lru_cache(maxsize=4096)
def _formatted(value: datetime, locale: str, zone: str, year: int) -> str:
    """The time in that zone and language; kept, since Babel's formatting is a fair share of a small page."""
    where: tzinfo = ZoneInfo(zone)
    try:
        local = value.astimezone(where)
    except OverflowError:
        # A time near the ends of the calendar (stored before times were bounded) can't be moved into the zone:
        # show it in UTC, saying so, rather than fail the page.
        local, where, zone = value, UTC, "UTC"
    day = babel_dates.format_skeleton("MMMMd" if local.year == year else "yMMMMd", local, tzinfo=where, locale=locale)
    clock = babel_dates.format_time(local, "short", tzinfo=where, locale=locale)
    # CLDR's pattern for a day with its time, "{1} 'at' {0}" in English, "{1} 'в' {0}" in Russian: what the browser's
    # Intl.DateTimeFormat writes too, so the page reads the same with and without JS.
    cldr = Locale.parse(locale)
    pattern = cldr.datetime_formats_relative.get("long") or cldr.datetime_formats["long"]
    text = pattern.replace("'", "").replace("{1}", day).replace("{0}", clock)
    if zone == "UTC":
        return f"{text} UTC"
    # A zone chosen in the editor: named by its city, as the viewer's language spells it ("Moscow", "Москва").
    return f"{text} ({babel_dates.get_timezone_location(where, locale=locale, return_city=True)})"


def relative_time(value: datetime | None) -> str:
    """How far ahead a moment is, as people say it: "in 3 hours", "через 3 часа"; empty once it has passed."""
    if value is None:
        return ""
    seconds = (as_utc(value) - utcnow()).total_seconds()
    if seconds <= 0:
        return ""
    # Whole minutes past the first: the text changes no more often, and the kept texts stay few.
    return _relative(int(seconds) if seconds < 60 else round(seconds / 60) * 60, str(get_locale()))


@lru_cache(maxsize=4096)
def _relative(seconds: int, locale: str) -> str:
    return babel_dates.format_timedelta(timedelta(seconds=seconds), add_direction=True, locale=locale)


def shareable() -> None:
    """Mark this page as the same for every visitor without a session (a closed round's reveal, a leaderboard).

    Only for this response (after_this_request), rather than in a hook that every request, answers among them, would
    pass through to find nothing to do.
    """
    after_this_request(_cache_for_visitors)


def _cache_for_visitors(response: Response) -> Response:
    from flask import current_app

    config = current_app.config
    if (request.method in ("GET", "HEAD") and response.status_code == 200
            and config["SESSION_COOKIE_NAME"] not in request.cookies and not session):
        # A visitor with no session gets what every such visitor gets: a front cache may keep it briefly.
        # Flask adds Vary: Cookie, so anyone signed in (or with a chosen language) gets their own page.
        response.cache_control.public = True
        response.cache_control.max_age = config["SHARED_PAGE_MAX_AGE"]
        response.vary.add("Accept-Language")
    return response


def note_arrival() -> None:
    """Remember when the request arrived: deadlines are judged by it, not by when a worker got to it."""
    g.arrived_at = utcnow()


def refuse_unreadable_input() -> None:
    """Refuse NUL bytes and invalid UTF-8 in form fields and the query string with a clear 400."""
    urlencoded = request.mimetype == "application/x-www-form-urlencoded"
    body = request.get_data(cache=True) if urlencoded else b""
    for raw in (request.query_string, body):
        if raw.isascii() and b"%" not in raw and b"\x00" not in raw:
            continue  # nothing escaped and nothing beyond ASCII: valid UTF-8 without a NUL (most forms)
        try:
            # Werkzeug would quietly replace broken bytes with U+FFFD; a strict decode tells us first.
            pairs = parse_qsl(raw.decode("utf-8", "strict"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except (UnicodeDecodeError, ValueError):
            abort(400, description=_l("Some text was not valid UTF-8. Nothing was saved."))
        if any("\x00" in key or "\x00" in value for key, value in pairs):
            abort(400, description=_l("Text with NUL characters can't be saved. Nothing was saved."))
    if urlencoded:
        return  # the form is that body, checked above
    if request.mimetype == "multipart/form-data" and not all(_is_utf8(value) for value in _multipart_fields()):
        abort(400, description=_l("Some text was not valid UTF-8. Nothing was saved."))
    for key, value in request.form.items(multi=True):
        if "\x00" in key or "\x00" in value:
            abort(400, description=_l("Text with NUL characters can't be saved. Nothing was saved."))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8", "strict")
    except UnicodeDecodeError:
        return False
    return True


def _multipart_fields() -> list[bytes]:
    """The raw bytes of each field (not file) of a multipart body, as sent.

    Werkzeug's own parser decodes fields with errors="replace" and no way to ask otherwise, so broken bytes would be
    stored as U+FFFD; this reads the body first (kept for the form parser) and lets it be checked strictly.
    """
    boundary = request.mimetype_params.get("boundary", "").encode("latin-1", "replace")
    body = request.get_data(cache=True)
    decoder = MultipartDecoder(boundary)
    fields: list[bytes] = []
    value: list[bytes] | None = None
    try:
        for start in [*range(0, len(body), 65536), None]:
            decoder.receive_data(None if start is None else body[start:start + 65536])
            event = decoder.next_event()
            while not isinstance(event, (Epilogue, NeedData)):
                if isinstance(event, (Field, File)):
                    value = [] if isinstance(event, Field) else None
                elif isinstance(event, Data) and value is not None:
                    value.append(event.data)
                    if not event.more_data:
                        fields.append(b"".join(value))
                event = decoder.next_event()
    except ValueError:
        return fields  # malformed: Werkzeug's parser reads it as an empty form
    return fields


def refresh_session_daily(response: Response) -> Response:
    """Have Flask re-send a permanent session's cookie once a day, and at once when it changed or a key retired.

    With SESSION_REFRESH_EACH_REQUEST off, Flask sends the cookie only when the session changed; re-signing it
    on every response to slide its expiry costs every signed-in request an HMAC and a Set-Cookie. A day's
    granularity slides a 30-day lifetime just as well.
    """
    # Before `session.permanent`, which counts as reading it: a response that never read the session (a static
    # file) neither varies on the cookie nor needs to refresh it.
    if not session or not (session.accessed or session.modified) or not session.permanent:
        return response
    now = int(time.time())
    stamp = session.get(SESSION_STAMP)
    stale = not isinstance(stamp, int) or now - stamp >= SESSION_REFRESH_SECONDS
    if session.modified or stale or _signed_with_a_retired_key():
        session[SESSION_STAMP] = now  # a change: Flask signs and sends the cookie with this response
    return response


def _signed_with_a_retired_key() -> bool:
    """While keys rotate, tell whether the request's cookie was signed with a fallback key, to re-sign it now."""
    from flask import current_app

    if not current_app.config["SECRET_KEY_FALLBACKS"]:
        return False
    interface = current_app.session_interface
    current_only = URLSafeTimedSerializer(
        current_app.secret_key,  # type: ignore[arg-type]
        salt=interface.salt,  # type: ignore[attr-defined]
        serializer=interface.serializer,  # type: ignore[attr-defined]
        signer_kwargs={"key_derivation": interface.key_derivation,  # type: ignore[attr-defined]
                       "digest_method": interface.digest_method},  # type: ignore[attr-defined]
    )
    try:
        current_only.loads(request.cookies.get(current_app.config["SESSION_COOKIE_NAME"], ""))
    except BadSignature:
        return True
    return False


class IdConverter(IntegerConverter):
    """The <int:…> converter, capped at the largest id an INTEGER column holds on PostgreSQL, ASCII digits only."""

    # Werkzeug's \d+ matches any script's digits, and int() reads them: /rounds/١ would be round 1.
    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = ID_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


@cache
def _static_version(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """Link a static file with its content hash, so browsers may keep it for a year and still see changes."""
    from flask import current_app

    # Built once per app and mount point: every page links the same four files.
    urls = current_app.extensions.setdefault("quizapp_static_urls", {})
    key = (request.script_root, filename)
    if key not in urls:
        version = _static_version(str(Path(current_app.static_folder or "") / filename))
        urls[key] = url_for("static", filename=filename, v=version)
    return urls[key]


@lru_cache(maxsize=8192)
def _number(kind: str, value: Any, fmt: str | None, locale: str) -> str:
    """The number in that language; kept, since a leaderboard formats hundreds of them and Babel is slow."""
    if kind == "percent":
        return babel_numbers.format_percent(value, format=fmt, locale=locale)
    return babel_numbers.format_decimal(value, format=fmt, locale=locale)


def number_text(value: Any, format: str | None = None) -> str:
    """A number in the viewer's locale (1,234.5 in English, 1 234,5 in Russian)."""
    return _number("decimal", value, format, str(get_locale()))


def percent_from_fraction(value: Any, format: str | None = None) -> str:
    """A fraction (0.25) as a percentage in the viewer's locale (25%)."""
    return _number("percent", value, format, str(get_locale()))


def percent_from_tenths(value: int) -> str:
    """Tenths of a percent (185) as the number before a % sign, one decimal always (18.5; 18,5 in Russian)."""
    return number_text(Decimal(value) / 10, format="0.0")


def init_app(app: Flask) -> None:
    """Install the headers, Vary and template helpers."""
    # Ahead of the extensions' hooks: arrival is taken before anything can wait, and the body is checked before
    # CSRFProtect parses the form, since Werkzeug quietly re-quotes broken bytes and a parsed body can't be reread.
    app.before_request_funcs.setdefault(None, [])[:0] = [note_arrival, refuse_unreadable_input]
    # First in the list, so it runs last of the after-request hooks (Flask runs them in reverse) and sees every
    # change the others make to the session.
    app.after_request_funcs.setdefault(None, []).insert(0, refresh_session_daily)
    # Before any blueprint adds its routes: <int:…> ids beyond what the id columns hold are a 404, not an overflow.
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["relative_time"] = relative_time

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {
            "htmx_version": HTMX_VERSION,
            "static_url": static_url,
            "csrf_token": generate_csrf,
            "current_locale": str(get_locale() or "en"),
            "languages": app.config["LANGUAGES"],
            "is_htmx": is_htmx,
            "here": here,
            "next_path": next_path,
            "format_number": number_text,
            "format_decimal": number_text,
            "format_percent": percent_from_fraction,
        }

