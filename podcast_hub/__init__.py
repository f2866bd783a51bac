"""Podcast Hub: a podcast feed and a conversation around moments of each episode."""

from pathlib import Path

from flask import Flask

from . import config, errors, extensions, filters, sessions

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_DIR / "templates"),
    )
    config.load(app, test_config)
    extensions.init_app(app)
    sessions.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    filters.init_app(app)
    register_cli(app)
    return app


def register_blueprints(app):
    """Attach the public site, the feeds, the JSON API, login and the dashboard."""
    from . import api, auth, dashboard, feeds, public

    app.register_blueprint(public.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)


def register_cli(app):
    """Add the `hub` command group."""
    from .cli import hub

    app.cli.add_command(hub)
