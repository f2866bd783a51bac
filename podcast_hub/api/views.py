"""The JSON API: episodes, threads, posting comments and moderating them.

Views let `ValidationFailed`, `NotFound` and `NotAllowed` rise: `errors` answers
them 400, 404 and 403 in the API's `{"error", "fields"}` shape.
"""

import json
import re

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from werkzeug.datastructures import MultiDict
from werkzeug.http import is_resource_modified

from .. import errors
from ..auth.guards import host_required
from ..catalog import episodes
from ..conversation import comments, listing, moderation, threads
from ..errors import NotFound, ValidationFailed
from ..extensions import limiter, unlimited
from ..text import markdown, rules
from ..web import links, ownership
from ..web.commenting import (
    comment_rate_limit,
    is_host,
    own_comment,
    read_comment,
    submit_comment,
    submit_edit,
)
from ..web.forms import POSTING_KEY, EditCommentForm, ModerationForm, validated
from ..web.loading import (
    load_commentable,
    load_published_episode,
    load_published_episode_id,
)
from ..web.safety import arg_int
from ..web.sessions import sessionless
from . import kept, openapi

bp = Blueprint("api", __name__, url_prefix="/api")

_TEXT_FIELDS = ("author", "email", "body")
IDEMPOTENCY_KEY = "Idempotency-Key"
BAD_IDEMPOTENCY_KEY = "Give 16 to 128 letters, digits, hyphens or underscores."
OPENAPI_MAX_AGE_S = 3600


@bp.get("/episodes")
def list_episodes():
    published = episodes.published_episodes()
    counts = episodes.comment_counts(published)
    return jsonify([episode_json(e, counts[e.id]) for e in published])


@bp.get("/episodes/<slug>")
def get_episode(slug):
    episode = load_published_episode(slug)
    counts = episodes.comment_counts([episode])
    data = episode_json(episode, counts[episode.id])
    data["description_html"] = str(markdown.render(episode.description))
    data["chapters"] = [
        {
            "start": chapter.start_s,
            "title": chapter.title,
            "url": rules.safe_url(chapter.url),
        }
        for chapter in episode.chapters
        if chapter.toc is not False
    ]
    return jsonify(data)


@bp.get("/episodes/<slug>/comments")
@sessionless
@unlimited
def list_comments(slug):
    """Return the whole conversation, the same for everyone; or, with `page`,
    a page of it as this visitor sees it (their ownership cookie)."""
    if "page" in request.args:
        return _comments_page(load_published_episode(slug))
    # The slug matched as stored: it is the episode's.
    episode_id = load_published_episode_id(slug)

    def build():
        count, found = listing.conversation(episode_id)
        return _ordered_json({"comments": found, "count": count, "episode": slug})

    body, etag = kept.whole_thread(episode_id, slug, build)
    if is_resource_modified(request.environ, etag=etag):
        response = current_app.response_class(body, mimetype="application/json")
    else:
        response = current_app.response_class(status=304)
    # Written as text: werkzeug's header objects cost more than the rest.
    response.headers["ETag"] = f'"{etag}"'
    # Kept by the browser, asked again each time: a 304 while nothing changed.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _ordered_json(data):
    """Return `data` as the bytes `jsonify` writes, for a document whose objects
    already hold their keys in sorted order: they are not sorted again."""
    ascii_only = getattr(current_app.json, "ensure_ascii", True)
    text = json.dumps(data, ensure_ascii=ascii_only, separators=(",", ":"))
    return (text + "\n").encode()


@bp.post("/episodes/<slug>/comments")
@limiter.shared_limit(comment_rate_limit, scope="comments", exempt_when=is_host)
def post_comment(slug):
    episode = load_commentable(slug)
    # An unknown parent comment rises as NotFound: 404, naming `parent_id`.
    comment = submit_comment(episode, read_comment(_json_formdata()))
    response = jsonify(comments.to_json(comments.Node(comment)))
    ownership.remember(response, comment)
    return response, 201


@bp.errorhandler(sa.exc.SQLAlchemyError)
def database_failed(error):
    """503 while the database is away; for a post, say it was not stored."""
    if not errors.is_database_away(error):
        raise error
    posting = request.endpoint == "api.post_comment"
    message = errors.COMMENT_NOT_POSTED if posting else errors.DATABASE_AWAY
    return errors.database_away(error, message)


