"""The JSON API: episodes, threads and posting comments."""

from flask import Blueprint, abort, jsonify, request
from werkzeug.datastructures import MultiDict

from . import comments, episodes, links, text
from .errors import NotFound, ValidationFailed, json_error
from .extensions import limiter
from .public import comment_form, comment_rate_limit, is_host, submit_comment

bp = Blueprint("api", __name__, url_prefix="/api")

_TEXT_FIELDS = ("author", "email", "body")


@bp.get("/episodes")
def list_episodes():
    published = episodes.published_episodes()
    counts = episodes.comment_counts(published)
    return jsonify([episode_json(e, counts[e.id]) for e in published])


@bp.get("/episodes/<slug>")
def get_episode(slug):
    episode = _load_episode(slug)
    counts = episodes.comment_counts([episode])
    data = episode_json(episode, counts[episode.id])
    data["description_html"] = str(text.paragraphs(episode.description))
    data["chapters"] = [
        {"start": chapter.start_s, "title": chapter.title, "url": chapter.url}
        for chapter in episode.chapters
    ]
    return jsonify(data)


@bp.get("/episodes/<slug>/comments")
def list_comments(slug):
    episode = _load_episode(slug)
    nodes = comments.thread(episode)
    return jsonify(
        {
            "episode": episode.slug,
            "count": comments.count(nodes),
            "comments": [comments.to_json(node) for node in nodes],
        }
    )


@bp.post("/episodes/<slug>/comments")
@limiter.shared_limit(comment_rate_limit, scope="comments", exempt_when=is_host)
def post_comment(slug):
    episode = _load_episode(slug)
    form = comment_form(formdata=_json_formdata())
    try:
        comment = submit_comment(episode, form)
    except ValidationFailed as failure:
        return json_error(400, failure.message, failure.fields)
    except NotFound as missing:
        fields = {missing.field: [missing.message]} if missing.field else {}
        return json_error(404, missing.message, fields)
    return jsonify(comments.to_json(comments.Node(comment))), 201


def _json_formdata():
    """Return the JSON body as form data, or stop with a 400 naming what is wrong."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(json_error(400, "Send a JSON object with the comment's fields."))
    fields = {}
    for name in _TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            fields[name] = ["This must be text."]
    moment = data.get("timestamp")
    if isinstance(moment, bool) or not isinstance(moment, int | str | None):
        fields["timestamp"] = ["Give whole seconds, or null for a general comment."]
    parent = data.get("parent_id")
    if isinstance(parent, bool) or not isinstance(parent, int | None):
        fields["parent_id"] = ["Give the id of the comment you reply to, or null."]
    if fields:
        abort(json_error(400, "Some fields have the wrong type.", fields))
    return MultiDict(
        {
            name: "" if data.get(name) is None else str(data[name])
            for name in (*_TEXT_FIELDS, "timestamp", "parent_id")
        }
    )


def _load_episode(slug):
    episode = episodes.get_published(slug)
    if episode is None:
        abort(404, description="There is no published episode with that slug.")
    return episode


def episode_json(episode, comment_count):
    """Return the public JSON of an episode."""
    return {
        "slug": episode.slug,
        "title": episode.title,
        "published_at": episode.published_at.isoformat().replace("+00:00", "Z"),
        "duration": episode.duration_s,
        "audio_url": links.audio_url(episode),
        "page_url": links.page_url(episode),
        "comment_count": comment_count,
    }
