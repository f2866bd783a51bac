"""Proof that this browser posted a comment: signed per-comment tokens in a cookie.

Listeners have no accounts. Posting a comment gives the browser a token for it,
signed with the app's secret key; the token lets that browser see the comment
while it awaits moderation and, for `comments.EDIT_WINDOW`, edit or delete it.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from flask import current_app, g, request
from itsdangerous import BadSignature, Signer
from werkzeug.wrappers import Response

from ..models import Comment
from .signing import KeptKeys

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
    return _signer_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=8)
def _signer_for(secret_key: str | bytes) -> Signer:
    # Made once per secret key (a Signer costs about as much as a signature).
    return KeptKeys(secret_key, salt="podcast-hub.own-comment.v2")


def token(comment_id: int, created_at: datetime) -> str:
    """Return the signed token that proves authorship of the comment posted then."""
    micros = (created_at - _EPOCH) // _MICROSECOND
    return _signer().sign(f"{comment_id}.{micros}").decode("ascii")


def read(value: str | None) -> dict[int, datetime]:
    """Return {comment id: created_at} for the validly signed tokens in `value`."""
    return {i: at for i, (at, _) in _tokens(value).items()}


def _tokens(value: str | None) -> dict[int, tuple[datetime, str]]:
    """Return {comment id: (created_at, its signed token)} for the validly
    signed tokens in `value`."""
    signer = _signer()
    claims: dict[int, tuple[datetime, str]] = {}
    for item in (value or "").split(SEPARATOR)[-KEEP:]:
        try:
            comment_id, micros = signer.unsign(item).split(b".")
            claims[int(comment_id)] = (_EPOCH + int(micros) * _MICROSECOND, item)
        except (BadSignature, ValueError, OverflowError):
            continue
    return claims


def _request_tokens() -> dict[int, tuple[datetime, str]]:
    """Return `_tokens` of this request's cookie, checked once a request: a
    post reads them for the verdict and again to add its own."""
    value = request.cookies.get(COOKIE)
    kept = g.get("_own_comments")
    if kept is None or kept[0] != value:
        kept = (value, _tokens(value))
        g._own_comments = kept
    return dict(kept[1])


def owned() -> dict[int, datetime]:
    """Return {comment id: created_at} for the comments this browser posted.

    Domain code checks a comment against it with `Comment.is_claimed_by`.
    """
    return {i: at for i, (at, _) in _request_tokens().items()}


def owns(comment: Comment) -> bool:
    """Tell whether the browser making this request posted `comment`."""
    return comment.is_claimed_by(owned())


def remember(response: Response, comment: Comment) -> None:
    """Add `comment`'s token to the cookie sent with `response`."""
    # The tokens already held are sent back as they came (they were checked),
    # not signed again: one signature a post, however many the browser holds.
    claims = {i: item for i, (_, item) in _request_tokens().items() if i != comment.id}
    claims[comment.id] = token(comment.id, comment.created_at)
    _store(response, list(claims.values())[-KEEP:])


def forget(response: Response, comment_id: int) -> None:
    """Drop comment `comment_id`'s token from the cookie sent with `response`."""
    claims = _request_tokens()
    _store(response, [item for i, (_, item) in claims.items() if i != comment_id])


def _store(response: Response, tokens: list[str]) -> None:
    if not tokens:
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
        return
    response.set_cookie(
        COOKIE,
        SEPARATOR.join(tokens),
        max_age=MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
