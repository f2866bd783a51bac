"""Replies to you: the page of replies to the comments this browser posted,
putting replies away, and the address of the private feed that lists them."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from ..catalog import episodes
from ..web import listener
from ..web.forms import RepliesFeedForm, SeenRepliesForm

bp = Blueprint("replies", __name__)

# The pages a listener puts replies away from, and goes back to.
_BACK_TO = {"public.index", "public.episode", "replies.page"}


@bp.get("/replies")
def page():
    response = current_app.make_response(
        render_template(
            "public/replies.html",
            show=episodes.get_show(),
            replies=listener.all_replies(),
            feed_url=listener.feed_url(),
            knows_comments=listener.knows_comments(),
        )
    )
    # The page shows the secret address of the feed.
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


@bp.post("/replies/seen")
def seen():
    form = SeenRepliesForm()
    if form.validate():
        listener.saw(form.ids.data)
    else:
        flash(" ".join(m for ms in form.errors.values() for m in ms), "error")
    return redirect(_back(form.next.data), code=303)


@bp.post("/replies/feed")
def feed():
    form = RepliesFeedForm()
    if not form.validate():
        flash("Choose what to do with the feed's address.", "error")
    elif listener.feed() is None:
        flash("This browser has no feed of replies yet: post a comment first.")
    elif form.action.data == "renew":
        listener.renew()
        flash(
            "Your feed has a new address; the old one no longer works. "
            "Give the new one to your feed reader.",
            "success",
        )
    else:
        listener.stop()
        flash(
            "Your feed is stopped: its address no longer works. "
            "Post a comment to start a new one.",
            "success",
        )
    return redirect(url_for("replies.page"), code=303)


def _back(target):
    """Return `target` if it is the home page, an episode or the page of replies
    on this site, else the home page."""
    path = target if isinstance(target, str) else ""
    unsafe = "\\" in path or any(ord(ch) < 32 for ch in path)
    if unsafe or not path.startswith("/") or path.startswith("//"):
        return url_for("public.index")
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _values = adapter.match(path.partition("?")[0].partition("#")[0])
    except HTTPException:
        return url_for("public.index")
    return path if endpoint in _BACK_TO else url_for("public.index")


@bp.app_template_global()
def this_page():
    """Return the path and query of this request, to come back to after a form."""
    return request.full_path.rstrip("?")
