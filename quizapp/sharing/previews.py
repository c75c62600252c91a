"""What a shared link unfurls into: the words of a page's meta tags and of its card, built per view.

A card (the image) shows only what is fixed for the round's state, since Telegram and X keep a preview for days:
before the close the title, how many statements and lies, and the closing time; after it the story of the reveal.
Live numbers (how many are guessing, how long is left) belong in the description, which is fetched with the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from babel import dates as babel_dates
from flask import current_app, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from quizapp import versions
from quizapp.cache import kept_rendering
from quizapp.paging import Page
from quizapp.results.summary import RoundResults, round_results
from quizapp.rules import rounds as rules
from quizapp.rules.lifecycle import RoundStatus
from quizapp.rules.percent import tenths as shares_in_tenths
from quizapp.sharing.cards import HEIGHT, WIDTH, Bar, Card
from quizapp.snapshots import RoundSnapshot, SeriesRef
from quizapp.web import number_text, percent_from_tenths

OG_LOCALES = {"en": "en_US", "ru": "ru_RU"}


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str


@dataclass(frozen=True)
class LinkPreview:
    """The meta tags of one page (templates/sharing/_meta.html writes them out)."""

    title: str
    description: str
    url: str
    image_url: str
    image_alt: str
    locale: str
    alternate_locales: tuple[str, ...]
    site_name: str
    feeds: tuple[FeedLink, ...]
    image_width: int = WIDTH
    image_height: int = HEIGHT


def language() -> str:
    return str(get_locale() or "en")


def absolute_url(endpoint: str, **values: object) -> str:
    """The public address of a page in this page's language: PUBLIC_URL when set, else the (trusted) request host."""
    values.setdefault("lang", language())
    public = current_app.config.get("PUBLIC_URL")
    if not public:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)[len(request.script_root):]  # PUBLIC_URL holds the mount point itself
    return public.rstrip("/") + path


def preview(title: str, description: str, url: str, card_url: str, card: Card,
             feeds: tuple[FeedLink, ...] = ()) -> LinkPreview:
    here = language()
    return LinkPreview(
        title=title, description=description, url=url,
        image_url=image_address(card_url, card), image_alt=card_alt(card),
        locale=OG_LOCALES.get(here, "en_US"),
        alternate_locales=tuple(OG_LOCALES[code] for code in current_app.config["LANGUAGES"] if code != here),
        site_name=_("Two Truths"), feeds=(site_feed(), *feeds),
    )


def image_address(card_url: str, card: Card) -> str:
    """The card's address with a digest of what it draws: a crawler that kept the old image fetches the new one."""
    return f"{card_url}&v={card.digest()[:12]}"


def card_alt(card: Card) -> str:
    parts = (card.wordmark, card.badge, card.title, card.score, card.facts, card.story, card.footer)
    return " · ".join(part for part in parts if part)


def site_feed() -> FeedLink:
    return FeedLink(_("Two Truths: new rounds and reveals"), absolute_url("sharing.site_feed"))


def round_feeds(round_: RoundSnapshot) -> tuple[FeedLink, ...]:
    feeds = [FeedLink(_("Rounds hosted by %(name)s", name=round_.host_name),
                      absolute_url("sharing.host_feed", name=round_.host_name))]
    if round_.series is not None:
        feeds.insert(0, series_feed(round_.series))
    return tuple(feeds)


def series_feed(series: SeriesRef) -> FeedLink:
    return FeedLink(_("Series: %(title)s", title=series.title), absolute_url("sharing.series_feed",
                                                                            series_id=series.id))


# The site's own card and pages without a round of their own.

def site_card() -> Card:
    return Card(wordmark=_("Two Truths"), badge="", tone="site",
                title=_("Spot the lies. Vote in polls. Climb the leaderboard."),
                facts=_("Facts rounds and polls, with a reveal after each"))


def home_preview(open_rounds: Page[RoundSnapshot]) -> LinkPreview:
    """The home page's preview; `open_rounds` is the page of open rounds it lists."""
    if open_rounds.pages == 1:
        description = ngettext("%(num)d round open now: spot the lies, vote in polls, climb the leaderboard.",
                               "%(num)d rounds open now: spot the lies, vote in polls, climb the leaderboard.",
                               len(open_rounds.items))
    else:
        description = _("Many rounds open now: spot the lies, vote in polls, climb the leaderboard.")
    return preview(_("Two Truths"), description, absolute_url("play.home"),
                    absolute_url("sharing.site_card_image"), site_card())


def leaderboard_preview(players: int) -> LinkPreview:
    description = ngettext("%(num)d player ranked across every closed round.",
                           "%(num)d players ranked across every closed round.", players)
    return preview(_("Leaderboard"), description, absolute_url("leaderboard.overall"),
                    absolute_url("sharing.site_card_image"), site_card())


