"""Podcast Hub: a podcast feed and a conversation around moments of each episode."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, errors, extensions
from .web import errorpage, filters, media, safety, sessions


def create_app(test_config=None):
    """Create and configure the application.

    Templates are the package's own `templates/` folder, as Flask expects: in the
    repository a link to the top-level `templates/`, in a wheel a copy of it.
    """
    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)
    trust_proxies(app)
    # Before the extensions: the body limit runs ahead of CSRF reading a form.
    safety.init_app(app)
    extensions.init_app(app)
    media.init_app(app)
    sessions.init_app(app)
    register_blueprints(app)
    errors.init_app(app)
    errorpage.init_app(app)
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


def register_blueprints(app):
    """Attach the public site, the feeds, the JSON API, login, the dashboard and
    the pages that mail links to (which also make `mail` queue mail on events)."""
    from . import dashboard
    from .api import views as api
    from .auth import views as auth
    from .feeds import private as private_feeds
    from .feeds import views as feeds
    from .mail import views as mail
    from .site import replies
    from .site import views as site

    app.url_map.converters["int"] = safety.DatabaseId

    app.register_blueprint(site.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(replies.bp)
    app.register_blueprint(private_feeds.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(mail.bp)


def register_cli(app):
    """Add the `hub` command group."""
    from .cli.commands import hub

    app.cli.add_command(hub)
