"""Podcast Hub: a podcast feed and a conversation around moments of each episode."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import config, errors, extensions, filters, safety, sessions

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_DIR / "templates"),
    )
    config.load(app, test_config)
    trust_proxies(app)
    # Before the extensions: the body limit runs ahead of CSRF reading a form.
    safety.init_app(app)
    extensions.init_app(app)
    sessions.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    filters.init_app(app)
    register_cli(app)
    return app


def trust_proxies(app):
    """Read the client's address and scheme from `PROXY_COUNT` proxies in front."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )


class DatabaseId(IntegerConverter):
    """`<int:…>` in our routes: ASCII digits, from 1 to 10**18 - 1, which a
    64-bit id holds.

    Anything else (0, a larger number, another script's digits) matches no
    route: the pattern says so, so the router answers 404, not 405.
    """

    regex = r"[1-9][0-9]{0,17}"

    def __init__(self, map, fixed_digits=0, min=1, max=2**63 - 1, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def register_blueprints(app):
    """Attach the public site, the feeds, the JSON API, login and the dashboard."""
    from . import api, auth, dashboard, feeds, public

    app.url_map.converters["int"] = DatabaseId

    app.register_blueprint(public.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)


def register_cli(app):
    """Add the `hub` command group."""
    from .cli import hub

    app.cli.add_command(hub)