@bp.post("/comments/<int:comment_id>/moderation")
@host_required
def moderate_comment(comment_id):
    comment = comments.get_comment(comment_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        raise ValidationFailed(
            {"action": [f"Choose one of: {', '.join(moderation.ACTIONS)}."]},
            message="Send a JSON object with an action.",
        )
    form = ModerationForm(formdata=MultiDict({"action": data["action"]}))
    validated(form, message=f"Unknown moderation action: {data['action']!r}.")
    moderation.apply(comment, form.action.data)
    return jsonify(moderation_json(comment))


def moderation_json(comment):
    """Return a comment's JSON for hosts: the public fields, the real status, pin."""
    data = comments.to_json(comments.Node(comment), real_status=True)
    data["pinned"] = comment.pinned
    return data


def _json_formdata():
    """Return the JSON body as form data; raise ValidationFailed naming what is
    wrong."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(
            {}, message="Send a JSON object with the comment's fields."
        )
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
    notify = data.get("notify")
    if not isinstance(notify, bool | None):
        fields["notify"] = ["Give true or false."]
    key = request.headers.get(IDEMPOTENCY_KEY, "")
    if key and not re.match(POSTING_KEY, key):
        fields[IDEMPOTENCY_KEY] = [BAD_IDEMPOTENCY_KEY]
    if fields:
        raise ValidationFailed(fields, message="Some fields have the wrong type.")
    formdata = MultiDict(
        {
            name: "" if data.get(name) is None else str(data[name])
            for name in (*_TEXT_FIELDS, "timestamp", "parent_id")
        }
    )
    if notify:
        # A checkbox is sent only when ticked.
        formdata["notify"] = "y"
    formdata["idempotency_key"] = key
    return formdata


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


@bp.get("/episodes/<slug>/moments")
def list_moments(slug):
    """Return the timeline's markers: `[second, count, first comment id]` rows."""
    episode = load_published_episode(slug)
    response = jsonify(
        {
            "episode": episode.slug,
            "duration": episode.duration_s,
            "moments": [list(row) for row in threads.moments(episode)],
        }
    )
    response.add_etag()
    return response.make_conditional(request)


def _comments_page(episode):
    """Return one page of threads, as the episode page pages them.

    Each thread holds its first `threads.SHOWN_REPLIES` replies in thread order
    and says how many it has in all (`reply_count`).
    """
    own = ownership.owned()
    sort = request.args.get("sort", threads.Sort.MOMENT)
    if sort not in threads.SORTS:
        raise ValidationFailed(
            {"sort": ["Use moment or newest."]}, message="Unknown sort."
        )
    page = threads.page(
        episode,
        number=arg_int("page", 1),
        sort=threads.Sort(sort),
        host_only=request.args.get("host") == "1",
        own_ids=own,
        per_page=current_app.config["COMMENTS_PER_PAGE"],
    )
    response = jsonify(
        {
            "episode": episode.slug,
            "count": episodes.comment_counts([episode])[episode.id],
            "page": page.number,
            "pages": page.pages,
            "threads": page.total_threads,
            "comments": [_thread_json(node) for node in page.threads],
        }
    )
    # The view is sessionless for the whole conversation; a page depends on
    # the ownership cookie.
    response.vary.add("Cookie")
    return response


def _thread_json(node):
    """Return the public JSON of a Node whose replies may be only the first few,
    with the number of replies it has in all."""
    data = comments.to_json(node)
    data["reply_count"] = node.reply_count
    return data


@bp.get("/comments/<int:comment_id>")
def get_comment(comment_id):
    """Return one comment with its first few replies, as its visitor may see it."""
    own = ownership.owned()
    comment = comments.get_comment(comment_id)
    episode = comments.episode_of(comment)
    node = threads.subtree(episode, comment_id, own)
    if node is None or not episodes.is_published(episode):
        raise NotFound("There is no such comment.")
    return jsonify(_thread_json(node))


@bp.patch("/comments/<int:comment_id>")
def edit_comment(comment_id):
    """Change one's own comment (`body`, `timestamp`) within the edit window."""
    comment = own_comment(comment_id)
    form = EditCommentForm(formdata=_json_edit_formdata(comment))
    submit_edit(comment, form)
    return jsonify(comments.to_json(comments.Node(comment)))


@bp.delete("/comments/<int:comment_id>")
def delete_comment(comment_id):
    """Delete one's own comment within the edit window; `204` when done."""
    comment = own_comment(comment_id)
    comments.delete_own_comment(comment)
    response = current_app.response_class(status=204)
    ownership.forget(response, comment_id)
    return response


def _json_edit_formdata(comment):
    """Return the JSON edit as form data; a field left out keeps its value."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(
            {}, message="Send a JSON object with the comment's new fields."
        )
    body = data.get("body", comment.body)
    moment = data.get("timestamp", comment.timestamp_s)
    fields = {}
    if body is not None and not isinstance(body, str):
        fields["body"] = ["This must be text."]
    if isinstance(moment, bool) or not isinstance(moment, int | str | None):
        fields["timestamp"] = ["Give whole seconds, or null for a general comment."]
    if fields:
        raise ValidationFailed(fields, message="Some fields have the wrong type.")
    return MultiDict(
        {
            "body": body or "",
            "timestamp": "" if moment is None else str(moment),
        }
    )


@bp.get("/openapi.json")
@sessionless
def openapi_document():
    """Return the OpenAPI document of this API; the same for everyone."""
    response = jsonify(openapi.document())
    response.cache_control.public = True
    response.cache_control.max_age = OPENAPI_MAX_AGE_S
    response.add_etag()
    return response.make_conditional(request)