def series_card(series: SeriesRef, rounds: list[RoundSnapshot]) -> Card:
    return Card(wordmark=_("Two Truths"), badge=_("Series"), tone="site", title=series.title,
                facts=ngettext("%(num)d round", "%(num)d rounds", len(rounds)),
                footer=_("Hosted by %(name)s", name=rounds[0].host_name))


def series_preview(series: SeriesRef, rounds: list[RoundSnapshot], now: datetime) -> LinkPreview:
    open_now = sum(1 for round_ in rounds if round_.status(now) is RoundStatus.OPEN)
    description = " · ".join((ngettext("%(num)d round", "%(num)d rounds", len(rounds)),
                              ngettext("%(num)d open now", "%(num)d open now", open_now)))
    return preview(series.title, description, absolute_url("leaderboard.series", series_id=series.id),
                    absolute_url("sharing.series_card_image", series_id=series.id), series_card(series, rounds),
                    (series_feed(series),))


# A round's card and description, by its state.

def utc_time(value: datetime | None) -> str:
    """An absolute time, written in UTC and saying so: a card is seen everywhere and for days."""
    return "" if value is None else _utc_time(value, language())


@lru_cache(maxsize=1024)
def _utc_time(value: datetime, locale: str) -> str:
    # Babel's formatting cost a player's reveal more than its share box's other parts together.
    return f"{babel_dates.format_datetime(value, 'd MMM y, HH:mm', tzinfo=UTC, locale=locale)} (UTC)"


def time_left(until: datetime, now: datetime) -> str:
    return babel_dates.format_timedelta(until - now, threshold=1.5, locale=language())


def size_line(round_: RoundSnapshot) -> str:
    """What the round asks, fixed once it is published: "10 statements · 3 lies", or a poll's options."""
    return size_words(round_.is_facts, len(round_.statements), round_.false_count, len(round_.options))


def size_words(is_facts: bool, statements: int, lies: int, options: int) -> str:
    """size_line from the counts alone (a feed lists rounds without loading their statements)."""
    if is_facts:
        return " · ".join((ngettext("%(num)d statement", "%(num)d statements", statements),
                           ngettext("%(num)d lie", "%(num)d lies", lies)))
    return ngettext("Poll · %(num)d option", "Poll · %(num)d options", options)


def round_card(round_: RoundSnapshot, now: datetime) -> Card:
    """The card of the round in its state: before the close nothing in it depends on the secrets."""
    status = round_.status(now)
    common = {"wordmark": _("Two Truths"), "title": round_.title, "facts": size_line(round_)}
    if status is RoundStatus.SCHEDULED:
        return Card(badge=_("Soon"), tone="scheduled",
                    footer=_("Opens %(time)s", time=utc_time(round_.opens_at)), **common)
    if not rules.results_public(round_, now):
        return Card(badge=_("Open") if status is RoundStatus.OPEN else _("Draft"), tone="open",
                    footer=_("Closes %(time)s", time=utc_time(round_.closes_at)), **common)
    results = round_results(round_)
    story, bars = reveal_story(round_, results)
    return Card(badge=_("Revealed"), tone="closed", footer=_("Closed %(time)s", time=utc_time(round_.closes_at)),
                story=story, bars=bars, more=_("+{n} more"), **common)


def reveal_story(round_: RoundSnapshot, results: RoundResults) -> tuple[str, tuple[Bar, ...]]:
    """What fooled people (facts) or how the vote went (polls), for a closed round's card."""
    players = results.players
    if players == 0:
        return _("Nobody played this round."), ()
    if round_.is_facts:
        summary = results.facts
        assert summary is not None
        best = next((row for row in results.statements if row.statement.id in summary.best_lie_ids), None)
        if best is None:
            return "", ()
        number = [s.id for s in round_.statements].index(best.statement.id) + 1
        fooled = shares_in_tenths([players - best.stat.marked_false, best.stat.marked_false])[0]
        story = _("Lie %(number)d fooled the most: “%(text)s”", number=number, text=best.statement.text)
        # The plural follows the number of players ("1 of 7 players"), not of those fooled.
        bars = [Bar(ngettext("Fooled %(fooled)s of %(num)d player", "Fooled %(fooled)s of %(num)d players",
                             players, fooled=number_text(players - best.stat.marked_false)),
                    fooled, percent_text(fooled))]
        if summary.average_found is not None and summary.max_points:
            found = round(summary.average_found * 1000 / summary.max_points)
            bars.append(Bar(_("Lies found on average"), found, percent_text(found)))
        return story, tuple(bars)
    ranked = sorted(results.options, key=lambda row: -row.votes)  # all of them: the card says how many it leaves out
    story = ngettext("%(num)d vote", "%(num)d votes", players)
    return story, tuple(Bar(("✓ " if row.option.is_correct else "") + row.option.text, row.tenths,
                            percent_text(row.tenths)) for row in ranked)


