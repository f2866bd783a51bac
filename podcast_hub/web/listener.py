"""What this browser's listener gets back: replies to their comments, the name
they typed last, and the secret address of their private feed of replies.

The browser keeps the feed's secret in the `reply_feed` cookie (HttpOnly); the
comments it claims (`ownership`) count too, so that comments posted before it
had a feed are known. Each lookup is made once per request, and none at all
for a visitor who never posted.
"""

from flask import after_this_request, current_app, g, request
from werkzeug.wrappers import Response

from ..conversation import replies
from ..models import Comment, ReplyFeed
from . import links, ownership

COOKIE = "reply_feed"
# Browsers keep a cookie at most 400 days.
MAX_AGE_S = 400 * 24 * 3600
# Replies the banner names; the page of replies lists the rest.
BANNER = 3
_NO_FEED = object()


def feed() -> ReplyFeed | None:
    """Return the ReplyFeed of this browser, or None."""
    found = g.get("reply_feed", _NO_FEED)
    if found is _NO_FEED:
        secret = request.cookies.get(COOKIE)
        found = replies.find_feed(secret) if secret else None
        g.reply_feed = found
        g.reply_feed_secret = secret if found else None
    return found


def _feed_id() -> int | None:
    found = feed()
    return found.id if found else None


def secret() -> str | None:
    """Return the secret of this browser's private feed, or None."""
    feed()
    return g.get("reply_feed_secret")


def feed_url() -> str | None:
    """Return the absolute address of this browser's private feed, or None."""
    found = secret()
    return links.absolute("private_feeds.replies_xml", token=found) if found else None


def knows_comments() -> bool:
    """Tell whether this browser has posted a comment we know of."""
    return feed() is not None or bool(ownership.owned())


def unseen(limit: int = BANNER + 1) -> list[replies.Reply]:
    """Return the newest replies to this listener that they have not seen."""
    if not knows_comments():
        return []
    return replies.replies_to(
        _feed_id(), ownership.owned(), unseen_only=True, limit=limit
    )


def all_replies() -> list[replies.Reply]:
    """Return the replies to this listener, newest first, seen or not."""
    if not knows_comments():
        return []
    return replies.replies_to(_feed_id(), ownership.owned())


def remembered_name() -> str | None:
    """Return the name this listener signed their latest comment with, or None."""
    if "listener_name" not in g:
        known = knows_comments()
        g.listener_name = (
            replies.last_name(_feed_id(), ownership.owned()) if known else None
        )
    return g.listener_name


def follow(comment: Comment, *, commit: bool = True) -> None:
    """Count `comment`, just posted from this browser, among its listener's.

    A browser without a feed gets one, with the comments it already claims.
    With `commit=False`, in the transaction that stores `comment`.
    """
    found = g.get("reply_feed", _NO_FEED)
    if found is _NO_FEED:
        # A post needs no more of the feed than its secret finds.
        secret = request.cookies.get(COOKIE)
        if secret and replies.follow_secret(secret, comment, commit=commit):
            return
    elif found is not None:
        replies.follow(found.id, comment, commit=commit)
        return
    _start(comment, commit=commit)


def saw(reply_ids: list[int]) -> int:
    """Mark these replies to this listener seen; return how many were new."""
    if not knows_comments() or not reply_ids:
        return 0
    found = feed()
    if found is None:
        # Comments known by their ownership tokens only: a feed keeps what was
        # seen, made only when there is a reply to keep.
        claims = ownership.owned()
        if not replies.replies_to(None, claims, only=reply_ids, limit=1):
            return 0
        found = _start()
    return replies.mark_seen(found, ownership.owned(), reply_ids)


def renew() -> None:
    """Give this browser's feed a new secret address; the old one stops working."""
    found = feed()
    if found is None:
        return
    _give(replies.renew_secret(found))


def stop() -> None:
    """Delete this browser's feed: the address stops working."""
    found = feed()
    if found is None:
        return
    replies.stop_feed(found)
    g.reply_feed, g.reply_feed_secret = None, None

    @after_this_request
    def forget(response: Response) -> Response:
        response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
        return response


def _start(comment: Comment | None = None, *, commit: bool = True) -> ReplyFeed:
    found, new_secret = replies.start_feed(ownership.owned(), comment, commit=commit)
    g.reply_feed = found
    _give(new_secret)
    return found


def _give(new_secret: str) -> None:
    """Send the browser `new_secret` with this request's response."""
    g.reply_feed_secret = new_secret

    @after_this_request
    def keep(response: Response) -> Response:
        response.set_cookie(
            COOKIE,
            new_secret,
            max_age=MAX_AGE_S,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
        return response
