"""Join as a guest, register, log in, log out, set a password, choose the language."""
from __future__ import annotations

import logging
from functools import cache
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from quizapp.access import remember_player, session_is_current
from quizapp.auth import bp
from quizapp.auth.devices import begin_login, count_failed_login, remember_device
from quizapp.auth.forms import (
    EmptyForm,
    JoinForm,
    LoginForm,
    RegisterForm,
    SetPasswordForm,
)
from quizapp.auth.service import UsernameError, find_user, new_user
from quizapp.extensions import csrf, db, login_manager, rate_limit
from quizapp.logs import log_event
from quizapp.models import User
from quizapp.redirects import next_url


@cache
def _dummy_hash() -> str:
    """A hash to check unknown usernames against, so a failed login takes as long either way."""
    return generate_password_hash("not-a-real-password")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    # A session from before the account's last logout or password change acts for nobody, on every worker.
    return user if user is not None and session_is_current(user) else None


def _new_account(field: Any, name: str, password: str | None = None) -> User | None:
    """Create and commit the account; None, with the reason beside the name's field, when it can't be."""
    try:
        user = new_user(name, password)
        db.session.commit()
    except UsernameError as error:
        field.errors.append(str(error))
    except IntegrityError:  # the same name (or a lookalike) taken by a racing sign-up
        db.session.rollback()
        field.errors.append(_("That name is taken. Try another one."))
    else:
        return user
    return None


def _start_session(user: User) -> None:
    # A fresh session at login: nothing an attacker planted before it survives.
    lang, tz = session.get("lang"), session.get("tz")
    session.clear()
    if lang:
        session["lang"] = lang
    if tz:
        session["tz"] = tz
    session.permanent = True
    login_user(user, remember=False)
    remember_player(user)
    remember_device(user)
    log_event("login", user_id=user.id, guest=user.is_guest)


@bp.route("/join", methods=["GET", "POST"])
@rate_limit("RATE_LIMIT_JOIN")
def join() -> str | Response | tuple[str, int]:
    """Play at once with a nickname; the guest account lives in the session."""
    # Settled before anything is written: a redirect that can't be sent must not follow a committed account.
    home = url_for("play.home")
    target = next_url(home)
    if current_user.is_authenticated:
        return redirect(target)
    form = JoinForm()
    if form.validate_on_submit():
        user = _new_account(form.nickname, form.nickname.data.strip())
        if user is not None:
            _start_session(user)
            if target == home:
                flash(_("Welcome, %(name)s! Pick a round and play.", name=user.username), "success")
            else:  # back where they were, a round with their marks ticked perhaps: no "pick a round" there
                flash(_("Welcome, %(name)s!", name=user.username), "success")
            return redirect(target, code=303)
    return render_template("auth/join.html", form=form), 422 if form.errors else 200


@bp.route("/register", methods=["GET", "POST"])
@rate_limit("RATE_LIMIT_REGISTER")
def register() -> str | Response | tuple[str, int]:
    """Create an account with a password."""
    if current_user.is_authenticated and not current_user.is_guest:
        return redirect(url_for("play.home"))
    if current_user.is_authenticated:
        return redirect(url_for("auth.set_password"))
    target = next_url(url_for("play.home"))  # settled before the account is written, as in join
    form = RegisterForm()
    if form.validate_on_submit():
        user = _new_account(form.username, form.username.data.strip(), form.password.data)
        if user is not None:
            _start_session(user)
            flash(_("Your account is ready."), "success")
            return redirect(target, code=303)
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@rate_limit("RATE_LIMIT_LOGIN")
def login() -> str | Response | tuple[str, int]:
    """Log in with username and password."""
    target = next_url(url_for("play.home"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = begin_login(form.username.data.strip())
        user = find_user(form.username.data.strip())
        if user is not None and user.check_password(form.password.data):
            _start_session(user)
            return redirect(target, code=303)
        if user is None:
            check_password_hash(_dummy_hash(), form.password.data)
        count_failed_login(attempt)
        log_event("login_failed", logging.WARNING, username=form.username.data)
        form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out and forget the session."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        current_user.end_sessions()  # every other device signed in to the account with it
        db.session.commit()
    logout_user()
    # Keep the language, and Flask-Login's note to delete any remember-me cookie on the way out.
    kept = {key: session[key] for key in ("lang", "_remember") if key in session}
    session.clear()
    session.update(kept)
    flash(_("You are logged out."), "info")
    return redirect(url_for("play.home"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def set_password() -> str | Response | tuple[str, int]:
    """Set a password, so a guest can keep the nickname on other devices."""
    form = SetPasswordForm()
    if form.validate_on_submit():
        current_user.set_password(form.password.data)
        current_user.end_sessions()  # a session someone else holds ends with the old password
        db.session.commit()
        remember_player(current_user)  # this one goes on
        flash(_("Password saved. Log in as %(name)s on any device.", name=current_user.username), "success")
        return redirect(url_for("play.home"), code=303)
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


@bp.route("/language", methods=["POST"])
@csrf.exempt
def language() -> Response:
    """Remember the chosen UI language.

    No CSRF token, on purpose: the switcher is on every page, and a token there would give every visitor
    a session cookie, so no shared cache could keep a page anyone only reads. Instead a post from another
    site is refused by the headers browsers add: with SameSite=Lax it would arrive without the session
    cookie, and answering it with a new session would sign the player out (and lose a guest's account).
    """
    lang = request.form.get("lang", "")
    target = next_url(url_for("play.home"))
    if from_this_site() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(target, code=303)


def from_this_site() -> bool:
    """Whether a POST came from this site's own pages, by Sec-Fetch-Site, else by Origin.

    Every current browser sends one or the other with a cross-site POST; a request with neither
    (an old browser, a script) is taken as same-site, as such a browser could not be told apart anyway.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == request.host_url.rstrip("/")
    return True