def percent_text(tenths: int) -> str:
    return f"{percent_from_tenths(tenths)} %" if language() == "ru" else f"{percent_from_tenths(tenths)}%"


def round_description(round_: RoundSnapshot, now: datetime) -> str:
    """The description: the round's state with live numbers, which a card never shows."""
    status = round_.status(now)
    if status is RoundStatus.SCHEDULED and round_.opens_at is not None:
        return " · ".join((ask_line(round_), _("opens in %(time)s", time=time_left(round_.opens_at, now))))
    if not rules.results_public(round_, now):
        players = (ngettext("%(num)d guessing", "%(num)d guessing", round_.answer_count) if round_.is_facts
                   else ngettext("%(num)d voted", "%(num)d voted", round_.answer_count))
        parts = [ask_line(round_), players]
        if round_.closes_at is not None:
            parts.append(_("closes in %(time)s", time=time_left(round_.closes_at, now)))
        return " · ".join(parts)
    return reveal_line(round_, round_results(round_))


def ask_line(round_: RoundSnapshot) -> str:
    if round_.is_facts:
        return _("%(statements)s, %(lies)s: guess which",
                 statements=ngettext("%(num)d statement", "%(num)d statements", len(round_.statements)),
                 lies=ngettext("%(num)d is a lie", "%(num)d are lies", round_.false_count))
    return ngettext("A poll with %(num)d option: vote", "A poll with %(num)d options: vote", len(round_.options))


def reveal_line(round_: RoundSnapshot, results: RoundResults) -> str:
    if results.players == 0:
        return _("Revealed: nobody played this round.")
    if round_.is_facts and results.facts is not None:
        best = next((row for row in results.statements if row.statement.id in results.facts.best_lie_ids), None)
        if best is not None:
            number = [s.id for s in round_.statements].index(best.statement.id) + 1
            fooled = shares_in_tenths([results.players - best.stat.marked_false, best.stat.marked_false])[0]
            return _("Revealed: lie %(number)d fooled %(percent)s · %(players)s",
                     number=number, percent=percent_text(fooled),
                     players=ngettext("%(num)d player", "%(num)d players", results.players))
        return _("Revealed: see which were lies.")
    top = max(results.options, key=lambda row: row.votes)
    return _("Results: “%(option)s” got %(percent)s · %(votes)s", option=top.option.text,
             percent=percent_text(top.tenths), votes=ngettext("%(num)d vote", "%(num)d votes", results.players))


def round_preview(round_: RoundSnapshot, now: datetime, *, endpoint: str = "play.round_page") -> LinkPreview:
    """The preview of a round's page, of its reveal (endpoint "results.reveal") or of its leaderboard.

    Once the results are public nothing in it moves with the clock (the card and the description tell the reveal),
    so it is kept until the round itself changes; before that, its description counts players and time live.
    """
    if rules.results_public(round_, now):
        address = current_app.config.get("PUBLIC_URL") or request.url_root
        key = versions.preview_key(round_, endpoint, language(), address)
        preview_: LinkPreview = kept_rendering(key, lambda: _round_preview(round_, now, endpoint))
        return preview_
    return _round_preview(round_, now, endpoint)


def _round_preview(round_: RoundSnapshot, now: datetime, endpoint: str) -> LinkPreview:
    card = round_card(round_, now)
    title = _("Reveal: %(title)s", title=round_.title) if endpoint == "results.reveal" else round_.title
    return preview(title, round_description(round_, now), absolute_url(endpoint, round_id=round_.id),
                    absolute_url("sharing.round_card_image", round_id=round_.id), card, round_feeds(round_))


# What share boxes offer (templates/_macros.html share_box).

@dataclass(frozen=True)
class ShareOffer:
    """What a share box offers: a line, the link it goes with, and the card the link unfurls into."""

    line: str
    url: str
    image: str
    image_alt: str

    @property
    def text(self) -> str:
        """The whole of what is pasted: the line, then the link on its own line (a link alone when there's no line)."""
        return f"{self.line}\n{self.url}" if self.line else self.url


def offer_of(line: str, link: LinkPreview) -> ShareOffer:
    return ShareOffer(line, link.url, link.image_url, link.image_alt)


def round_offer(round_: RoundSnapshot, now: datetime) -> ShareOffer:
    """The round's link for its host to post, the card showing how it will unfurl: once closed, its reveal's."""
    endpoint = "results.reveal" if rules.results_public(round_, now) else "play.round_page"
    return offer_of("", round_preview(round_, now, endpoint=endpoint))
