"""The public site: the show, episode pages, posting comments, the feed, media."""

from pathlib import Path

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from . import audio, comments, episodes, feed, links, timecode
from .errors import NotFound, ValidationFailed
from .extensions import db, limiter
from .forms import CommentForm

bp = Blueprint("public", __name__)


def comment_rate_limit():
    """Return the configured rate limit for posting comments."""
    return current_app.config["RATELIMIT_COMMENTS"]


def is_host():
    """Tell whether the person making this request is a logged-in host."""
    return current_user.is_authenticated


@bp.get("/")
def index():
    show = episodes.get_show()
    published = episodes.published_episodes()
    counts = episodes.comment_counts(published)
    return render_template(
        "public/index.html", show=show, episodes=published, counts=counts
    )


@bp.get("/episodes/<slug>")
def episode(slug):
    found = _load_episode(slug)
    form = comment_form()
    return _render_episode(found, form)


@bp.post("/episodes/<slug>/comments")
@limiter.shared_limit(comment_rate_limit, scope="comments", exempt_when=is_host)
def post_comment(slug):
    found = _load_episode(slug)
    form = comment_form()
    try:
        comment = submit_comment(found, form)
    except ValidationFailed as failure:
        _errors_onto_form(form, failure.fields)
        return _render_episode(found, form), 400
    except NotFound as missing:
        _errors_onto_form(form, {missing.field or "body": [missing.message]})
        return _render_episode(found, form), 400
    target = url_for("public.episode", slug=found.slug, _anchor=f"comment-{comment.id}")
    return redirect(target, code=303)


def comment_form(**kwargs):
    """Return the comment form, without the name field for a logged-in host."""
    form = CommentForm(**kwargs)
    if is_host():
        del form.author
        del form.email
    return form


def submit_comment(episode, form):
    """Validate `form` and post its comment on `episode`; return the comment.

    Raises ValidationFailed or NotFound, like `comments.post_comment`.
    """
    if not form.validate():
        raise ValidationFailed(form.errors)
    host = current_user if is_host() else None
    return comments.post_comment(
        episode,
        body=form.body.data,
        author=None if host else form.author.data,
        email=None if host else form.email.data,
        timestamp_s=form.timestamp.data,
        parent_id=form.parent_id.data,
        host=host,
    )


def _errors_onto_form(form, fields):
    for name, messages in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [
                m for m in messages if m not in field.errors
            ]
    form.form_errors = list(form.form_errors) + [
        message
        for name, messages in fields.items()
        if getattr(form, name, None) is None
        for message in messages
    ]


def _load_episode(slug):
    found = episodes.get_published(slug)
    if found is None:
        abort(404, description="There is no published episode at this address.")
    return found


def _render_episode(episode, form):
    nodes = comments.thread(episode)
    try:
        start = timecode.parse(request.args.get("t"))
    except timecode.TimecodeError:
        start = None
    if start is not None and start > episode.duration_s:
        start = None
    return render_template(
        "public/episode.html",
        show=episodes.get_show(),
        episode=episode,
        nodes=nodes,
        comment_count=comments.count(nodes),
        form=form,
        reply_form=comment_form(formdata=None),
        start=start,
        audio_url=url_for("public.media", filename=episode.audio_file),
    )


@bp.route("/feed.xml", methods=["GET", "HEAD"])
def feed_xml():
    show = episodes.get_show()
    if show is None:
        abort(404, description="The show has not been set up yet.")
    published = episodes.published_episodes()
    body = feed.render(show, published, links)
    response = current_app.response_class(
        body,
        mimetype="application/rss+xml",
        content_type="application/rss+xml; charset=utf-8",
    )
    response.add_etag()
    changed = [show.updated_at]
    changed += [max(e.updated_at, e.published_at) for e in published]
    response.last_modified = max(changed)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


@bp.route("/media/<path:filename>", methods=["GET", "HEAD"])
def media(filename):
    media_dir = Path(current_app.config["MEDIA_DIR"])
    found = episodes.by_audio_file(filename)
    if found is not None and not episodes.is_published(found):
        abort(404, description="This episode is not published yet.")
    mimetype = found.mime_type if found else audio.mime_type_for(filename)
    return send_from_directory(media_dir, filename, mimetype=mimetype, conditional=True)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
