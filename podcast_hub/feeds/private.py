"""Private feeds, each behind a secret address: a listener's replies and a host's
inbox.

`/replies/<secret>.xml` lists the published replies to the comments one browser
posted (`conversation.replies`); `/inbox/<secret>.xml` what waits for the hosts:
comments that need a reply or moderation. Both are RSS 2.0 that feed readers
and podcast apps showing text items follow. A secret that names nothing — never
made, renewed, revoked — is the same 404. They hold no e-mail address, are
cached by no shared cache, and every text goes through `plain.xml_safe`, so
any comment keeps them valid XML.

Kept apart from `rss` (the show's feed and comment feeds), which it shares
only feedgen with.
"""

from collections.abc import Sequence
from datetime import datetime

from feedgen.feed import FeedGenerator
from flask import Blueprint, abort, current_app, request
from markupsafe import escape
from werkzeug.wrappers import Response

from ..catalog import episodes
from ..conversation import comments, inbox, replies
from ..models import Show
from ..text import plain, timecode
from ..web import links
from ..web.sessions import sessionless
from . import rss

bp = Blueprint("private_feeds", __name__)

NOT_A_FEED = "There is no such feed: its address may have been renewed or revoked."
# Feed readers poll; a private cache may keep a copy a few minutes.
MAX_AGE_S = 300
_TAB_WORDS = {"needs-reply": "needs a reply", "moderation": "awaits moderation"}


@bp.route("/replies/<token>.xml", methods=["GET", "HEAD"])
@sessionless
def replies_xml(token: str) -> Response:
    feed = replies.find_feed(token)
    show = episodes.get_show()
    if feed is None or show is None:
        abort(404, description=NOT_A_FEED)
    found = replies.replies_to(feed.id, {})
    return _private(_replies_feed(show, found, feed.created_at, token))


@bp.route("/inbox/<token>.xml", methods=["GET", "HEAD"])
@sessionless
def inbox_xml(token: str) -> Response:
    host = inbox.feed_host(token)
    show = episodes.get_show()
    if host is None or show is None:
        abort(404, description=NOT_A_FEED)
    return _private(_inbox_feed(show, inbox.waiting(), token))


def _text(value: str | None) -> str:
    return plain.xml_safe(value or "")


def _html(text: str) -> str:
    return str(plain.paragraphs(_text(text)))


def _generator(
    title: str, description: str, show: Show, self_url: str
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.title(_text(title))
    fg.description(_text(description) or _text(show.title))
    fg.language(_text(show.language) or "en")
    fg.generator(rss.GENERATOR)
    fg.link(href=self_url, rel="self", type=rss.RSS_TYPE)
    fg.link(href=links.absolute("public.index"), rel="alternate")
    return fg


def replied_title(reply: replies.Reply) -> str:
    """Return "Dana (host) replied to you at 12:34 on <episode>"."""
    author = reply.comment.author
    if reply.comment.is_host:
        author = f"{author} {comments.HOST_MARK}"
    return f"{author} replied to you{_at(reply.moment_s)} on {reply.episode.title}"


def _at(moment_s: int | None) -> str:
    return "" if moment_s is None else f" at {timecode.format(moment_s)}"


def _replies_feed(
    show: Show, found: Sequence[replies.Reply], started: datetime, token: str
) -> bytes:
    self_url = links.absolute("private_feeds.replies_xml", token=token)
    fg = _generator(
        f"Replies to you on {show.title}",
        f"Answers to the comments you posted on {show.title}. "
        "This address is private: anyone who has it can read them.",
        show,
        self_url,
    )
    # Never the time of rendering: the same replies make the same bytes.
    fg.lastBuildDate(max([started, *(r.comment.created_at for r in found)]))
    builder = links.Builder()
    for reply in reversed(found):
        fe = fg.add_entry()
        url = builder.comment_url(reply.episode, reply.comment)
        fe.title(_text(replied_title(reply)))
        fe.link(href=url)
        fe.guid(url, permalink=True)
        quoted = _html(reply.answered.body)
        fe.description(
            _html(reply.comment.body)
            + f"<p>In reply to your comment:</p><blockquote>{quoted}</blockquote>"
        )
        fe.pubDate(reply.comment.created_at)
        fe.dc.dc_creator(_text(reply.comment.author))
        if reply.comment.is_host:
            fe.category(term="host")
    return fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)


def _inbox_feed(show: Show, waiting: Sequence[inbox.Waiting], token: str) -> bytes:
    self_url = links.absolute("private_feeds.inbox_xml", token=token)
    fg = _generator(
        f"Inbox of {show.title}",
        "Listener comments that need a reply or your approval, newest first. "
        "This address is private: anyone who has it can read them.",
        show,
        self_url,
    )
    moments = [show.updated_at, *(item.row.comment.created_at for item in waiting)]
    fg.lastBuildDate(max(moments))
    builder = links.Builder()
    for item in reversed(waiting):
        comment, episode = item.row.comment, item.row.episode
        fe = fg.add_entry()
        at = _at(comment.timestamp_s)
        title = f"{comment.author}{at} on {episode.title}: {_TAB_WORDS[item.tab]}"
        fe.title(_text(title))
        tab = None if item.tab == inbox.DEFAULT_TAB else item.tab
        where = links.absolute("dashboard.index", tab=tab, episode=episode.id)
        fe.link(href=where)
        # One item per comment and state: approved, it comes back as new.
        fe.guid(f"{builder.page_url(episode)}#inbox-{item.tab}-{comment.id}")
        context = "".join(
            f"<blockquote><p>{escape(_text(above.author))}:</p>{_html(above.body)}"
            "</blockquote>"
            for above in item.row.context
        )
        fe.description(
            f"<p>On {escape(_text(episode.title))}:</p>{context}{_html(comment.body)}"
        )
        fe.pubDate(comment.created_at)
        fe.dc.dc_creator(_text(comment.author))
        fe.category(term=item.tab)
    return fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)


def _private(body: bytes) -> Response:
    """Return a private feed's response: for this reader only, 304 when unchanged."""
    response = current_app.response_class(body, mimetype=rss.RSS_TYPE)
    response.cache_control.private = True
    response.cache_control.max_age = MAX_AGE_S
    response.headers["X-Robots-Tag"] = "noindex"
    response.add_etag()
    return response.make_conditional(request)
