"""Proof that this browser posted a comment: signed per-comment tokens in a cookie.

Listeners have no accounts. Posting a comment gives the browser a token for it,
signed with the app's secret key; the token lets that browser see the comment
while it awaits moderation and, for `comments.EDIT_WINDOW`, edit or delete it.
"""

from datetime import UTC, datetime, timedelta

from flask import current_app, request
from itsdangerous import BadSignature, Signer
from werkzeug.wrappers import Response

from ..models import Comment

COOKIE = "own_comments"
SEPARATOR = "~"
KEEP = 30
MAX_AGE_S = 30 * 24 * 3600
NOT_YOURS = (
    "Only the person who posted this comment can change it, "
    "and only from the browser they posted it with."
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _signer() -> Signer:
    # A token names the comment by id and creation time: ids can be reused once
    # `hub purge` removes the highest one, creation times cannot.
    return Signer(current_app.config["SECRET_KEY"], salt="podcast-hub.own-comment.v2")


def token(comment_id: int, created_at: datetime) -> str:
    """Return the signed token that proves authorship of the comment posted then."""
    micros = (created_at - _EPOCH) // _MICROSECOND
    return _signer().sign(f"{comment_id}.{micros}").decode("ascii")


def read(value: str | None) -> dict[int, datetime]:
    """Return {comment id: created_at} for the validly signed tokens in `value`."""
    signer = _signer()
    claims: dict[int, datetime] = {}
    for item in (value or "").split(SEPARATOR)[-KEEP:]:
        try:
            comment_id, micros = signer.unsign(item).split(b".")
            claims[int(comment_id)] = _EPOCH + int(micros) * _MICROSECOND
        except (BadSignature, ValueError, OverflowError):
            continue
    return claims


def owned() -> dict[int, datetime]:
    """Return {comment id: created_at} for the comments this browser posted.

    Domain code checks a comment against it with `Comment.is_claimed_by`.
    """
    return read(request.cookies.get(COOKIE))


def owns(comment: Comment) -> bool:
    """Tell whether the browser making this request posted `comment`."""
    return comment.is_claimed_by(owned())


def remember(response: Response, comment: Comment) -> None:
    """Add `comment`'s token to the cookie sent with `response`."""
    claims = {i: at for i, at in owned().items() if i != comment.id}
    claims[comment.id] = comment.created_at
    _store(response, list(claims.items())[-KEEP:])


def forget(response: Response, comment_id: int) -> None:
    """Drop comment `comment_id`'s token from the cookie sent with `response`."""
    _store(response, [(i, at) for i, at in owned().items() if i != comment_id])


def _store(response: Response, claims: list[tuple[int, datetime]]) -> None:
    if not claims:
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
        return
    response.set_cookie(
        COOKIE,
        SEPARATOR.join(token(i, at) for i, at in claims),
        max_age=MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
