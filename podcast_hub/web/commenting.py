"""Posting and changing comments for the person making a request: one way for
the episode page's forms and the JSON API alike."""

import hashlib
import hmac
from typing import Any

from flask import current_app, request, session
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..catalog import episodes
from ..catalog.episodes import Commentable
from ..conversation import comments, threads
from ..errors import NotAllowed, NotFound
from ..models import Comment, Episode
from . import listener, ownership
from .forms import (
    CommentForm,
    CommentInput,
    EditCommentForm,
    plain_comment,
    validated,
)


def comment_rate_limit() -> str:
    """Return the configured rate limit for posting comments."""
    return current_app.config["RATELIMIT_COMMENTS"]


def is_host() -> bool:
    """Tell whether the person making this request is a logged-in host."""
    return current_user.is_authenticated


def comment_form(**kwargs: Any) -> CommentForm:
    """Return the comment form, without the name field for a logged-in host.

    A form not filled in by this request starts with the name the listener
    signed their latest comment with. Their e-mail address is never filled in:
    the page would show it to whoever uses the browser next.
    """
    form = CommentForm(**kwargs)
    if is_host():
        del form.author
        del form.email
        del form.notify
    elif kwargs.get("formdata", True) is None or not form.is_submitted():
        form.author.data = form.author.data or listener.remembered_name()
    return form


def read_comment(formdata: MultiDict[str, str] | None = None) -> CommentInput:
    """Return the comment this request posts, read by the comment form's rules
    from `formdata` (else the posted form); raise ValidationFailed naming what
    is wrong, field by field.

    A comment that plainly passes the rules is read without building the form
    (`forms.plain_comment`); any other is read, and explained, by the form.
    """
    source = formdata
    if source is None and not request.files:
        source = request.form
    if source is not None:
        plain = plain_comment(source, listener=not is_host())
        if plain is not None:
            return plain
    form = comment_form() if formdata is None else comment_form(formdata=formdata)
    return CommentInput.of(validated(form))


def submit_comment(episode: Episode | Commentable, posted: CommentInput) -> Comment:
    """Post the comment `posted` (`read_comment`) on `episode`; return it.

    Raises ValidationFailed or NotFound, like `comments.post_comment`.
    """
    host = current_user if is_host() else None
    comment = comments.post_comment(
        episode,
        body=posted.body,
        author=posted.author,
        email=posted.email,
        timestamp_s=posted.timestamp_s,
        parent_id=posted.parent_id,
        host=host,
        own_ids=None if host else ownership.owned(),
        notify=posted.notify,
        key=posting_key(posted.idempotency_key),
        # In the comment's own transaction: one commit a post.
        stored=None if host else _follow,
    )
    return comment


def _follow(comment: Comment) -> None:
    listener.follow(comment, commit=False)


def posting_key(key: str | None) -> str | None:
    """Return the key of a composed comment bound to the visitor sending it.

    Keyed by the secret in the visitor's session (the one their CSRF tokens
    come from), so that a key read off another visitor's page finds none of
    that visitor's comments. None without a key or without a session.
    """
    scope = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not key or not scope:
        return None
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{scope}\n{key}".encode(), hashlib.sha256).hexdigest()


def own_comment(comment_id: int, episode: Episode | None = None) -> Comment:
    """Return comment `comment_id` if the browser making this request posted it.

    Raises NotFound when this visitor cannot see such a comment (on `episode`),
    NotAllowed when someone else posted it.
    """
    comment = comments.get_comment(comment_id)
    mine = ownership.owns(comment)
    if (
        not threads.is_visible(comment, ownership.owned())
        or (episode is not None and comment.episode_id != episode.id)
        or not episodes.is_published(comments.episode_of(comment))
    ):
        raise NotFound("There is no such comment on this episode.")
    if not mine:
        raise NotAllowed(ownership.NOT_YOURS)
    return comment


def submit_edit(comment: Comment, form: EditCommentForm) -> Comment:
    """Validate `form` and change `comment` with it; return the comment.

    Raises ValidationFailed or NotAllowed, like `comments.edit_comment`.
    """
    validated(form)
    return comments.edit_comment(
        comment, body=form.body.data, timestamp_s=form.timestamp.data
    )
