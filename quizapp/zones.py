"""The time zones a curator picks from: real places, by region, named in the viewer's language.

The value stays the IANA id ("Europe/Berlin"), as stored before; the list is tzdata's zone.tab (every zone of every
country, and none of the aliases, "Etc/GMT+3", "Factory" or "localtime" the machine also knows), plus UTC once.
"""
from __future__ import annotations

from functools import cache, lru_cache
from importlib.resources import files

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

UTC_ZONE = "UTC"

# zone.tab's first part of each id; the ocean ones are islands.
REGIONS = {
    "Africa": _l("Africa"),
    "America": _l("Americas"),
    "Antarctica": _l("Antarctica"),
    "Arctic": _l("Arctic"),
    "Asia": _l("Asia"),
    "Atlantic": _l("Atlantic Ocean"),
    "Australia": _l("Australia"),
    "Europe": _l("Europe"),
    "Indian": _l("Indian Ocean"),
    "Pacific": _l("Pacific Ocean"),
}

# Other names of UTC, which have no place in zone.tab.
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu",
                        "GMT", "Etc/GMT", "GMT0", "GMT+0", "GMT-0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
                        "Greenwich", "Etc/Greenwich"})


@cache
def _places() -> dict[str, str]:
    """Each zone of zone.tab and the country it is in (ISO code), in the file's order."""
    text = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    places = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_comment = line.split("\t")
            places[zone] = country
    return places


@cache
def _by_cldr_id() -> dict[str, str]:
    """Each offered zone under the id CLDR (and so Babel and browsers) knows it by: Asia/Calcutta for Asia/Kolkata."""
    aliases = get_global("zone_aliases")
    return {aliases.get(zone, zone): zone for zone in _places()}


def canonical_zone(name: str | None) -> str | None:
    """The offered zone that name means (itself, or the zone an old alias like "Asia/Calcutta" stands for);
    None when it is none of them ("Etc/GMT+3", "localtime", anything else)."""
    if not name:
        return None
    if name in _UTC_NAMES:
        return UTC_ZONE
    if name in _places():
        return name
    return _by_cldr_id().get(get_global("zone_aliases").get(name, name))


@lru_cache(maxsize=16)
def zone_choices(locale: str) -> tuple[SelectChoice, ...]:
    """UTC, then every zone grouped by region, both in alphabetical order of that language:
    "Berlin (Germany)" under "Europe". Computed once per language: Babel takes a while over 400 zones."""
    names = Locale.parse(locale).territories
    with force_locale(locale):
        regions = {prefix: str(label) for prefix, label in REGIONS.items()}
    choices = []
    for zone, country in _places().items():
        city = get_timezone_location(zone, locale=locale, return_city=True)
        country_name = names.get(country, country)
        label = city if city == country_name else f"{city} ({country_name})"  # "Andorra", not "Andorra (Andorra)"
        choices.append(SelectChoice(zone, label, optgroup=regions[zone.partition("/")[0]]))
    choices.sort(key=lambda choice: (choice.optgroup.casefold(), choice.label.casefold()))
    return (SelectChoice(UTC_ZONE, "UTC"), *choices)
