"""The show on error pages: its name, cover and language, also while the
database is away: then the last show a page of this process was rendered
with stands in (or none, before any).

`errors` (a root module, which imports no part) asks for it through
`app.extensions[SHOW_FINDER]`, registered here by the factory.
"""

from types import SimpleNamespace

import sqlalchemy as sa
from flask import Flask, current_app, template_rendered

from ..catalog import episodes
from ..errors import SHOW_FINDER
from ..extensions import db
from ..models import Show

_LAST_SHOW = "podcast_hub.last_show"


def _snapshot(show: Show) -> SimpleNamespace:
    """Return the show's columns as plain values, usable after its session."""
    columns = sa.inspect(Show).column_attrs
    return SimpleNamespace(**{c.key: getattr(show, c.key) for c in columns})


def show_for_error_page(database_ok: bool = True) -> SimpleNamespace | None:
    """Return the show as an error page shows it, or None before one is set up.

    The last show a page of this process was rendered with stands in when
    there is one (every page keeps it up to date), so that an error costs no
    query: the 404s of probes for drafts' files stay as cheap as the lookup
    that refused them. With `database_ok` False, or when the query fails, a
    page about the database being away never waits for it.
    """
    remembered = current_app.extensions.get(_LAST_SHOW)
    if not database_ok or remembered is not None:
        return remembered
    try:
        show = episodes.get_show()
    except sa.exc.SQLAlchemyError:
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            pass
        return remembered
    if show is None:
        return None
    snapshot = _snapshot(show)
    current_app.extensions[_LAST_SHOW] = snapshot
    return snapshot


def _remember(app: Flask, template: object, context: dict, **_extra: object) -> None:
    """Keep the show a page was rendered with, for the error pages of a
    database that is away; only when it changed."""
    show = context.get("show")
    if not isinstance(show, Show):
        return
    try:
        key = (show.id, show.updated_at)
        remembered = app.extensions.get(_LAST_SHOW)
        if remembered is None or (remembered.id, remembered.updated_at) != key:
            app.extensions[_LAST_SHOW] = _snapshot(show)
    except sa.exc.SQLAlchemyError:
        # An expired row the database could not refresh: keep the last one.
        return


def init_app(app: Flask) -> None:
    """Let error pages find the show, and remember it from every page."""
    app.extensions[SHOW_FINDER] = show_for_error_page
    template_rendered.connect(_remember, app)
