"""The host's dashboard: the comments that still need an answer."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from . import comments, episodes
from .errors import NotFound, ValidationFailed
from .forms import ReplyForm

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
@login_required
def require_host():
    """Keep every dashboard route for logged-in hosts."""


@bp.get("", strict_slashes=False)
def index():
    return render_template(
        "dashboard/index.html",
        show=episodes.get_show(),
        items=comments.needs_reply(),
        form=ReplyForm(),
    )


@bp.post("/comments/<int:comment_id>/reply")
def reply(comment_id):
    try:
        comment = comments.get_comment(comment_id)
    except NotFound as missing:
        flash(missing.message, "error")
        return redirect(url_for("dashboard.index"), code=303)
    form = ReplyForm()
    if not form.validate():
        return _inbox_with_errors(comment, form)
    try:
        reply = comments.post_comment(
            comment.episode,
            body=form.body.data,
            parent_id=comment.id,
            host=current_user,
        )
    except (ValidationFailed, NotFound) as failure:
        form.body.errors = [getattr(failure, "message", str(failure))]
        return _inbox_with_errors(comment, form)
    flash(f"Your reply to {comment.author} is on “{comment.episode.title}”.", "success")
    return redirect(url_for("dashboard.index", _anchor=f"reply-{reply.id}"), code=303)


def _inbox_with_errors(comment, form):
    return (
        render_template(
            "dashboard/index.html",
            show=episodes.get_show(),
            items=comments.needs_reply(),
            form=ReplyForm(formdata=None),
            failed_id=comment.id,
            failed_form=form,
        ),
        400,
    )
