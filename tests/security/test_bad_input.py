"""Bad input at every form and endpoint: never a 5xx, never an unescaped echo, nothing stored when refused.

Each case names its kind (what is wrong) and the form or endpoint it hits. A refused case must leave every
table as it was; an accepted one (hostile text is still text) must come back escaped wherever it is shown.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from quizapp.extensions import db
from quizapp.models import Answer, Round, User
from tests.conftest import Player
from tests.security.conftest import HTMX, SCRIPT, TEMPLATE, World, assert_safe, in_a_while, snapshot, text, token

MAX = 1024 * 1024
# A refused plain (no-JS) answer is sent back to the round page, its marks in the address, the reason flashed there.
SENT_BACK = 303
HUGE = "99999999999999999999"
RTL = "\u202e"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060"
COMBINING = "e" + "\u0301" * 200


@dataclass(frozen=True)
class Raw:
    """A urlencoded body sent byte for byte (after the CSRF token), for bytes no form library would produce."""

    body: bytes


@dataclass(frozen=True)
class Upload:
    content: bytes
    filename: str = "rounds.json"


@dataclass(frozen=True)
class Case:
    kind: str
    who: str
    method: str
    url: str
    form: tuple[tuple[str, Any], ...] | Raw = ()
    status: int | tuple[int, ...] = 422
    stored: bool = False  # True: the request is accepted and may store what it sent
    htmx: bool = False
    csrf: str = "own"  # own, none, foreign
    headers: tuple[tuple[str, str], ...] = ()
    message: str | None = None
    then: tuple[str, ...] = field(default=())  # pages to look at afterwards, as every kind of viewer
    check: str | None = None  # name of an extra check in CHECKS


def editor(title: str = "Three facts", statements: tuple[tuple[str, bool], ...] | None = None,
           action: str = "publish", **fields: str) -> tuple[tuple[str, str], ...]:
    statements = statements or (("I have a cat", False), ("I climbed Everest", True), ("I speak French", False))
    data = {"title": title, "intro": "", "series": "", "paste": ""}
    for i, (statement, is_false) in enumerate(statements):
        data[f"statements-{i}-text"] = statement
        if is_false:
            data[f"statements-{i}-is_false"] = "y"
        data[f"statements-{i}-explanation"] = ""
    data |= {"opens_at": "", "closes_choice": "1d", "closes_at": "", "tz": "UTC", "action": action}
    return tuple((data | fields).items())


def document(title: str = "Imported", closes_at: str = "2099-01-01T00:00:00Z") -> bytes:
    return json.dumps({"format": "two-truths/rounds@1", "rounds": [
        {"kind": "facts", "title": title, "closes_at": closes_at,
         "statements": [{"text": "a", "true": True}, {"text": "b", "true": False}]}]}).encode()


NEW = "/curator/rounds/new/facts"
ANSWER = "/rounds/@open_facts/answer"
POLL_ANSWER = "/rounds/@open_poll/answer"
MARKS = (("marks", "@false0"), ("marks", "@false1"))
EVERYWHERE = ("/", "/curator/", "/leaderboard")
NAME_INVALID = "Use letters, digits, _ and - only."
LENGTH = "Use 3 to 32 characters."
NUL_MESSAGE = "Text with NUL characters can't be saved. Nothing was saved."
UTF8_MESSAGE = "Some text was not valid UTF-8. Nothing was saved."
TOO_LARGE = "That is too large to send."
CSRF_MESSAGE = "Your form expired or came from elsewhere."
NOT_FOUND = "There is nothing here."
NOT_ALLOWED = "That action is not available here."

CASES: dict[str, Case] = {
    # --- play now (join) ---
    "join-empty": Case("empty", "visitor", "POST", "/join", (("nickname", ""),), message="Pick a nickname."),
    "join-whitespace-only": Case("whitespace-only", "visitor", "POST", "/join", (("nickname", " \t \u3000 "),)),
    "join-zero-width": Case("zero-width", "visitor", "POST", "/join", (("nickname", ZERO_WIDTH),), message=NAME_INVALID),
    "join-zero-width-inside": Case("zero-width", "visitor", "POST", "/join", (("nickname", "pa\u200bt"),),
                                   message=NAME_INVALID),
    "join-rtl-override": Case("rtl-override", "visitor", "POST", "/join", (("nickname", RTL + "nimda"),),
                              message=NAME_INVALID),
    "join-200-combining-marks": Case("combining-marks", "visitor", "POST", "/join", (("nickname", COMBINING),),
                                     message="Field cannot be longer than 128 characters."),
    "join-control-characters": Case("control-characters", "visitor", "POST", "/join", (("nickname", "bell\x07\x1b[31m"),),
                                    message=NAME_INVALID),
    "join-nul": Case("nul", "visitor", "POST", "/join", (("nickname", "pat\x00rick"),), status=400, message=NUL_MESSAGE),
    "join-invalid-utf8-escaped": Case("invalid-utf8", "visitor", "POST", "/join", Raw(b"nickname=ab%FF%FEcd"),
                                      status=400, message=UTF8_MESSAGE),
    "join-invalid-utf8-raw-bytes": Case("invalid-utf8", "visitor", "POST", "/join", Raw(b"nickname=ab\xff\xfecd"),
                                        status=400, message=UTF8_MESSAGE),
    "join-overlong-utf8": Case("invalid-utf8", "visitor", "POST", "/join", Raw(b"nickname=%C0%BCscript%C0%BE"),
                               status=400, message=UTF8_MESSAGE),
    "join-script": Case("html-script", "visitor", "POST", "/join", (("nickname", SCRIPT),), message=NAME_INVALID),
    "join-html-attribute": Case("html-script", "visitor", "POST", "/join", (("nickname", '"><img src=x onerror=alert(1)>'),),
                                message=NAME_INVALID),
    "join-template": Case("template", "visitor", "POST", "/join", (("nickname", TEMPLATE),), message=NAME_INVALID),
    "join-too-long": Case("too-long", "visitor", "POST", "/join", (("nickname", "a" * 5000),)),
    "join-oversized-body": Case("oversized", "visitor", "POST", "/join", (("nickname", "x" * (MAX + 1)),),
                                status=413, message=TOO_LARGE),
    "join-oversized-body-htmx": Case("oversized", "visitor", "POST", "/join", (("nickname", "x" * (MAX + 1)),),
                                     status=413, htmx=True, message=TOO_LARGE),
    "join-extra-fields": Case("extra-fields", "visitor", "POST", "/join",
                              (("nickname", "Newbie"), ("is_curator", "1"), ("score", "999"), ("id", "1"),
                               ("password_hash", "x"), ("username_key", "host")),
                              status=303, stored=True, check="newbie_is_a_plain_guest"),
    "join-repeated-field": Case("repeated-field", "visitor", "POST", "/join",
                                (("nickname", "Newbie"), ("nickname", "host"), ("nickname", SCRIPT)),
                                status=303, stored=True, check="one_newbie"),
    "join-open-redirect": Case("open-redirect", "visitor", "POST", "/join?next=https://evil.example/",
                               (("nickname", "Newbie"),), status=303, stored=True, check="redirected_home"),
    "join-missing-csrf": Case("csrf-missing", "visitor", "POST", "/join", (("nickname", "Newbie"),), status=400,
                              csrf="none", message=CSRF_MESSAGE),
    "join-foreign-csrf": Case("csrf-foreign", "visitor", "POST", "/join", (("nickname", "Newbie"),), status=400,
                              csrf="foreign", message=CSRF_MESSAGE),
    "join-wrong-method": Case("wrong-method", "visitor", "PUT", "/join", (("nickname", "Newbie"),), status=405,
                              message=NOT_ALLOWED),
    # --- register and log in ---
    "register-empty": Case("empty", "visitor", "POST", "/register", (("username", ""), ("password", ""), ("confirm", ""))),
    "register-script": Case("html-script", "visitor", "POST", "/register",
                            (("username", SCRIPT), ("password", "long enough"), ("confirm", "long enough")),
                            message=NAME_INVALID),
    "register-nul-in-password": Case("nul", "visitor", "POST", "/register",
                                     (("username", "Newbie"), ("password", "long\x00enough"), ("confirm", "long\x00enough")),
                                     status=400, message=NUL_MESSAGE),
    "register-password-too-long": Case("too-long", "visitor", "POST", "/register",
                                       (("username", "Newbie"), ("password", "p" * 257), ("confirm", "p" * 257))),
    "register-extra-fields": Case("extra-fields", "visitor", "POST", "/register",
                                  (("username", "Newbie"), ("password", "long enough"), ("confirm", "long enough"),
                                   ("is_curator", "1"), ("is_curator", "true"), ("curator", "y")),
                                  status=303, stored=True, check="newbie_is_not_a_curator"),
    "register-invalid-utf8": Case("invalid-utf8", "visitor", "POST", "/register",
                                  Raw(b"username=New%E9bie&password=long+enough&confirm=long+enough"),
                                  status=400, message=UTF8_MESSAGE),
    "login-script": Case("html-script", "visitor", "POST", "/login", (("username", SCRIPT), ("password", SCRIPT)),
                         message="Wrong username or password."),
    "login-template": Case("template", "visitor", "POST", "/login", (("username", TEMPLATE), ("password", "x")),
                           message="Wrong username or password."),
    "login-whitespace-only": Case("whitespace-only", "visitor", "POST", "/login", (("username", "   "), ("password", "   "))),
    "login-nul": Case("nul", "visitor", "POST", "/login", (("username", "pat\x00"), ("password", "pat-password")),
                      status=400, message=NUL_MESSAGE),
    "login-invalid-utf8": Case("invalid-utf8", "visitor", "POST", "/login", Raw(b"username=pat%FF&password=pat-password"),
                               status=400, message=UTF8_MESSAGE),
    "login-too-long": Case("too-long", "visitor", "POST", "/login", (("username", "p" * 10_000), ("password", "x"))),
    "login-open-redirect": Case("open-redirect", "visitor", "POST", "/login?next=//evil.example/",
                                (("username", "pat"), ("password", "pat-password")), status=303, check="redirected_home"),
    "login-next-script-echo": Case("html-script", "visitor", "GET", "/login?next=" + SCRIPT, status=200),
    # --- account, language, time zone ---
    "logout-as-visitor": Case("not-signed-in", "visitor", "POST", "/logout", (), status=303),
    "logout-nul": Case("nul", "pat", "POST", "/logout", (("next", "/\x00"),), status=400, message=NUL_MESSAGE,
                       check="still_signed_in"),
    "logout-wrong-method": Case("wrong-method", "pat", "GET", "/logout", status=405, check="still_signed_in"),
    "password-empty": Case("empty", "pat", "POST", "/account/password", (("password", ""), ("confirm", ""))),
    "password-nul": Case("nul", "pat", "POST", "/account/password", (("password", "new\x00password"),
                                                                     ("confirm", "new\x00password")), status=400),
    "password-invalid-utf8": Case("invalid-utf8", "pat", "POST", "/account/password",
                                  Raw(b"password=new%FFpassword&confirm=new%FFpassword"), status=400),
    "password-too-long": Case("too-long", "pat", "POST", "/account/password", (("password", "p" * 300), ("confirm", "p" * 300))),
    "password-visitor": Case("not-signed-in", "visitor", "POST", "/account/password",
                             (("password", "new password"), ("confirm", "new password")), status=302),
    "language-script": Case("unknown-choice", "pat", "POST", "/language", (("lang", SCRIPT),), status=303,
                            check="language_unchanged"),
    "language-open-redirect": Case("open-redirect", "pat", "POST", "/language",
                                   (("lang", "ru"), ("next", "https://evil.example/")), status=303, stored=True,
                                   check="redirected_home"),
    "language-nul": Case("nul", "pat", "POST", "/language", (("lang", "ru\x00"),), status=400, check="language_unchanged"),
    # --- answering a facts round ---
    "welcome-extra-fields": Case("extra-fields", "pat", "POST", "/welcome/dismiss", (("welcome", SCRIPT),), status=303),
    "welcome-nul": Case("nul", "pat", "POST", "/welcome/dismiss", (("welcome", "a\x00"),), status=400, htmx=True),
    "answer-no-marks": Case("empty", "pat", "POST", ANSWER, (), message="Mark exactly 2 statements", status=SENT_BACK),
    "answer-whitespace-marks": Case("whitespace-only", "pat", "POST", ANSWER, (("marks", " "), ("marks", "\t")),
                                    message="That statement is not part of this round.", status=SENT_BACK),
    "answer-zero-width-id": Case("zero-width", "pat", "POST", ANSWER, (("marks", "@false0"), ("marks", "\u200b@false1")),
                                 status=SENT_BACK),
    "answer-script-mark": Case("html-script", "pat", "POST", ANSWER, (("marks", "@false0"), ("marks", SCRIPT)), htmx=True),
    "answer-template-mark": Case("template", "pat", "POST", ANSWER, (("marks", "@false0"), ("marks", TEMPLATE)),
                                 status=SENT_BACK),
    "answer-mark-of-another-round": Case("id-of-another-round", "pat", "POST", ANSWER,
                                         (("marks", "@false0"), ("marks", "@rival_statement1")), status=SENT_BACK),
    "answer-nul": Case("nul", "pat", "POST", ANSWER, (("marks", "@false0"), ("marks", "@false1\x00")), status=400),
    "answer-invalid-utf8": Case("invalid-utf8", "pat", "POST", ANSWER, Raw(b"marks=1&marks=%FF"), status=400),
    "answer-ten-thousand-marks": Case("too-many-values", "pat", "POST", ANSWER,
                                      tuple(("marks", str(i)) for i in range(10_000)), status=SENT_BACK),
    "answer-oversized": Case("oversized", "pat", "POST", ANSWER, (("marks", "1" * (MAX + 1)),), status=413, htmx=True,
                             message=TOO_LARGE),
    "answer-extra-fields": Case("extra-fields", "pat", "POST", ANSWER,
                                (*MARKS, ("score", "999"), ("points", "5"), ("max_points", "0"), ("answer_count", "99"),
                                 ("player_id", "@host_id"), ("round_id", "@rival_open")),
                                status=303, stored=True, check="answer_is_pats_and_scored_by_the_server"),
    "answer-huge-round-id": Case("id-huge", "pat", "POST", f"/rounds/{HUGE}/answer", MARKS, status=404, message=NOT_FOUND),
    "answer-round-id-out-of-range": Case("id-out-of-range", "pat", "POST", "/rounds/2147483648/answer", MARKS, status=404),
    "answer-negative-round-id": Case("id-negative", "pat", "POST", "/rounds/-1/answer", MARKS, status=404),
    "answer-non-numeric-round-id": Case("id-non-numeric", "pat", "POST", "/rounds/one/answer", MARKS, status=404),
    "answer-draft-round": Case("id-not-visible", "pat", "POST", "/rounds/@draft/answer", (("marks", "1"),), status=404),
    "answer-not-yet-open": Case("not-yet-open", "pat", "POST", "/rounds/@scheduled/answer", (("marks", "1"),),
                                status=SENT_BACK, message="This round is not open yet: your answer was not sent."),
    "answer-wrong-method": Case("wrong-method", "pat", "DELETE", ANSWER, MARKS, status=405, message=NOT_ALLOWED),
    "answer-missing-csrf-htmx": Case("csrf-missing", "pat", "POST", ANSWER, MARKS, status=400, csrf="none", htmx=True,
                                     message=CSRF_MESSAGE),
    "answer-foreign-csrf": Case("csrf-foreign", "pat", "POST", ANSWER, MARKS, status=SENT_BACK, csrf="foreign",
                                message="This page had expired, so nothing was sent. Your marks are kept"),
    # --- voting in a poll ---
    "vote-empty": Case("empty", "pat", "POST", POLL_ANSWER, (("option", ""),), message="Choose one of the options.",
                       status=SENT_BACK),
    "vote-negative-id": Case("id-negative", "pat", "POST", POLL_ANSWER, (("option", "-1"),), status=SENT_BACK),
    "vote-huge-id": Case("id-huge", "pat", "POST", POLL_ANSWER, (("option", HUGE),), status=SENT_BACK),
    "vote-zero-id": Case("id-out-of-range", "pat", "POST", POLL_ANSWER, (("option", "0"),),
                         message="Choose one of the options.", status=SENT_BACK),
    "vote-non-numeric-id": Case("id-non-numeric", "pat", "POST", POLL_ANSWER, (("option", "Tea"),), status=SENT_BACK),
    "vote-script": Case("html-script", "pat", "POST", POLL_ANSWER, (("option", SCRIPT),), htmx=True),
    "vote-option-of-another-poll": Case("id-of-another-round", "pat", "POST", POLL_ANSWER, (("option", "@scheduled_option0"),),
                                        message="Choose one of the options.", status=SENT_BACK),
    "vote-repeated-option": Case("repeated-field", "pat", "POST", POLL_ANSWER,
                                 (("option", "@option0"), ("option", "@option1")), status=303, stored=True,
                                 check="one_vote_for_the_first_option"),
    "vote-one-second-after-close": Case("after-close", "pat", "POST", "/rounds/@just_closed_poll/answer",
                                        (("option", "@just_closed_option0"),), status=409, htmx=True,
                                        message="This round is closed"),
    "vote-before-open": Case("not-yet-open", "pat", "POST", "/rounds/@scheduled_poll/answer",
                             (("option", "@scheduled_option0"),), status=SENT_BACK, message="This round opens"),
    "vote-as-visitor": Case("not-signed-in", "visitor", "POST", POLL_ANSWER, (("option", "@option0"),),
                            message="Join first", status=SENT_BACK),
    # --- a visitor's marks, carried through joining in the round page's address ---
    "join-with-foreign-and-hostile-marks": Case(
        "id-of-another-round", "visitor", "GET",
        f"/rounds/@open_facts/join?marks=@false0&marks=@rival_statement1&marks={quote(SCRIPT)}&marks=-1"
        f"&marks={HUGE}&option=@option0&via={quote(SCRIPT)}",
        status=303, check="only_the_rounds_own_marks_go_to_joining"),
    "join-with-a-foreign-option": Case("id-of-another-round", "visitor", "GET",
                                       "/rounds/@open_poll/join?option=@rival_statement0&via=login", status=303,
                                       check="no_option_goes_to_logging_in"),
    "round-page-with-hostile-marks": Case(
        "html-script", "pat", "GET",
        f"/rounds/@open_facts?marks={quote(SCRIPT)}&marks=@rival_statement1&marks=%EF%BC%91&marks=@true0&option={HUGE}",
        status=200, check="only_the_rounds_own_mark_is_ticked"),
    # --- the dashboard's live answer counts ---
    "answer-counts-hostile-page": Case("html-script", "host", "GET", f"/curator/answer-counts?page={quote(SCRIPT)}",
                                       status=200, htmx=True),
    "answer-counts-as-player": Case("forbidden", "pat", "GET", "/curator/answer-counts", status=403, htmx=True),
    # --- the round editor ---
    "editor-empty-title": Case("empty", "host", "POST", NEW, editor(title=""), message="Give the round a title."),
    "editor-whitespace-title": Case("whitespace-only", "host", "POST", NEW, editor(title=" \t\r\n "),
                                    message="Give the round a title."),
    "editor-whitespace-statements": Case("whitespace-only", "host", "POST", NEW,
                                         editor(statements=(("  ", False), ("\t", True)))),
    "editor-title-too-long": Case("too-long", "host", "POST", NEW, editor(title="t" * 201)),
    "editor-statement-too-long": Case("too-long", "host", "POST", NEW,
                                      editor(statements=(("s" * 1001, False), ("short", True)))),
    "editor-intro-too-long": Case("too-long", "host", "POST", NEW, editor(intro="i" * 2001)),
    "editor-series-too-long": Case("too-long", "host", "POST", NEW, editor(series="s" * 121, action="save")),
    "editor-option-too-long": Case("too-long", "host", "POST", "/curator/rounds/new/poll",
                                   (("title", "Q"), ("options-0-text", "o" * 301), ("options-1-text", "b"),
                                    ("closes_choice", "1d"), ("tz", "UTC"), ("action", "publish"))),
    "editor-31-statements": Case("too-many-values", "host", "POST", NEW,
                                 editor(statements=tuple((f"s{i}", i == 0) for i in range(31)), action="save"),
                                 message="A facts round has 2 to 30 statements."),
    "editor-nul-title": Case("nul", "host", "POST", NEW, editor(title="Ti\x00tle"), status=400, message=NUL_MESSAGE),
    "editor-nul-statement-htmx": Case("nul", "host", "POST", NEW, editor(action="add", **{"statements-1-text": "a\x00"}),
                                      status=400, htmx=True, message=NUL_MESSAGE),
    "editor-invalid-utf8": Case("invalid-utf8", "host", "POST", NEW,
                                Raw(b"title=%E2%28%A1&statements-0-text=a&statements-1-text=b&statements-1-is_false=y"
                                    b"&closes_choice=1d&tz=UTC&action=save"), status=400, message=UTF8_MESSAGE),
    "editor-oversized": Case("oversized", "host", "POST", NEW, editor(paste="p" * (MAX + 1), action="paste"), status=413,
                             message=TOO_LARGE),
    "editor-paste-too-long": Case("too-long", "host", "POST", NEW, editor(paste="p\n\n" * 15_001, action="paste")),
    "editor-script-everywhere": Case("html-script", "host", "POST", NEW,
                                     editor(title=SCRIPT, intro=SCRIPT, series=SCRIPT,
                                            statements=((SCRIPT, False), (f"</textarea>{SCRIPT}", True))),
                                     status=303, stored=True, then=(*EVERYWHERE, "/series/@new_series", "/rounds/@new_round",
                                                                    "/curator/rounds/@new_round/edit")),
    "editor-template-everywhere": Case("template", "host", "POST", NEW,
                                       editor(title=TEMPLATE, statements=((TEMPLATE, False), ("{% raw %}x", True))),
                                       status=303, stored=True, then=(*EVERYWHERE, "/rounds/@new_round"),
                                       check="template_shown_as_text"),
    "editor-rtl-and-zero-width-text": Case("rtl-override", "host", "POST", NEW,
                                           editor(title=RTL + "eltit" + ZERO_WIDTH,
                                                  statements=((RTL + "txet", False), (ZERO_WIDTH + "x", True))),
                                           status=303, stored=True, then=("/", "/rounds/@new_round"),
                                           check="text_stored_exactly"),
    "editor-combining-marks": Case("combining-marks", "host", "POST", NEW,
                                   editor(title="Marks", statements=((COMBINING, False), ("plain", True))),
                                   status=303, stored=True, then=("/rounds/@new_round",), check="text_stored_exactly"),
    "editor-paste-script": Case("html-script", "host", "POST", NEW,
                                editor(paste=f"1. {SCRIPT}\n2. {TEMPLATE}\n3. </textarea><b>", action="paste"), status=200),
    "editor-action-script": Case("unknown-choice", "host", "POST", NEW, editor(action=SCRIPT), status=200),
    "editor-action-huge-index": Case("id-huge", "host", "POST", NEW, editor(action=f"remove-{HUGE}"), status=200),
    "editor-action-negative-index": Case("id-negative", "host", "POST", NEW, editor(action="up--1"), status=200),
    "editor-row-index-huge": Case("id-huge", "host", "POST", NEW,
                                  (("title", "T"), (f"statements-{HUGE}-text", "x"), ("statements-0-text", "y"),
                                   ("closes_choice", "1d"), ("tz", "UTC"), ("action", "add")), status=400),
    "editor-row-name-unicode-digit": Case("unicode-digits", "host", "POST", NEW,
                                          (("title", "T"), ("statements-\u00b2-text", "x"), ("statements-0-text", "y"),
                                           ("closes_choice", "1d"), ("tz", "UTC"), ("action", "save")), status=400),
    "editor-row-name-arabic-digit": Case("unicode-digits", "host", "POST", "/curator/rounds/new/poll",
                                         (("title", "Q"), ("options-\u0661-text", "x"), ("options-0-text", "y"),
                                          ("closes_choice", "1d"), ("tz", "UTC"), ("action", "add")), status=400),
    "editor-action-unicode-digit": Case("unicode-digits", "host", "POST", NEW, editor(action="remove-\u00b2"), status=200),
    "editor-action-arabic-digit": Case("unicode-digits", "host", "POST", NEW, editor(action="up-\u0661"), status=200),
    "editor-action-5000-digits": Case("id-huge", "host", "POST", NEW, editor(action="down-" + "9" * 5000), status=200),
    "editor-row-name-5000-digits": Case("id-huge", "host", "POST", NEW,
                                        (("title", "T"), ("statements-" + "1" * 5000 + "-text", "x"),
                                         ("closes_choice", "1d"), ("tz", "UTC"), ("action", "save")), status=400),
    "editor-40000-rows": Case("too-many-values", "host", "POST", NEW,
                              tuple((f"statements-{i}-text", "s") for i in range(40_000)) + (("action", "save"),),
                              message="A facts round has 2 to 30 statements."),
    "editor-11-options": Case("too-many-values", "host", "POST", "/curator/rounds/new/poll",
                              (("title", "Q"), *((f"options-{i}-text", f"o{i}") for i in range(11)),
                               ("closes_choice", "1d"), ("tz", "UTC"), ("action", "save")),
                              message="A poll has 2 to 10 options."),
    "editor-unknown-closes-choice": Case("unknown-choice", "host", "POST", NEW, editor(closes_choice="forever")),
    "editor-unknown-time-zone": Case("unknown-choice", "host", "POST", NEW, editor(tz=SCRIPT, action="save"),
                                     message="Choose a time zone from the list.", check="timezone_unchanged"),
    "editor-raw-time-zone-id": Case("unknown-choice", "host", "POST", NEW, editor(tz="Etc/GMT+3"),
                                    message="Choose a time zone from the list.", check="timezone_unchanged"),
    "editor-garbage-date": Case("bad-date", "host", "POST", NEW, editor(opens_at="next friday")),
    "editor-closes-before-opens": Case("bad-date", "host", "POST", NEW,
                                       editor(opens_at=in_a_while(), closes_choice="custom", closes_at="2020-01-01T10:00"),
                                       message="The round must close after it opens."),
    "editor-closes-at-year-9999": Case("date-out-of-range", "host", "POST", NEW,
                                       editor(closes_choice="custom", closes_at="9999-12-31T23:59", tz="America/Adak")),
    "editor-opens-at-year-1": Case("date-out-of-range", "host", "POST", NEW, editor(opens_at="0001-01-01T00:00",
                                                                                    tz="Asia/Tokyo")),
    "editor-opens-at-year-9999-for-a-week": Case("date-out-of-range", "host", "POST", NEW,
                                                 editor(opens_at="9999-12-31T00:00", closes_choice="1w")),
    "editor-extra-fields": Case("extra-fields", "host", "POST", NEW,
                                editor(action="save", published="1", curator_id="@rival_id", answer_count="99", id="1",
                                       results_visibility="after_vote"),
                                status=303, stored=True, check="draft_is_the_hosts_and_unpublished"),
    "editor-unknown-kind": Case("id-non-numeric", "host", "POST", "/curator/rounds/new/quiz", editor(), status=404),
    "editor-huge-round-id": Case("id-huge", "host", "POST", f"/curator/rounds/{HUGE}/edit", editor(), status=404),
    "editor-other-curators-round": Case("id-of-another-round", "host", "POST", "/curator/rounds/@rival_open/edit",
                                        editor(action="save"), status=403),
    "editor-as-player": Case("forbidden", "pat", "POST", NEW, editor(), status=403),
    "editor-wrong-method": Case("wrong-method", "host", "PATCH", NEW, editor(), status=405),
    # --- extend, close, delete ---
    "extend-unknown-choice": Case("unknown-choice", "host", "POST", "/curator/rounds/@open_facts/extend",
                                  (("closes_choice", "forever"), ("tz", "UTC")), message="Not a valid choice."),
    "extend-garbage-date": Case("bad-date", "host", "POST", "/curator/rounds/@open_facts/extend",
                                (("closes_choice", "custom"), ("closes_at", "soon"), ("tz", "UTC")),
                                message="Not a valid datetime value."),
    "extend-empty-custom-date": Case("empty", "host", "POST", "/curator/rounds/@open_facts/extend",
                                     (("closes_choice", "custom"), ("closes_at", ""), ("tz", "UTC"))),
    "extend-year-9999": Case("date-out-of-range", "host", "POST", "/curator/rounds/@open_facts/extend",
                             (("closes_choice", "custom"), ("closes_at", "9999-12-31T23:59"), ("tz", "America/Adak")),
                             status=(400, 422)),
    "extend-script-time-zone": Case("html-script", "host", "POST", "/curator/rounds/@open_facts/extend",
                                    (("closes_choice", "custom"), ("closes_at", "2020-01-01T00:00"), ("tz", SCRIPT)),
                                    message="Choose a time zone from the list."),
    "extend-nul": Case("nul", "host", "POST", "/curator/rounds/@open_facts/extend", (("closes_choice", "1w\x00"),),
                       status=400),
    "extend-huge-id": Case("id-huge", "host", "POST", f"/curator/rounds/{HUGE}/extend", (("closes_choice", "1w"),),
                           status=404),
    "close-scheduled-round": Case("wrong-state", "host", "POST", "/curator/rounds/@scheduled/close", (), status=303,
                                  check="flash_only_open_rounds_close"),
    "close-negative-id": Case("id-negative", "host", "POST", "/curator/rounds/-5/close", (), status=404),
    "close-foreign-csrf": Case("csrf-foreign", "host", "POST", "/curator/rounds/@open_facts/close", (), status=400,
                               csrf="foreign"),
    "delete-answered-without-confirmation": Case("missing-confirmation", "host", "POST",
                                                 "/curator/rounds/@closed_facts/delete", (("confirm", "YES"),),
                                                 status=200),
    "delete-non-numeric-id": Case("id-non-numeric", "host", "POST", "/curator/rounds/1e3/delete", (("confirm", "yes"),),
                                  status=404),
    "delete-wrong-method": Case("wrong-method", "host", "PUT", "/curator/rounds/@draft/delete", (("confirm", "yes"),),
                                status=405),
    # --- people (promote) ---
    "promote-empty": Case("empty", "host", "POST", "/curator/people", (("username", ""),), message="Enter a username."),
    "promote-unknown": Case("id-out-of-range", "host", "POST", "/curator/people", (("username", "nobody"),),
                            message="No player has that name."),
    "promote-guest": Case("wrong-state", "host", "POST", "/curator/people", (("username", "oleg"),),
                          message="Guests must set a password"),
    "promote-script": Case("html-script", "host", "POST", "/curator/people", (("username", SCRIPT),)),
    "promote-lookalike": Case("lookalike", "host", "POST", "/curator/people", (("username", "\u0440at"),),
                              message="No player has that name."),
    "promote-nul": Case("nul", "host", "POST", "/curator/people", (("username", "pat\x00"),), status=400),
    "promote-too-long": Case("too-long", "host", "POST", "/curator/people", (("username", "p" * 5000),)),
    "promote-by-player": Case("forbidden", "pat", "POST", "/curator/people", (("username", "pat"),), status=403),
    "export-as-player": Case("forbidden", "pat", "GET", "/curator/export.json", status=403),
    "export-script-query": Case("html-script", "host", "GET", "/curator/export.json?format=" + SCRIPT, status=200),
    # --- announcement channels ---
    "channel-empty-url": Case("empty", "host", "POST", "/curator/channels/",
                              (("target", "site"), ("kind", "webhook"), ("url", ""), ("language", "en")),
                              message="The address must start with https://"),
    "channel-private-url": Case("private-address", "host", "POST", "/curator/channels/",
                                (("target", "site"), ("kind", "webhook"), ("url", "http://169.254.169.254/"),
                                 ("language", "en")), message="link-local"),
    "channel-script-url": Case("html-script", "host", "POST", "/curator/channels/",
                               (("target", "site"), ("kind", "slack"), ("url", SCRIPT), ("language", "en"))),
    "channel-unknown-kind": Case("wrong-choice", "host", "POST", "/curator/channels/",
                                 (("target", "site"), ("kind", "sms"), ("url", "https://x.example"), ("language", "en"))),
    "channel-another-curators-series": Case("id-out-of-range", "host", "POST", "/curator/channels/",
                                            (("target", "999999"), ("kind", "slack"), ("url", "https://x.example"),
                                             ("language", "en"))),
    "channel-secret-too-long": Case("too-long", "host", "POST", "/curator/channels/",
                                    (("target", "site"), ("kind", "telegram"), ("secret", "s" * 5000),
                                     ("chat_id", "@q"), ("language", "en"))),
    "channel-nul": Case("nul", "host", "POST", "/curator/channels/",
                        (("target", "site"), ("kind", "slack"), ("url", "https://x.example/\x00"), ("language", "en")),
                        status=400),
    "channel-by-player": Case("forbidden", "pat", "POST", "/curator/channels/",
                              (("target", "site"), ("kind", "slack"), ("url", "https://x.example"), ("language", "en")),
                              status=403),
    "channel-remove-missing": Case("id-out-of-range", "host", "POST", "/curator/channels/99999999/remove", status=404),
    "channel-remove-by-player": Case("forbidden", "pat", "POST", "/curator/channels/1/remove", status=403),
    "channel-test-missing": Case("id-out-of-range", "host", "POST", "/curator/channels/99999999/test", status=404),
    # --- import upload ---
    "import-no-file": Case("empty", "host", "POST", "/curator/import", (), message="Choose a file to import."),
    "import-empty-file": Case("empty", "host", "POST", "/curator/import", (("file", Upload(b"")),)),
    "import-not-json": Case("bad-upload", "host", "POST", "/curator/import", (("file", Upload(b"<html>" + SCRIPT.encode())),)),
    "import-invalid-utf8": Case("invalid-utf8", "host", "POST", "/curator/import",
                                (("file", Upload(document().replace(b"Imported", b"Imp\xffrted"))),),
                                message="not valid UTF-8"),
    "import-nul-in-text": Case("nul", "host", "POST", "/curator/import",
                               (("file", Upload(document(title="a\u0000b"))),)),
    "import-script-in-error": Case("html-script", "host", "POST", "/curator/import",
                                   (("file", Upload(json.dumps({"format": "two-truths/rounds@1", "rounds": [
                                       {"kind": SCRIPT, "title": SCRIPT}]}).encode())),)),
    "import-year-10000": Case("date-out-of-range", "host", "POST", "/curator/import",
                              (("file", Upload(document(closes_at="10000-01-01T00:00:00Z"))),)),
    "import-script-title": Case("html-script", "host", "POST", "/curator/import",
                                (("file", Upload(document(title=SCRIPT), filename=SCRIPT + ".json")),), status=303,
                                stored=True, then=("/curator/",)),
    "import-integer-of-4401-digits": Case("huge-number", "host", "POST", "/curator/import",
                                          (("file", Upload(b'{"format": "two-truths/rounds@1", "rounds": [{"kind": '
                                                           b'"facts", "title": "x", "statements": ' + b"9" * 4401
                                                           + b"}]}")),),
                                          message="not valid: a number has more than 100 digits"),
    "import-negative-integer-of-5000-digits": Case("huge-number", "host", "POST", "/curator/import",
                                                   (("file", Upload(b'{"format": -' + b"1" * 5000 + b"}")),),
                                                   message="not valid: a number has more than 100 digits"),
    "import-lone-surrogate-title": Case("lone-surrogate", "host", "POST", "/curator/import",
                                        (("file", Upload(document(title="x\ud800"))),),
                                        message="must not contain unpaired surrogates"),
    "import-lone-surrogate-key": Case("lone-surrogate", "host", "POST", "/curator/import",
                                      (("file", Upload(b'{"format": "two-truths/rounds@1", "rounds": [{"kind": "facts", '
                                                       b'"title": "t", "\\udfff": 1}]}')),),
                                      message="unknown key"),
    "import-oversized": Case("oversized", "host", "POST", "/curator/import",
                             (("file", Upload(b" " * (MAX + 1))),), status=413, message=TOO_LARGE),
    # --- pages, fragments and JSON by id ---
    "round-page-huge-id": Case("id-huge", "visitor", "GET", f"/rounds/{HUGE}", status=404, message=NOT_FOUND),
    "round-page-out-of-range": Case("id-out-of-range", "visitor", "GET", "/rounds/9223372036854775808", status=404),
    "round-page-zero": Case("id-out-of-range", "visitor", "GET", "/rounds/0", status=404),
    "round-page-negative": Case("id-negative", "visitor", "GET", "/rounds/-1", status=404),
    "round-page-non-numeric": Case("id-non-numeric", "visitor", "GET", "/rounds/%3Cscript%3E", status=404),
    "round-page-arabic-digit": Case("unicode-digits", "visitor", "GET", "/rounds/%D9%A1", status=404, message=NOT_FOUND),
    "round-page-superscript-digit": Case("unicode-digits", "visitor", "GET", "/rounds/%C2%B9", status=404),
    "round-page-fullwidth-digit": Case("unicode-digits", "visitor", "GET", "/rounds/%EF%BC%91/reveal", status=404),
    "answer-arabic-digit-round-id": Case("unicode-digits", "pat", "POST", "/rounds/%D9%A1/answer", MARKS, status=404),
    "series-arabic-digit": Case("unicode-digits", "visitor", "GET", "/series/%D9%A1", status=404),
    "round-page-nul": Case("nul", "visitor", "GET", "/rounds/1%00", status=(400, 404)),
    "count-huge-id-htmx": Case("id-huge", "visitor", "GET", f"/rounds/{HUGE}/count", status=404, htmx=True),
    "tally-huge-id": Case("id-huge", "pat", "GET", f"/rounds/{HUGE}/tally", status=404, htmx=True),
    "reveal-huge-id": Case("id-huge", "visitor", "GET", f"/rounds/{HUGE}/reveal", status=404),
    "reveal-draft": Case("id-not-visible", "pat", "GET", "/rounds/@draft/reveal", status=404),
    "results-json-huge-id": Case("id-huge", "visitor", "GET", f"/rounds/{HUGE}/results.json", status=404),
    "results-json-open-round": Case("not-yet-closed", "visitor", "GET", "/rounds/@open_facts/results.json", status=404),
    "results-json-non-numeric": Case("id-non-numeric", "visitor", "GET", "/rounds/abc/results.json", status=404),
    "round-leaderboard-huge-id": Case("id-huge", "visitor", "GET", f"/rounds/{HUGE}/leaderboard", status=404),
    "series-huge-id": Case("id-huge", "visitor", "GET", f"/series/{HUGE}", status=404),
    "card-huge-id": Case("id-huge", "visitor", "GET", f"/rounds/{HUGE}/card.png", status=404),
    "card-draft": Case("id-not-visible", "pat", "GET", "/rounds/@draft/card.png", status=404),
    "card-script-language": Case("html-script", "visitor", "GET", "/card.png?lang=" + SCRIPT, status=200),
    "series-card-huge-id": Case("id-huge", "visitor", "GET", f"/series/{HUGE}/card.png", status=404),
    "feed-script-language": Case("html-script", "visitor", "GET", "/feed.atom?lang=" + SCRIPT, status=200),
    "series-feed-huge-id": Case("id-huge", "visitor", "GET", f"/series/{HUGE}/feed.atom", status=404),
    "host-feed-script-name": Case("html-script", "visitor", "GET", "/hosts/%3Cscript%3E/feed.atom", status=404),
    "host-feed-nul-name": Case("nul", "visitor", "GET", "/hosts/a%00b/feed.atom", status=(400, 404)),
    # A shared result's token: the answer's id and a MAC; anything else names no result.
    "shared-result-script-token": Case("html-script", "visitor", "GET", "/rounds/@closed_facts/shared/%3Cscript%3E",
                                       status=404),
    "shared-result-huge-token": Case("id-huge", "visitor", "GET", f"/rounds/@closed_facts/shared/{HUGE}-{HUGE}",
                                     status=404),
    "shared-result-nul-token": Case("nul", "visitor", "GET", "/rounds/@closed_facts/shared/1-a%00b", status=(400, 404)),
    "shared-card-forged-token": Case("id-not-visible", "visitor", "GET",
                                     "/rounds/@closed_facts/shared/1-0000000000000000/card.png", status=404),
    "csv-huge-id": Case("id-huge", "host", "GET", f"/curator/rounds/{HUGE}/answers.csv", status=404),
    "delete-page-huge-id": Case("id-huge", "host", "GET", f"/curator/rounds/{HUGE}/delete", status=404),
    "leaderboard-page-non-numeric": Case("id-non-numeric", "visitor", "GET", "/leaderboard?page=" + SCRIPT, status=200),
    "leaderboard-page-negative": Case("id-negative", "visitor", "GET", "/leaderboard?page=-7", status=200),
    "leaderboard-page-huge": Case("id-huge", "visitor", "GET", f"/leaderboard?page={HUGE}", status=200),
    "query-invalid-utf8": Case("invalid-utf8", "visitor", "GET", "/?q=%FF", status=400, message=UTF8_MESSAGE),
    "query-nul": Case("nul", "visitor", "GET", "/leaderboard?page=1%00", status=400),
    "query-script-echoed-in-next": Case("html-script", "visitor", "GET", "/?x=" + SCRIPT + TEMPLATE, status=200),
    # --- headers and cookies ---
    "header-odd-htmx-type": Case("bogus-headers", "visitor", "GET", "/", status=200,
                                 headers=(("HX-Request", "true"), ("HX-Request-Type", SCRIPT))),
    "header-script-language": Case("bogus-headers", "visitor", "GET", "/", status=200,
                                   headers=(("Accept-Language", SCRIPT + ";q=x,{{7*7}}"),)),
    "cookie-tampered-session": Case("tampered-cookie", "visitor", "GET", "/curator/", status=302,
                                    headers=(("Cookie", "session=eyJfdXNlcl9pZCI6IjEifQ.forged.signature"),)),
}


def resolve(value: str, ids: dict[str, int]) -> str:
    """Replace @name with the id of that name in the world."""
    for name in sorted(ids, key=len, reverse=True):
        value = value.replace(f"@{name}", str(ids[name]))
    return value


def last_round() -> tuple[int, int]:
    db.session.rollback()
    round_ = db.session.scalars(select(Round).order_by(Round.id.desc())).first()
    return round_.id, round_.series_id or 0


def send(app: Flask, world: World, case: Case):  # type: ignore[no-untyped-def]
    player: Player = getattr(world, case.who)
    ids = world.ids()
    url = resolve(case.url, ids)
    headers = dict(case.headers) | (HTMX if case.htmx else {})
    if case.method == "GET":
        return player.client.get(url, headers=headers)
    own = token(player)
    sent = {"own": own, "none": None, "foreign": token(Player(app.test_client()))}[case.csrf]
    if isinstance(case.form, Raw):
        body = (f"csrf_token={sent}&".encode() if sent else b"") + case.form.body
        return player.client.open(url, method=case.method, data=body, headers=headers,
                                  content_type="application/x-www-form-urlencoded")
    data = MultiDict()
    if sent:
        data.add("csrf_token", sent)
    for key, value in case.form:
        if isinstance(value, Upload):
            data.add(key, FileStorage(io.BytesIO(value.content), filename=value.filename, content_type="application/json"))
        else:
            data.add(key, resolve(value, ids))
    if any(isinstance(value, FileStorage) for value in data.values()):
        # Encoded here, in memory: the test client spools large uploads to a temporary file it never closes.
        boundary, body = encode_multipart(data)
        return player.client.open(url, method=case.method, data=body, headers=headers,
                                  content_type=f"multipart/form-data; boundary={boundary}")
    return player.client.open(url, method=case.method, data=data, headers=headers)


# --- checks for accepted cases ----------------------------------------------------------------------


def user_named(name: str) -> User:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.username == name))


def newbie_is_a_plain_guest(world: World, response) -> None:  # type: ignore[no-untyped-def]
    newbie = user_named("Newbie")
    assert newbie.is_guest and not newbie.is_curator
    assert newbie.username_key == "newbie" and newbie.id != 1


def newbie_is_not_a_curator(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert not user_named("Newbie").is_curator
    assert world.visitor.get("/curator/").status_code == 403


def one_newbie(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert user_named("Newbie") is not None
    assert [u.username for u in db.session.scalars(select(User).order_by(User.id))][-1] == "Newbie"


def redirected_home(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert response.headers["Location"] == "/"


def still_signed_in(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert session_value(world.pat, "_user_id") == str(world.pat_id)


def session_value(player: Player, key: str) -> str | None:
    with player.client.session_transaction() as session:
        return session.get(key)


def language_unchanged(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert session_value(world.pat, "lang") is None


def timezone_unchanged(world: World, response) -> None:  # type: ignore[no-untyped-def]
    for player in (world.host, world.pat):
        assert session_value(player, "tz") is None


def answer_is_pats_and_scored_by_the_server(world: World, response) -> None:  # type: ignore[no-untyped-def]
    db.session.rollback()
    [answer] = db.session.scalars(select(Answer).where(Answer.round_id == world.open_facts))
    assert (answer.player_id, answer.points, answer.max_points) == (world.pat_id, 2, 2)
    assert db.session.get(Round, world.open_facts).answer_count == 1
    assert db.session.scalars(select(Answer).where(Answer.round_id == world.rival_open)).all() == []


def one_vote_for_the_first_option(world: World, response) -> None:  # type: ignore[no-untyped-def]
    db.session.rollback()
    [answer] = db.session.scalars(select(Answer).where(Answer.round_id == world.open_poll))
    assert answer.option_id == world.poll_options[0]


def template_shown_as_text(world: World, response) -> None:  # type: ignore[no-untyped-def]
    round_id, _ = last_round()
    body = text(world.pat.get(f"/rounds/{round_id}"))
    assert "zz{{7*7}}zz" in body and "{% raw %}x" in body


def text_stored_exactly(world: World, response) -> None:  # type: ignore[no-untyped-def]
    round_id, _ = last_round()
    round_ = db.session.get(Round, round_id)
    sent = dict(CASES_BY_ROUND_TITLE)[round_.title]
    assert [s.text for s in round_.statements] == sent


CASES_BY_ROUND_TITLE = [
    (RTL + "eltit" + ZERO_WIDTH, [RTL + "txet", ZERO_WIDTH + "x"]),
    ("Marks", [COMBINING, "plain"]),
]


def draft_is_the_hosts_and_unpublished(world: World, response) -> None:  # type: ignore[no-untyped-def]
    round_id, _ = last_round()
    round_ = db.session.get(Round, round_id)
    assert round_id != 1 and round_.curator_id == world.host_id
    assert not round_.published and round_.answer_count == 0


def flash_only_open_rounds_close(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert "Only an open round can be closed." in text(world.host.get(response.headers["Location"]))


def carried_marks(location: str, sign_in: str) -> dict[str, list[str]]:
    """The query of the round page a sign-in redirect comes back to, from its `next`."""
    parts = urlsplit(location)
    assert parts.path == sign_in
    back = urlsplit(parse_qs(parts.query)["next"][0])
    assert re.fullmatch(r"/rounds/\d+", back.path)
    return parse_qs(back.query)


def only_the_rounds_own_marks_go_to_joining(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert carried_marks(response.headers["Location"], "/join") == {"marks": [str(world.false_ids[0])]}


def no_option_goes_to_logging_in(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert carried_marks(response.headers["Location"], "/login") == {}


def only_the_rounds_own_mark_is_ticked(world: World, response) -> None:  # type: ignore[no-untyped-def]
    assert re.findall(r'name="marks" value="(\d+)" checked', text(response)) == [str(world.true_ids[0])]


CHECKS = {check.__name__: check for check in (
    newbie_is_a_plain_guest, newbie_is_not_a_curator, still_signed_in, one_newbie, redirected_home, language_unchanged,
    timezone_unchanged, answer_is_pats_and_scored_by_the_server, one_vote_for_the_first_option,
    template_shown_as_text, text_stored_exactly, draft_is_the_hosts_and_unpublished, flash_only_open_rounds_close,
    only_the_rounds_own_marks_go_to_joining, no_option_goes_to_logging_in, only_the_rounds_own_mark_is_ticked,
)}


# --- the tests -----------------------------------------------------------------------------------------


def test_there_are_at_least_25_kinds_of_bad_input():
    kinds = {case.kind for case in CASES.values()}
    assert len(kinds) >= 25, sorted(kinds)


def test_every_form_and_endpoint_gets_bad_input(shared_app):
    hit = set()
    for case in CASES.values():
        path = case.url.split("?")[0]
        adapter = shared_app.url_map.bind("localhost")
        try:
            path = re.sub(r"/[0-9]{10,}", "/1", path)
            endpoint, _ = adapter.match(resolve(path, {"open_facts": 1, "open_poll": 2, "just_closed_poll": 3,
                                                       "scheduled_poll": 4, "scheduled": 5, "draft": 6,
                                                       "rival_open": 7, "closed_facts": 8}).replace("%3C", "<"),
                                        method=case.method if case.method in ("GET", "POST") else "POST")
            hit.add(endpoint)
        except Exception:  # noqa: BLE001 (cases that aim at no route at all)
            pass
    everything = {rule.endpoint for rule in shared_app.url_map.iter_rules()} - {"static"}
    assert everything - hit == set()


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_handled_cleanly(shared_app, fresh_world, name):
    case = CASES[name]
    world = fresh_world
    before = snapshot()

    response = send(shared_app, world, case)

    body = text(response)
    expected = case.status if isinstance(case.status, tuple) else (case.status,)
    assert response.status_code in expected, body[:3000]
    assert_safe(response, '"><img src=x onerror=alert(1)>', "</textarea><b>", "<html>" + SCRIPT)
    if response.status_code == SENT_BACK and case.url.endswith("/answer") and not case.stored:
        # Refused without htmx: the player lands on the round page, safe with whatever the marks were, told why.
        location = response.headers["Location"]
        assert location.split("?")[0] == resolve(case.url, world.ids()).removesuffix("/answer")
        response = getattr(world, case.who).client.get(location)
        assert response.status_code == 200
        assert_safe(response, '"><img src=x onerror=alert(1)>')
        body = text(response)
    if case.message:
        assert case.message in body
    if response.status_code >= 400 and response.mimetype == "text/html" and body:
        assert ("<html" in body) is not case.htmx
    if not case.stored:
        assert snapshot() == before
    if case.check:
        CHECKS[case.check](world, response)
    if case.then:
        round_id, series_id = last_round()
        for page in case.then:
            url = page.replace("@new_round", str(round_id)).replace("@new_series", str(series_id))
            for viewer in (world.visitor, world.pat, world.host):
                for headers in ({}, HTMX):
                    assert_safe(viewer.client.get(url, headers=headers), "</textarea><b>")
