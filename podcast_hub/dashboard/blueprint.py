"""The dashboard's blueprint, its host-only guard, and what its tabs share:
loading what a URL names, answering a button, taking an upload."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import Forbidden, RequestEntityTooLarge

from ..auth import roles
from ..auth.guards import safe_next
from ..catalog import episodes, publishing
from ..conversation import inbox
from ..errors import ValidationFailed, http_error, wants_json
from ..web import media
from ..web.forms import NextForm, PersonForm, form_errors, validated
from ..web.safety import accepts_upload, body_limit, too_large_message
from . import access

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
# The session key of the toast an inbox action leaves for the next page.
TOAST_KEY = "inbox_toast"


@bp.before_request
@login_required
def require_host():
    """Keep every dashboard route for logged-in hosts whose role allows it
    (`access.permission_for`): 403 with a page that says why, otherwise."""
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    needed = access.permission_for(rule)
    if not roles.allows(current_user.role, needed):
        abort(403, description=roles.refusal(current_user.role, needed))


@bp.context_processor
def permissions():
    """Give the dashboard's templates `can("episodes")`: whether the host's role
    allows a permission, to show only the controls they may use."""
    if not current_user.is_authenticated:
        return {}
    role = current_user.role

    def can_open(endpoint):
        rule = next(current_app.url_map.iter_rules(endpoint))
        return roles.allows(role, access.permission_for(rule.rule))

    return {
        "can": lambda permission: roles.allows(role, roles.Permission(permission)),
        "can_open": can_open,
        "role_label": roles.label(role),
    }


@bp.context_processor
def inbox_unread():
    """Give the dashboard's navigation the number of unread inbox items: comments
    that need a reply or moderation, come since the host last opened the inbox."""
    if not current_user.is_authenticated:
        return {}
    if "inbox_unread" not in g:
        g.inbox_unread = inbox.unread_count(current_user.inbox_seen_at)
    return {"inbox_unread": g.inbox_unread}


@bp.context_processor
def inbox_toast():
    """Give the page the toast of the host's last inbox action without
    JavaScript (its message, and the key of its Undo), shown once."""
    if "inbox_toast" not in g:
        g.inbox_toast = session.pop(TOAST_KEY, None)
    return {"toast": g.inbox_toast}


def back(form, default="dashboard.index"):
    """Return a redirect to the form's `next` page on this site, else `default`."""
    target = form.next.data if form.next.data else url_for(default)
    return redirect(safe_next(target), code=303)


def respond(form, message, default="dashboard.index", **data):
    """Tell the host that `message` is done: JSON (with `data`) to the dashboard's
    script, else a flash on the form's `next` page."""
    if wants_json():
        return jsonify({"message": message, **data})
    flash(message, "success")
    return back(form, default)


def load_episode(episode_id):
    """Return episode `episode_id`, draft or published; else stop with 404."""
    episode = publishing.get_episode(episode_id)
    if episode is None:
        abort(404, description="There is no such episode.")
    return episode


def load_show():
    """Return the show; else stop with 404."""
    show = episodes.get_show()
    if show is None:
        abort(404, description="The show has not been set up yet: run `hub demo`.")
    return show


def episode_action(episode_id, act, message):
    """Do `act(episode)` for a button on an episode, then say `message` (which
    may name the episode's `{title}`)."""
    episode = load_episode(episode_id)
    form = NextForm()
    if not form.validate():
        return back(form, default="dashboard.episode_list")
    act(episode)
    return respond(
        form, message.format(title=episode.title), default="dashboard.episode_list"
    )


def credit_person(owner):
    """Credit the person of the posted PersonForm on `owner` (the show or an
    episode); return (the person, the form), or (None, the form with its errors)."""
    form = PersonForm()
    try:
        validated(form)
        group, role = form.group_and_role
        person = publishing.add_person(
            owner,
            name=form.name.data,
            role=role,
            group=group,
            img=form.img.data,
            href=form.href.data,
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="role")
        return None, form
    return person, form


def media_dir():
    """Return the store uploads go to: the media folder (a path too) or a bucket."""
    return media.store()


def upload(file_storage):
    """Return what a file field received as a publishing.Upload."""
    return publishing.Upload(
        stream=getattr(file_storage, "stream", None),
        filename=getattr(file_storage, "filename", None) or "",
        max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
    )


def upload_limits():
    """Return the template arguments that state the upload limit."""
    return {
        "max_upload_mb": current_app.config["MAX_UPLOAD_MB"],
        "max_bytes": current_app.config["MAX_UPLOAD_BYTES"],
    }


def takes_upload(too_large_page):
    """Mark a view as taking a host's upload (`accepts_upload`).

    `too_large_page(message, **view_args)` returns the view's page again, with
    `message` on its file field, for an upload over the limit.
    """

    def mark(view):
        view.too_large_page = too_large_page
        return accepts_upload(view)

    return mark


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Explain an over-limit upload on the page it was sent from.

    Only to a logged-in host: the body limit is checked before the login, and
    these pages show drafts and the show's settings.
    """
    if not current_user.is_authenticated or wants_json():
        return http_error(error)
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    needed = access.permission_for(rule)
    if not roles.allows(current_user.role, needed):
        return http_error(Forbidden(roles.refusal(current_user.role, needed)))
    view = current_app.view_functions.get(request.endpoint or "")
    page = getattr(view, "too_large_page", None)
    if page is None:
        flash(f"{too_large_message(body_limit())} Nothing was stored.", "error")
        return redirect(url_for("dashboard.index"), code=303)
    limit = current_app.config["MAX_UPLOAD_MB"]
    message = (
        f"That upload is larger than {limit} MB, the largest this site accepts. "
        "Nothing was stored."
    )
    return page(message, **(request.view_args or {}))
