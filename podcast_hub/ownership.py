"""Proof that this browser posted a comment: signed per-comment tokens in a cookie.

Listeners have no accounts. Posting a comment gives the browser a token for it,
signed with the app's secret key; the token lets that browser see the comment
while it awaits moderation and, for `comments.EDIT_WINDOW`, edit or delete it.
"""

from flask import current_app, request
from itsdangerous import BadSignature, Signer

COOKIE = "own_comments"
SEPARATOR = "~"
KEEP = 30
MAX_AGE_S = 30 * 24 * 3600
NOT_YOURS = (
    "Only the person who posted this comment can change it, "
    "and only from the browser they posted it with."
)


def _signer():
    return Signer(current_app.secret_key, salt="podcast-hub.own-comment")


def token(comment_id):
    """Return the signed token that proves authorship of comment `comment_id`."""
    return _signer().sign(str(comment_id)).decode("ascii")


def read(value):
    """Return the comment ids whose tokens in cookie `value` carry a valid signature."""
    signer = _signer()
    ids = []
    for item in (value or "").split(SEPARATOR)[-KEEP:]:
        try:
            ids.append(int(signer.unsign(item)))
        except (BadSignature, ValueError):
            continue
    return ids


def owned_ids():
    """Return the ids of the comments the browser making this request posted."""
    return read(request.cookies.get(COOKIE))


def owns(comment_id):
    """Tell whether the browser making this request posted comment `comment_id`."""
    return comment_id in owned_ids()


def remember(response, comment_id):
    """Add comment `comment_id`'s token to the cookie sent with `response`."""
    ids = [i for i in owned_ids() if i != comment_id] + [comment_id]
    _store(response, ids[-KEEP:])


def forget(response, comment_id):
    """Drop comment `comment_id`'s token from the cookie sent with `response`."""
    _store(response, [i for i in owned_ids() if i != comment_id])


def _store(response, ids):
    if not ids:
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
        return
    response.set_cookie(
        COOKIE,
        SEPARATOR.join(token(i) for i in ids),
        max_age=MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
