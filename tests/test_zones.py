"""The time zones a curator picks from: real places by region, named in the viewer's language, stored as IANA ids."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from quizapp.zones import canonical_zone, zone_choices
from tests.test_i18n import russian_catalog  # noqa: F401 (a fixture)

RAW_IDS = ["Factory", "localtime", "Etc/GMT+3", "Etc/UTC", "GMT", "US/Pacific", "Asia/Calcutta", "EST5EDT", "posixrules"]


@pytest.fixture
def choices(app: Flask, russian_catalog):  # type: ignore[no-untyped-def]  # noqa: F811
    def _in(locale: str):  # type: ignore[no-untyped-def]
        with app.test_request_context():
            return zone_choices(locale)

    return _in


def test_only_real_places_are_offered_and_utc_once(choices) -> None:  # type: ignore[no-untyped-def]
    values = [choice.value for choice in choices("en")]
    assert values[0] == "UTC" and values.count("UTC") == 1
    assert len(values) == len(set(values)) > 300
    assert not set(RAW_IDS) & set(values)
    assert not [value for value in values if value.startswith("Etc/")]
    for value in values:
        ZoneInfo(value)  # each one the machine can use


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_labels_are_place_names_not_identifiers(choices, locale) -> None:  # type: ignore[no-untyped-def]
    labels = [choice.label for choice in choices(locale)]
    assert not [label for label in labels if re.search(r"[/_]", label)]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(("locale", "region", "zone", "label"), [
    ("en", "Europe", "Europe/Berlin", "Berlin (Germany)"),
    ("ru", "Европа", "Europe/Berlin", "Берлин (Германия)"),
    ("en", "Asia", "Asia/Kolkata", "Kolkata (India)"),
    ("ru", "Азия", "Asia/Kolkata", "Калькутта (Индия)"),
    ("en", "Americas", "America/Indiana/Knox", "Knox, Indiana (United States)"),
    ("ru", "Америка", "America/Indiana/Knox", "Нокс, Индиана (Соединенные Штаты)"),
    ("ru", "Тихий океан", "Pacific/Auckland", "Окленд (Новая Зеландия)"),
    ("en", "Europe", "Europe/Andorra", "Andorra"),
])
def test_zones_are_grouped_by_region_and_named_in_the_viewers_language(choices, locale, region, zone,  # type: ignore[no-untyped-def]
                                                                       label) -> None:
    [choice] = [choice for choice in choices(locale) if choice.value == zone]
    assert (choice.optgroup, choice.label) == (region, label)


def test_regions_come_in_alphabetical_order_each_with_its_places_in_order(choices) -> None:  # type: ignore[no-untyped-def]
    grouped = [choice for choice in choices("ru") if choice.optgroup]
    regions = list(dict.fromkeys(choice.optgroup for choice in grouped))
    assert regions == sorted(regions) and len(regions) == 10
    europe = [choice.label for choice in grouped if choice.optgroup == "Европа"]
    assert europe == sorted(europe, key=str.casefold) and europe[0].startswith("Амстердам")


def test_each_language_is_worked_out_once(choices) -> None:  # type: ignore[no-untyped-def]
    assert choices("ru") is choices("ru")


@pytest.mark.parametrize(("name", "zone"), [
    ("Europe/Berlin", "Europe/Berlin"), ("UTC", "UTC"), ("Etc/UTC", "UTC"), ("Asia/Calcutta", "Asia/Kolkata"),
    ("Europe/Kiev", "Europe/Kyiv"), ("US/Pacific", "America/Los_Angeles"), ("GB", "Europe/London"),
])
def test_a_stored_or_old_name_reads_as_the_zone_offered(name, zone) -> None:  # type: ignore[no-untyped-def]
    assert canonical_zone(name) == zone


@pytest.mark.parametrize("name", ["Factory", "localtime", "Etc/GMT+3", "Mars/Olympus_Mons", "<script>", "", None])
def test_anything_else_is_no_zone(name) -> None:  # type: ignore[no-untyped-def]
    assert canonical_zone(name) is None
