"""The conversation: posting comments and replies, and threads."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import clock
from ..catalog.episodes import Commentable
from ..errors import NotAllowed, NotFound, ValidationFailed
from ..extensions import db
from ..models import Comment, CommentStatus, Episode, Host
from ..text import names, plain, rules, timecode
from . import answers, events, moderation, order, repeats, spam

MAX_DEPTH = 3
_TABLE: sa.Table = Comment.__table__  # type: ignore[assignment]
# How the feeds mark a host's comment; no listener's name may carry it.
HOST_MARK = "(host)"
A_HOSTS_NAME = "That name belongs to a host of this show; choose another."
MARKED_AS_HOST = f'Only hosts are marked "{HOST_MARK}"; choose another name.'


@dataclass
class Node:
    """A comment with its replies, ready to render.

    `replies` are all of them, or a window of them in thread order (see
    `threads`): then `reply_total` says how many there are in all, `shown_to`
    how many come before the window's end, and `answerer` names the host of the
    thread's first answer (`answers`), wherever that reply is.
    """

    comment: Comment
    replies: list["Node"] = field(default_factory=list)
    depth: int = 1
    reply_total: int | None = None
    shown_to: int = 0
    answerer: str | None = None

    @property
    def reply_count(self) -> int:
        """Return the number of replies below this comment, at any depth."""
        if self.reply_total is not None:
            return self.reply_total
        return sum(1 + reply.reply_count for reply in self.replies)

    @property
    def more_replies(self) -> int:
        """Return how many replies in thread order come after those shown."""
        if self.reply_total is None:
            return 0
        return max(0, self.reply_total - self.shown_to)

    @property
    def answered_by(self) -> str | None:
        """Return the name of the host whose answer below came first, or None."""
        if self.reply_total is not None:
            return self.answerer
        first = answers.first_answer(node.comment for node in self.below())
        return first.author if first else None

    def below(self) -> Iterator["Node"]:
        """Yield the Nodes of every reply held below this one, at any depth."""
        for reply in self.replies:
            yield reply
            yield from reply.below()


def post_comment(
    episode: Episode | Commentable,
    *,
    body: str,
    author: str | None = None,
    email: str | None = None,
    timestamp_s: int | None = None,
    parent_id: int | None = None,
    host: Host | None = None,
    own_ids: Mapping[int, datetime] | None = None,
    notify: bool = False,
    key: str | None = None,
    stored: Callable[[Comment], None] | None = None,
) -> Comment:
    """Store and return a comment on `episode`.

    `stored` is called with the new comment once it has its id, before the
    transaction that stores it commits: what it adds commits with the comment
    (a repeat of an earlier post does not call it).

    With `key` (the poster's key for this post, `repeats`), a post sent again
    returns the comment the first one stored, even when both race; the same
    key with other words raises `repeats.KeyReused`.

    With `host`, the comment is the host's, carries their display name and is
    published. A listener's comment is published, held as `pending` or sent to
    `spam` as the moderation rules say; `own_ids`, the comments this browser
    posted ({id: created_at}), may show that the listener is known. Raises
    ValidationFailed for a moment outside the episode or a listener commenting
    on a closed episode, NotFound for a parent that is not a published comment
    of this episode. A reply below the third level attaches to the third level.
    A listener's name must not look like a host's (`listener_name`). With
    `notify`, the listener asks to be mailed replies: it needs `email`
    (ValidationFailed otherwise). Listeners of `events` hear of the comment in
    its transaction.
    """
    sent = repeats.digest(
        episode=episode.id,
        body=body,
        author=author,
        email=email,
        timestamp_s=timestamp_s,
        parent_id=parent_id,
        host=host.id if host else None,
    )
    # Nearly every key is new: it is looked for only when this post is refused
    # or its insert meets the key (`_or_earlier`), not before every post.
    try:
        # `answered` (the comment the new one is a reply to, or None) is held
        # until the post ends: the session keeps loaded objects only while
        # something refers to them, and the mail listeners read it again.
        values, answered = _values(
            episode,
            body=body,
            author=author,
            email=email,
            timestamp_s=timestamp_s,
            parent_id=parent_id,
            host=host,
            own_ids=own_ids,
            notify=notify,
            key=key,
            sent=sent,
        )
    except (ValidationFailed, NotFound) as refused:
        return _or_earlier(key, sent, refused)
    comment = None
    try:
        comment = _insert(values)
        if stored is not None:
            stored(comment)
        events.changed(comment, None)
        _commit_keeping_loaded()
    except sa.exc.IntegrityError as taken:
        # The same post sent again, or twice at once: the other request stored it.
        db.session.rollback()
        if comment is not None:
            # Rolled back: the row is gone, the object must not stand for it.
            db.session.expunge(comment)
        return _or_earlier(key, sent, taken)
    return comment


def _or_earlier(key: str | None, sent: str, stopped: Exception) -> Comment:
    """Return the comment stored under `key` from the same words by a post sent
    before this one (a retry answers what the first post stored, even when the
    episode has closed since); else raise `stopped`, what stopped this one.

    Raises KeyReused when the key was used for other words."""
    if key is None or (earlier := repeats.earlier_post(key, sent)) is None:
        raise stopped
    return earlier


def _values(
    episode: Episode | Commentable,
    *,
    body: str,
    author: str | None,
    email: str | None,
    timestamp_s: int | None,
    parent_id: int | None,
    host: Host | None,
    own_ids: Mapping[int, datetime] | None,
    notify: bool,
    key: str | None,
    sent: str,
) -> tuple[dict[str, Any], Comment | None]:
    """Return the column values of a new comment, checked and moderated, as
    `post_comment` stores it, and the comment it answers (None for a comment
    that is no reply); raise ValidationFailed or NotFound if refused."""
    answered = None
    if host is None:
        moderation.check_open(episode)
        if notify and not email:
            raise ValidationFailed(
                {"notify": [rules.NOTIFY_NEEDS_EMAIL]}, message=rules.NOTIFY_NEEDS_EMAIL
            )
    _check_moment(episode, timestamp_s)
    if parent_id is not None:
        parent, above = _published_comment(episode, parent_id)
        answered = parent
        if above is not None and above.parent_id is not None:
            # At MAX_DEPTH: the reply attaches beside `parent`, naming it.
            body = _mention(parent.author, body)
            answered = above
        parent_id = answered.id
    if host is None:
        # The rules, with the spam filter's counts for the words as stored.
        author = names.normal(author or "")
        counting = spam.Counting(body, episode.id, email, author, own_ids or {})
        house = moderation.house_rules(counting)
        author = listener_name(author, house.host_names)
        verdict = moderation.judge_new_comment(
            episode=episode,
            author=author,
            email=email,
            body=body,
            own_ids=own_ids,
            house=house,
        )
    else:
        verdict = moderation.Verdict(CommentStatus.PUBLISHED)
    return {
        "episode_id": episode.id,
        "parent_id": parent_id,
        "host_id": host.id if host else None,
        "is_host": host is not None,
        "author": host.display_name if host else author,
        "email": None if host else (email or None),
        "body": body,
        "timestamp_s": timestamp_s,
        "status": verdict.status,
        "pinned": False,
        "reply_not_needed": False,
        "notify": bool(notify) and host is None,
        "created_at": clock.now(),
        "edited_at": None,
        "deleted_at": None,
        "posting_key": key,
        "posting_digest": sent if key else None,
        "body_key": spam.body_key(body),
        "moderation_reason": verdict.reason,
    }, answered


# Built once: SQLAlchemy keeps its compiled form for the columns given, where
# an ORM flush of a new Comment builds and runs its unit of work each time.
_INSERT = sa.insert(_TABLE).returning(_TABLE.c.id)


def _insert(values: dict[str, Any]) -> Comment:
    """Store a comment with these column values; return it, persistent in the
    session with every column loaded, as a flush of a new Comment would leave it.
    """
    comment_id = db.session.connection().execute(_INSERT, values).scalar_one()
    comment = Comment(id=comment_id, **values)
    # What was just written is what the object holds: no pending changes.
    so.make_transient_to_detached(comment)
    db.session.add(comment)
    return comment


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds.

    The new comment holds every column it was stored with (its id read back),
    and the episode was read in this request: reading them again after the
    commit, as an expiring commit makes the answer do, reads the same values.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def listener_name(name: str | None, host_names: Iterable[str] | None = None) -> str:
    """Return a listener's name as stored (`names.normal`).

    Raises ValidationFailed (`author`) when it can look like a host's display
    name, in any spelling (case, spaces, lookalike letters), or carries
    HOST_MARK. `host_names`: the hosts' display names, if already read.
    """
    name = names.normal(name or "")
    hosts = db.session.scalars(_HOSTS_NAMES) if host_names is None else host_names
    if any(names.look_alike(name, host) for host in hosts):
        raise ValidationFailed({"author": [A_HOSTS_NAME]}, message=A_HOSTS_NAME)
    if names.mentions(name, [HOST_MARK]):
        raise ValidationFailed({"author": [MARKED_AS_HOST]}, message=MARKED_AS_HOST)
    return name


_HOSTS_NAMES = sa.select(Host.__table__.c.display_name)


def _mention(name: str, body: str) -> str:
    """Start `body` with "@name", for a reply shown beside the comment it answers."""
    mention = f"@{name}"
    return body if body.startswith(mention) else f"{mention} {body}"


def _published_comment(
    episode: Episode | Commentable, comment_id: int
) -> tuple[Comment, Comment | None]:
    """Return the comment a reply answers, and the comment it replies to (None
    for a top-level one). One statement.

    At MAX_DEPTH the second has a parent too: a reply attaches beside the first.
    """
    row = db.session.execute(_REPLIED_TO, {"comment_id": comment_id}).first()
    if row is None or row[0].episode_id != episode.id:
        raise NotFound("There is no such comment on this episode.", field="parent_id")
    comment, above = row
    if comment.status != CommentStatus.PUBLISHED:
        raise NotFound("That comment is not open for replies.", field="parent_id")
    return comment, above


_PARENT = so.aliased(Comment, name="parent")
_REPLIED_TO = (
    sa.select(Comment, _PARENT)
    .outerjoin(_PARENT, _PARENT.id == Comment.parent_id)
    .where(Comment.id == sa.bindparam("comment_id"))
)


def thread(episode: Episode) -> list[Node]:
    """Return the episode's published conversation as a list of top-level Nodes.

    Threads in `order.Sort.MOMENT`; replies by time. One query, whatever the
    size of the conversation.
    """
    nodes = {comment.id: Node(comment) for comment in published(episode)}
    roots = []
    for node in nodes.values():
        parent_id = node.comment.parent_id
        if parent_id is None:
            roots.append(node)
        elif (parent := nodes.get(parent_id)) is not None:
            parent.replies.append(node)
    for root in roots:
        _set_depth(root, 1)
    roots.sort(key=lambda node: order.sort_key(node.comment))
    return roots


def published(episode: Episode) -> Sequence[Comment]:
    """Return the published comments on `episode`, replies too, oldest first.

    One query; the rows load none of their relations.
    """
    query = (
        sa.select(Comment)
        .where(
            Comment.episode_id == episode.id,
            Comment.status == CommentStatus.PUBLISHED,
        )
        .order_by(Comment.created_at, Comment.id)
        .options(so.raiseload("*"))
    )
    return db.session.scalars(query).all()


def _set_depth(node: Node, depth: int) -> None:
    node.depth = depth
    for reply in node.replies:
        _set_depth(reply, depth + 1)


def count(nodes: Iterable[Node]) -> int:
    """Return the number of comments in `nodes` and all their replies."""
    return sum(1 + node.reply_count for node in nodes)


def get_comment(comment_id: int) -> Comment:
    """Return the comment with this id, or raise NotFound."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("There is no such comment.")
    return comment


def to_json(node: Node, *, real_status: bool = False) -> dict[str, Any]:
    """Return the public JSON of a comment Node and its replies.

    A comment that is not published says `pending`: its author sees spam as
    held, so spammers learn nothing. With `real_status` (for hosts), the status
    is the stored one.
    """
    comment = node.comment
    status = comment.status
    if not real_status and status != CommentStatus.PUBLISHED:
        status = CommentStatus.PENDING
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author": comment.author,
        "body": comment.body,
        "body_html": str(plain.paragraphs(comment.body)),
        "timestamp": comment.timestamp_s,
        "created_at": comment.created_at.isoformat().replace("+00:00", "Z"),
        "is_host": comment.is_host,
        "status": status,
        "replies": [to_json(r, real_status=real_status) for r in node.replies],
    }


