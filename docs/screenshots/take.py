"""The README's screenshots, taken again: `.venv/bin/python docs/screenshots/take.py` (about a minute).

A fresh demo database (`flask seed-demo`, whose rounds come in a fixed order: 1 the open facts round, 2 the closed
one, 5 the closed poll), a player "Mira_Player" who answered the closed facts round, gunicorn on a spare port,
and Debian's Chromium through Playwright at 1280 and 360 px, in English and Russian, light and dark. Motion is
reduced so that no bar is caught mid-animation. Overwrites the PNGs beside this file.
"""
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
work = Path(tempfile.mkdtemp(prefix="screenshots-"))
PORT = 5077
import os

env = {**os.environ, "DATABASE_URL": f"sqlite:///{work}/q.sqlite", "QUIZAPP_SECRET_KEY": "screenshots-secret-key-0123456789",
       "QUIZAPP_PUBLIC_URL": f"http://127.0.0.1:{PORT}", "QUIZAPP_RATELIMIT_STORAGE_URI": "memory://",
       "QUIZAPP_TASKS_URL": f"sqlite:///{work}/tasks.sqlite"}
flask = [str(ROOT / ".venv/bin/flask"), "--app", "quizapp"]
subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
seeded = subprocess.run(flask + ["seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
host_password = re.search(r"demo_host / (\S+)", seeded).group(1)
# Mira joins and has answered the closed facts round (two marks, one right), as a real player would have.
code = '''
import os
from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Answer, Mark, Round
from quizapp.auth.service import new_user
from quizapp.rules.scoring import score_facts
app = create_app()
with app.app_context():
    mira = new_user("Mira_Player", "mira-password-123")
    db.session.flush()
    closed = [r for r in db.session.query(Round).all() if r.kind == "facts" and r.closes_at and r.closes_at.timestamp() < __import__("time").time()][0]
    false_ids = {s.id for s in closed.statements if s.is_false}
    marked = sorted([closed.statements[0].id, sorted(false_ids)[0]])
    db.session.add(Answer(round_id=closed.id, player_id=mira.id, points=score_facts(false_ids, marked), max_points=len(false_ids),
                          marks=[Mark(statement_id=i) for i in marked], created_at=closed.opens_at))
    db.session.commit()
    print("CLOSED", closed.id)
'''
out = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
closed_id = int(re.search(r"CLOSED (\d+)", out).group(1))
server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{PORT}", "quizapp:create_app()"],
                          env=env, cwd=ROOT, stdout=open(work / "server.log", "w"), stderr=subprocess.STDOUT)
base = f"http://127.0.0.1:{PORT}"
for _ in range(100):
    try:
        urllib.request.urlopen(base + "/"); break
    except OSError:
        time.sleep(0.2)
from playwright.sync_api import sync_playwright
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
try:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        def context(width, lang="en", dark=False, login=None):
            ctx = browser.new_context(viewport={"width": width, "height": 800}, locale=lang,
                                      extra_http_headers={"Accept-Language": lang},
                                      color_scheme="dark" if dark else "light", reduced_motion="reduce",
                                      device_scale_factor=1)
            page = ctx.new_page()
            if login:
                page.goto(base + "/login")
                page.fill("input[name=username]", login[0]); page.fill("input[name=password]", login[1])
                page.press("input[name=password]", "Enter")
                page.wait_for_load_state()
            return page
        def shot(page, url, name, height=None):
            page.goto(base + url); page.wait_for_load_state("networkidle"); time.sleep(0.3)
            clip = None
            if height:
                clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}
            page.screenshot(path=str(OUT / name), full_page=True, clip=clip)
            print("saved", name, url)
        mira = ("Mira_Player", "mira-password-123")
        page = context(1280, login=mira)
        shot(page, "/", "home.png", 1100)
        first_round = 1  # the open facts round
        shot(page, f"/rounds/{first_round}", "round.png", 1100)
        shot(page, f"/rounds/{closed_id}/reveal", "reveal.png", 1400)
        page_ru = context(1280, "ru", dark=True, login=mira)
        poll_id = 5  # the closed poll of the demo (seed-demo lists /rounds/5 as closed)
        shot(page_ru, f"/rounds/{poll_id}/reveal", "reveal-poll-ru-dark.png", 1100)
        phone = context(360, "ru", login=mira)
        shot(phone, f"/rounds/{closed_id}/reveal", "phone-reveal-ru.png", 1400)
        phone_dark = context(360, "en", dark=True, login=mira)
        shot(phone_dark, "/", "phone-home-dark.png", 1400)
        phone_ru_dark = context(360, "ru", dark=True, login=mira)
        shot(phone_ru_dark, f"/rounds/{first_round}", "phone-round-ru-dark.png", 1400)
        curator = context(1280, login=("demo_host", host_password))
        curator.goto(base + "/curator/rounds/new/facts"); curator.wait_for_load_state("networkidle")
        curator.fill("#title", "Three things about my week")
        for i, text in enumerate(["I baked bread for the first time.", "I ran a half marathon on Sunday.",
                                  "I read two novels on the train."]):
            if curator.locator(f"#statements-{i}-text").count():
                curator.fill(f"#statements-{i}-text", text)
        if curator.locator("#statements-1-is_false").count():
            curator.check("#statements-1-is_false")
        curator.locator("#title").focus(); time.sleep(0.3)
        curator.screenshot(path=str(OUT / "editor.png"), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1100})
        print("saved editor.png")
        browser.close()
finally:
    server.terminate(); server.wait()
    shutil.rmtree(work, ignore_errors=True)
