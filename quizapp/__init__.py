"""Two Truths: facts rounds and polls with reveal pages and leaderboards."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE = Path(__file__).resolve().parent
# From a checkout the top-level templates/ and static/ are used; an installed wheel carries them inside the package.
ROOT = PACKAGE.parent if (PACKAGE.parent / "templates").is_dir() else PACKAGE


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(PACKAGE.parent / "instance") if ROOT != PACKAGE else None,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from quizapp.config import load_config

    load_config(app, test_config)

    from quizapp import extensions, logs
    logs.init_app(app)
    extensions.init_app(app)
    from quizapp import hosts

    # Inside ProxyFix, so the host it checks is the one the proxy forwarded.
    hosts.init_app(app)
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    from quizapp import headers

    # Outermost: every response gets them, RefuseBadHosts' 400 included.
    headers.init_app(app)

    from quizapp import announce, auth, cli, errors, leaderboard, play, results, rounds, sharing, tasks, web

    web.init_app(app)
    errors.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(play.bp)
    app.register_blueprint(rounds.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(leaderboard.bp)
    app.register_blueprint(sharing.bp)
    sharing.init_app(app)
    app.register_blueprint(announce.bp)
    tasks.init_app(app)
    cli.init_app(app)
    return app