EDIT_WINDOW = timedelta(minutes=15)
TOO_LATE = (
    "You can change or delete a comment for 15 minutes after posting it; "
    "that time is over for this one."
)
HAS_REPLIES = (
    "People have already replied to this comment, so it stays; "
    "you can still edit it for 15 minutes after posting."
)


def episode_of(comment: Comment) -> Episode:
    """Return the episode `comment` belongs to."""
    return db.session.get_one(Episode, comment.episode_id)


def change_deadline(comment: Comment) -> datetime:
    """Return the moment after which the author can no longer change `comment`."""
    return comment.created_at + EDIT_WINDOW


# What an author may still change: spam looks held to its author.
_CHANGEABLE = (CommentStatus.PUBLISHED, CommentStatus.PENDING, CommentStatus.SPAM)


def can_change(comment: Comment) -> bool:
    """Tell whether the author may still edit or delete `comment`."""
    return _can_change(comment, clock.now())


def _can_change(comment: Comment, now: datetime) -> bool:
    return comment.status in _CHANGEABLE and now < change_deadline(comment)


def changeable(
    nodes: Iterable[Node], own_ids: Mapping[int, datetime]
) -> dict[int, datetime]:
    """Return {comment id: deadline} for the comments in `nodes` their author owns.

    `own_ids` maps the ids of the comments this visitor posted to their
    `created_at`; only those still inside the edit window are returned.
    """
    now = clock.now()
    found: dict[int, datetime] = {}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        stack.extend(node.replies)
        if node.comment.is_claimed_by(own_ids) and _can_change(node.comment, now):
            found[node.comment.id] = change_deadline(node.comment)
    return found


