"""The README's screenshots, taken again: `.venv/bin/python docs/screenshots/take.py` (about a minute).

A fresh demo database (`flask seed-demo`, whose rounds come in a fixed order: 1 the open facts round, 2 the closed
one, 5 the closed poll), a player "Mira_Player" who answered the closed facts round, gunicorn on a spare port,
and Debian's Chromium through Playwright at 1280 and 360 px, in English and Russian, light and dark. Motion is
reduced so that no bar is caught mid-animation. Overwrites the PNGs beside this file.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
PORT = 5077
BASE = f"http://127.0.0.1:{PORT}"
OPEN_FACTS, CLOSED_FACTS, CLOSED_POLL = 1, 2, 5
MIRA = ("Mira_Player", "mira-password-123")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

# Mira has answered the closed facts round: its first statement (true) and its first lie, as a player might.
ADD_MIRA = """
from quizapp import create_app
from quizapp.auth.service import new_user
from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round
from quizapp.rules.scoring import score_facts

with create_app().app_context():
    mira = new_user(*MIRA)
    db.session.flush()
    closed = db.session.get(Round, CLOSED_FACTS)
    false_ids = {s.id for s in closed.statements if s.is_false}
    marked = sorted([closed.statements[0].id, min(false_ids)])
    db.session.add(Answer(round_id=closed.id, player_id=mira.id, points=score_facts(false_ids, marked),
                          max_points=len(false_ids), marks=[Mark(statement_id=i) for i in marked],
                          created_at=closed.opens_at))
    db.session.commit()
"""


def prepare(work: Path, env: dict[str, str]) -> str:
    """Migrate and seed the demo database, add Mira; return the demo curator's password."""
    flask = [str(BIN / "flask"), "--app", "quizapp"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    seeded = subprocess.run([*flask, "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    found = re.search(r"demo_host / (\S+)", seeded.stdout)
    if found is None:
        raise SystemExit(f"seed-demo printed no password:\n{seeded.stdout}")
    script = f"MIRA = {MIRA!r}\nCLOSED_FACTS = {CLOSED_FACTS}\n{ADD_MIRA}"
    subprocess.run([str(BIN / "python"), "-c", script], env=env, cwd=ROOT, check=True, capture_output=True)
    return found.group(1)


def page_for(browser: Browser, width: int, lang: str = "en", *, dark: bool = False,
             login: tuple[str, str] = MIRA) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=lang,
                                  extra_http_headers={"Accept-Language": lang}, reduced_motion="reduce",
                                  color_scheme="dark" if dark else "light")
    page = context.new_page()
    page.goto(f"{BASE}/login")
    page.fill("input[name=username]", login[0])
    page.fill("input[name=password]", login[1])
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    return page


def shoot(page: Page, name: str, height: int, path: str | None = None) -> None:
    """The top `height` pixels of the page at `path` (or of the page as it is) into docs/screenshots/`name`."""
    if path is not None:
        page.goto(BASE + path)
    page.wait_for_load_state("networkidle")
    time.sleep(0.3)
    page.screenshot(path=str(OUT / name), full_page=True,
                    clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height})  # type: ignore[index]
    print("saved", name)


def write_a_round(page: Page) -> None:
    """The editor of a new facts round, a few statements in, the second one marked false."""
    page.goto(f"{BASE}/curator/rounds/new/facts")
    page.fill("#title", "Three things about my week")
    statements = ["I baked bread for the first time.", "I ran a half marathon on Sunday.",
                  "I read two novels on the train."]
    for i, text in enumerate(statements):
        if page.locator(f"#statements-{i}-text").count():
            page.fill(f"#statements-{i}-text", text)
    page.check("#statements-1-is_false")
    page.locator("#title").focus()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="screenshots-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work}/quizapp.sqlite",
           "QUIZAPP_SECRET_KEY": "screenshots-secret-key-0123456789", "QUIZAPP_PUBLIC_URL": BASE,
           "QUIZAPP_RATELIMIT_STORAGE_URI": "memory://", "QUIZAPP_TASKS_URL": f"sqlite:///{work}/tasks.sqlite"}
    curator_password = prepare(work, env)
    with (work / "server.log").open("wb") as log:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{PORT}", "quizapp:create_app()"],
                                  env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(BASE + "/")
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            laptop = page_for(browser, 1280)
            shoot(laptop, "home.png", 1100, "/")
            shoot(laptop, "round.png", 1100, f"/rounds/{OPEN_FACTS}")
            shoot(laptop, "reveal.png", 1400, f"/rounds/{CLOSED_FACTS}/reveal")
            shoot(page_for(browser, 1280, "ru", dark=True), "reveal-poll-ru-dark.png", 1100,
                  f"/rounds/{CLOSED_POLL}/reveal")
            shoot(page_for(browser, 360, "ru"), "phone-reveal-ru.png", 1400, f"/rounds/{CLOSED_FACTS}/reveal")
            shoot(page_for(browser, 360, dark=True), "phone-home-dark.png", 1400, "/")
            shoot(page_for(browser, 360, "ru", dark=True), "phone-round-ru-dark.png", 1400, f"/rounds/{OPEN_FACTS}")
            editor = page_for(browser, 1280, login=("demo_host", curator_password))
            write_a_round(editor)
            shoot(editor, "editor.png", 1100)
            browser.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
