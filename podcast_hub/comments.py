"""The conversation: posting comments and replies, threads, the host's inbox."""

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from . import text, timecode
from .errors import NotFound, ValidationFailed
from .extensions import db
from .models import Comment, Episode

MAX_DEPTH = 3


@dataclass
class Node:
    """A comment with its replies, ready to render."""

    comment: Comment
    replies: list["Node"] = field(default_factory=list)
    depth: int = 1

    @property
    def reply_count(self):
        """Return the number of replies below this comment, at any depth."""
        return sum(1 + reply.reply_count for reply in self.replies)


def post_comment(
    episode,
    *,
    body,
    author=None,
    email=None,
    timestamp_s=None,
    parent_id=None,
    host=None,
):
    """Store and return a published comment on `episode`.

    With `host`, the comment is the host's and carries their display name.
    Raises ValidationFailed for a moment outside the episode, NotFound for a
    parent that is not a published comment of this episode. A reply below the
    third level attaches to the third level.
    """
    if timestamp_s is not None and not 0 <= timestamp_s <= episode.duration_s:
        raise ValidationFailed(
            {
                "timestamp": [
                    "The moment must be between 0:00 and "
                    f"{timecode.format(episode.duration_s)}, the episode's length."
                ]
            }
        )
    parent = None
    if parent_id is not None:
        parent = _published_comment(episode, parent_id)
        ancestors = _ancestors(parent)
        if len(ancestors) + 1 >= MAX_DEPTH:
            parent = db.session.get(Comment, parent.parent_id)
    comment = Comment(
        episode_id=episode.id,
        parent_id=parent.id if parent else None,
        author=host.display_name if host else author,
        email=None if host else (email or None),
        host_id=host.id if host else None,
        is_host=host is not None,
        body=body,
        timestamp_s=timestamp_s,
        status="published",
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def _published_comment(episode, comment_id):
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.episode_id != episode.id:
        raise NotFound("There is no such comment on this episode.", field="parent_id")
    if comment.status != "published":
        raise NotFound("That comment is not open for replies.", field="parent_id")
    return comment


def _ancestors(comment):
    chain = []
    while comment.parent_id is not None and len(chain) < MAX_DEPTH:
        comment = db.session.get(Comment, comment.parent_id)
        chain.append(comment)
    return chain


def thread(episode):
    """Return the episode's published conversation as a list of top-level Nodes.

    Threads are ordered by moment (general comments last), then by time;
    replies by time. One query, whatever the size of the conversation.
    """
    query = (
        sa.select(Comment)
        .where(Comment.episode_id == episode.id, Comment.status == "published")
        .order_by(Comment.created_at, Comment.id)
        .options(so.raiseload("*"))
    )
    nodes = {comment.id: Node(comment) for comment in db.session.scalars(query)}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id)
        if node.comment.parent_id is None:
            roots.append(node)
        elif parent is not None:
            parent.replies.append(node)
    for root in roots:
        _set_depth(root, 1)
    roots.sort(key=_moment_order)
    return roots


def _set_depth(node, depth):
    node.depth = depth
    for reply in node.replies:
        _set_depth(reply, depth + 1)


def _moment_order(node):
    moment = node.comment.timestamp_s
    return (moment is None, moment or 0, node.comment.created_at, node.comment.id)


def count(nodes):
    """Return the number of comments in `nodes` and all their replies."""
    return sum(1 + node.reply_count for node in nodes)


def needs_reply():
    """Return published listener comments that no host has answered, newest first.

    Each row is (comment, episode).
    """
    host_reply = sa.orm.aliased(Comment)
    answered = (
        sa.select(host_reply.id)
        .where(
            host_reply.parent_id == Comment.id,
            host_reply.is_host.is_(True),
            host_reply.status == "published",
        )
        .exists()
    )
    query = (
        sa.select(Comment, Episode)
        .join(Episode, Comment.episode_id == Episode.id)
        .where(Comment.is_host.is_(False), Comment.status == "published", ~answered)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    return db.session.execute(query).all()


def get_comment(comment_id):
    """Return the comment with this id, or raise NotFound."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("There is no such comment.")
    return comment


def to_json(node):
    """Return the public JSON of a comment Node and its replies."""
    comment = node.comment
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author": comment.author,
        "body": comment.body,
        "body_html": str(text.paragraphs(comment.body)),
        "timestamp": comment.timestamp_s,
        "created_at": comment.created_at.isoformat().replace("+00:00", "Z"),
        "is_host": comment.is_host,
        "status": comment.status,
        "replies": [to_json(reply) for reply in node.replies],
    }