def edit_comment(comment: Comment, *, body: str, timestamp_s: int | None) -> Comment:
    """Change the words and moment of `comment` for its author; return it.

    A listener's comment is moderated again (`moderation.status_after_edit`):
    in a holding mode a published one waits for the host's approval again, and
    blocked words send it to spam. Raises NotAllowed once EDIT_WINDOW has passed
    since it was posted, and ValidationFailed for a moment outside the episode.
    """
    now = clock.now()
    if not _can_change(comment, now):
        raise NotAllowed(TOO_LATE)
    _check_moment(episode_of(comment), timestamp_s)
    if not comment.is_host:
        verdict = moderation.judge_edit(
            comment.status, author=comment.author, email=comment.email, body=body
        )
        if verdict is not None:
            comment.status = verdict.status
            comment.moderation_reason = verdict.reason
    comment.body = body
    comment.body_key = spam.body_key(body)
    comment.timestamp_s = timestamp_s
    comment.edited_at = now
    db.session.commit()
    return comment


def delete_own_comment(comment: Comment) -> None:
    """Delete `comment` for its author: it leaves the page, the JSON and the feeds.

    The row stays as `deleted` until moderation purges it. Raises NotAllowed once
    EDIT_WINDOW has passed, or when someone has replied (their words would go too).
    """
    now = clock.now()
    if not _can_change(comment, now):
        raise NotAllowed(TOO_LATE)
    replied = sa.select(Comment.id).where(
        Comment.parent_id == comment.id, Comment.status == CommentStatus.PUBLISHED
    )
    if db.session.scalar(replied.limit(1)) is not None:
        raise NotAllowed(HAS_REPLIES)
    comment.status = CommentStatus.DELETED
    comment.deleted_at = now
    db.session.commit()


def _check_moment(episode: Episode | Commentable, timestamp_s: int | None) -> None:
    if timestamp_s is not None and not timecode.inside(timestamp_s, episode.duration_s):
        raise ValidationFailed(
            {
                "timestamp": [
                    "The moment must be between 0:00 and "
                    f"{timecode.format(episode.duration_s)}, the episode's length."
                ]
            }
        )
