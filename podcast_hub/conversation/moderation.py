"""Moderation: what happens to new comments, the host's actions on comments,
closing episodes, block rules and purging what was deleted."""

import enum
import functools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import idna
import sqlalchemy as sa

from .. import clock
from ..catalog.episodes import Commentable
from ..errors import ValidationFailed
from ..extensions import db, insert_skipping_taken
from ..models import (
    BlockKind,
    BlockRule,
    Comment,
    CommentStatus,
    Episode,
    Host,
    ModerationMode,
    PersonKind,
    PersonRule,
    Show,
    claim_pairs,
    claimed,
)
from ..text import names
from . import events, people, spam


class Action(enum.StrEnum):
    """What the host can do to a comment."""

    APPROVE = "approve"
    HIDE = "hide"
    SPAM = "spam"
    DELETE = "delete"
    RESTORE = "restore"
    PIN = "pin"
    UNPIN = "unpin"


ACTIONS = tuple(Action)
PURGE_AFTER_DAYS = 30
CLOSED_MESSAGE = "Comments are closed on this episode."
MODE_LABELS = {
    ModerationMode.FILTER: (
        "Filter (recommended): plain comments appear at once; a first-time"
        " commenter's link and what looks like spam are held"
    ),
    ModerationMode.OPEN: "Open: new comments appear at once, with no spam filter",
    ModerationMode.HOLD_FIRST: "Hold first-time commenters until you approve them",
    ModerationMode.HOLD_ALL: "Hold every new comment until you approve it",
}
_PINS = (Action.PIN, Action.UNPIN)
_STATUS_AFTER: dict[str, CommentStatus] = {
    Action.APPROVE: CommentStatus.PUBLISHED,
    Action.RESTORE: CommentStatus.PUBLISHED,
    Action.HIDE: CommentStatus.HIDDEN,
    Action.SPAM: CommentStatus.SPAM,
    Action.DELETE: CommentStatus.DELETED,
}


def check_open(episode: Episode | Commentable) -> None:
    """Raise ValidationFailed when listeners may no longer comment on `episode`."""
    if episode.comments_closed:
        raise ValidationFailed({"episode": [CLOSED_MESSAGE]}, message=CLOSED_MESSAGE)


BLOCKED_REASON = "blocked address or word"
HOLD_FIRST_REASON = "first comment from this listener"
HOLD_ALL_REASON = "every new comment waits for approval"
EDITED_REASON = "edited after it was published"


@dataclass(frozen=True)
class Verdict:
    """The status a listener's comment takes, and why when it is not published.

    `reason` is what the host reads on the comment's card, like "Held: first
    comment with a link"; None for a comment published as it came.
    """

    status: CommentStatus
    reason: str | None = None


@dataclass(frozen=True)
class HouseRules:
    """What a listener's post is judged by: the block rules (kind, value), the
    show's moderation mode (None before there is a show) and the hosts' display
    names, which no listener may take (`comments.listener_name`)."""

    rules: list[tuple[str, str]]
    mode: str | None
    host_names: list[str]
    # The spam filter's counts for the comment being posted (copies, recent),
    # when they were read with the rules (`house_rules(counting=…)`).
    counts: tuple[int, int] | None = None


def judge_new_comment(
    *,
    episode: Episode | Commentable | None = None,
    author: str | None,
    email: str | None,
    body: str,
    own_ids: Mapping[int, datetime] | None = None,
    house: HouseRules | None = None,
) -> Verdict:
    """Return the status a new listener comment starts with, and why.

    `spam` when its e-mail address or words are blocked, or the spam scorer
    (`spam.score`) finds it obvious; `pending` when the show's moderation mode
    holds it or, unless the mode is open, the scorer flags it; else `published`.
    `own_ids` maps the ids of the comments this browser posted to their
    `created_at` (its ownership tokens): a published one among them makes the
    commenter known. `house`: the rules as `house_rules` read them in this
    transaction, else they are read.
    """
    own_ids = own_ids or {}
    return _verdict(
        author=author,
        email=email,
        body=body,
        known=lambda: _is_known_commenter(email, own_ids),
        episode_id=episode.id if episode is not None else None,
        own_ids=own_ids,
        fresh=True,
        house=house,
    )


def status_for_new_comment(
    *,
    author: str | None,
    email: str | None,
    body: str,
    own_ids: Mapping[int, datetime] | None = None,
) -> CommentStatus:
    """Return the status a new listener comment starts with (`judge_new_comment`)."""
    return judge_new_comment(
        author=author, email=email, body=body, own_ids=own_ids
    ).status


def judge_edit(
    status: str, *, author: str | None, email: str | None, body: str
) -> Verdict | None:
    """Return the verdict on a listener's comment, now `status`, after an edit.

    The new words are moderated like a new comment's, except that nobody counts
    as known: in a holding mode, or when the filter flags the new words, the host
    approves them again. Blocked words send a held comment to spam too; a held
    comment never becomes published. None when the status and reason stay.
    """
    new = _verdict(
        author=author,
        email=email,
        body=body,
        known=lambda: False,
        episode_id=None,
        own_ids={},
        fresh=False,
    )
    if new.status == CommentStatus.SPAM:
        return new
    if status == CommentStatus.PUBLISHED:
        if new.status == CommentStatus.PENDING and new.reason is not None:
            return Verdict(new.status, f"{new.reason}; {EDITED_REASON}")
        return new
    return None


def status_after_edit(
    status: str, *, author: str | None, email: str | None, body: str
) -> str:
    """Return the status a listener's comment, now `status`, takes after an edit."""
    verdict = judge_edit(status, author=author, email=email, body=body)
    return status if verdict is None else verdict.status


def _verdict(
    *,
    author: str | None,
    email: str | None,
    body: str,
    known: Callable[[], bool],
    episode_id: int | None,
    own_ids: Mapping[int, datetime],
    fresh: bool,
    house: HouseRules | None = None,
) -> Verdict:
    house = house or house_rules()
    rules, mode = house.rules, house.mode
    if _blocked(rules, author=author, email=email, body=body):
        return Verdict(CommentStatus.SPAM, f"Spam: {BLOCKED_REASON}")
    decided = people.find(email=email, own_ids=own_ids)
    if decided == PersonKind.BLOCK:
        return Verdict(CommentStatus.SPAM, f"Spam: {people.BLOCKED_REASON}")
    if decided == PersonKind.TRUST:
        return Verdict(CommentStatus.PUBLISHED)
    if mode == ModerationMode.OPEN:
        return Verdict(CommentStatus.PUBLISHED)
    is_known = known()
    found = spam.score(
        body=body,
        episode_id=episode_id,
        email=email,
        author=author,
        own_ids=own_ids,
        known=is_known,
        fresh=fresh,
        counts=house.counts,
    )
    reasons = list(found.reasons)
    if found.points >= spam.SPAM_SCORE:
        return Verdict(CommentStatus.SPAM, "Spam: " + "; ".join(reasons))
    if mode == ModerationMode.HOLD_ALL:
        reasons.insert(0, HOLD_ALL_REASON)
    elif mode == ModerationMode.HOLD_FIRST and not is_known:
        reasons.insert(0, HOLD_FIRST_REASON)
    if reasons:
        return Verdict(CommentStatus.PENDING, "Held: " + "; ".join(reasons))
    return Verdict(CommentStatus.PUBLISHED)


def _is_known_commenter(email: str | None, own_ids: Mapping[int, datetime]) -> bool:
    """Tell whether this listener already has a published comment.

    Known by what is never shown: the e-mail address, or a token of this browser
    for its own published comment. A public name alone proves nothing.
    """
    params: dict[str, object] = {}
    if own_ids:
        params["claims"] = claim_pairs(own_ids)
    if email and email.strip():
        params["email"] = email.strip().lower()
    if not params:
        return False
    query = _known_query("claims" in params, "email" in params)
    return db.session.connection().scalar(query, params) is not None


# The statements every post runs are built once each (SQLAlchemy keeps their
# compiled form), on the tables themselves: the ORM has nothing to load.
_COMMENTS: sa.Table = Comment.__table__  # type: ignore[assignment]
_BLOCK_RULES: sa.Table = BlockRule.__table__  # type: ignore[assignment]
_SHOWS: sa.Table = Show.__table__  # type: ignore[assignment]


@functools.cache
def _known_query(by_claims: bool, by_email: bool) -> sa.Select[tuple[int]]:
    """Return `_is_known_commenter`'s query for these proofs (`claims`, `email`)."""
    comments = _COMMENTS
    proofs = [claimed(comments)] if by_claims else []
    if by_email:
        proofs.append(sa.func.lower(comments.c.email) == sa.bindparam("email"))
    return (
        sa.select(comments.c.id)
        .where(
            sa.or_(*proofs),
            comments.c.is_host.is_(False),
            comments.c.status == CommentStatus.PUBLISHED,
        )
        .limit(1)
    )


def is_blocked(*, author: str | None, email: str | None, body: str | None) -> bool:
    """Tell whether a block rule matches the e-mail address, name or words.

    Both sides are compared as they look (`names`): a zero-width space, a
    Cyrillic letter or fullwidth ones do not hide a blocked word. An `@domain`
    rule blocks its subdomains too; a domain's trailing dot and its IDNA
    spelling (`xn--…`) do not matter.
    """
    rules = db.session.execute(sa.select(BlockRule.kind, BlockRule.value)).all()
    return _blocked(rules, author=author, email=email, body=body)


def house_rules(counting: spam.Counting | None = None) -> HouseRules:
    """Return the block rules, the moderation mode and the hosts' names; with
    `counting`, the spam filter's counts for that new comment too
    (`spam.counts_statement`), which a new comment's verdict then uses.

    One statement, as it runs for every post: a row for the mode, one for each
    rule, one for each host and one for the counts, each row saying which it is.
    """
    statement: sa.CompoundSelect = _HOUSE_RULES
    params: dict[str, object] = {}
    counts = None
    if counting is not None:
        columns, params = spam.counts_statement(counting)
        counts = (0, 0)
        if columns is not None:
            statement = _house_rules_counting(columns)
    rules, mode, host_names = [], None, []
    for what, kind, value in db.session.connection().execute(statement, params):
        if what == "rule":
            rules.append((kind, value))
        elif what == "host":
            host_names.append(value)
        elif what == "counts":
            counts = (int(kind or 0), int(value or 0))
        else:
            mode = value
    return HouseRules(rules, mode, host_names, counts)


_HOSTS: sa.Table = Host.__table__  # type: ignore[assignment]
_HOUSE_ROWS = (
    sa.select(
        sa.literal("mode"),
        sa.null(),
        sa.select(_SHOWS.c.moderation_mode).limit(1).scalar_subquery(),
    ),
    sa.select(sa.literal("rule"), _BLOCK_RULES.c.kind, _BLOCK_RULES.c.value),
    sa.select(sa.literal("host"), sa.null(), _HOSTS.c.display_name),
)
_HOUSE_RULES = sa.union_all(*_HOUSE_ROWS)


@functools.cache
def _house_rules_counting(columns: tuple[Any, Any]) -> sa.CompoundSelect:
    """Return the house rules' statement with a row of the spam filter's two
    counts (`columns`, as text), built once for each kind of count."""
    copies, recent = columns
    counted = sa.select(
        sa.literal("counts"), sa.cast(copies, sa.String), sa.cast(recent, sa.String)
    )
    return sa.union_all(*_HOUSE_ROWS, counted)


def _blocked(
    rules: Sequence[tuple[str, str]],
    *,
    author: str | None,
    email: str | None,
    body: str | None,
) -> bool:
    """Tell whether one of `rules` (kind, value) blocks these (`is_blocked`)."""
    address = _address(email)
    words = [value for kind, value in rules if kind == BlockKind.WORD]
    if words and names.mentions(f"{author or ''}\n{body or ''}", words):
        return True
    return address is not None and any(
        _blocks_address(_address(value), address)
        for kind, value in rules
        if kind == BlockKind.EMAIL
    )


def _blocks_address(rule: tuple[str, str] | None, address: tuple[str, str]) -> bool:
    """Tell whether an address rule blocks `address`, both as `_address` gives."""
    if rule is None:
        return False
    rule_local, rule_domain = rule
    if rule_local:
        return rule == address
    domain = address[1]
    return bool(rule_domain) and (
        domain == rule_domain or domain.endswith(f".{rule_domain}")
    )


def _address(email: str | None) -> tuple[str, str] | None:
    """Return (local part, domain) of an address or `@domain` as they look.

    None when there is no "@". The domain is read through IDNA (UTS #46), so
    that `xn--` labels, fullwidth dots and a trailing dot compare as written.
    """
    local, at, domain = (email or "").strip().rpartition("@")
    if not at:
        return None
    domain = names.normal(domain).rstrip(".")
    try:
        domain = idna.decode(idna.encode(domain, uts46=True))
    except idna.IDNAError:
        pass
    labels = domain.split(".")
    return names.look(local), ".".join(names.look(label) for label in labels)


def apply(comment: Comment, action: str) -> Comment:
    """Approve, hide, mark as spam, delete, restore, pin or unpin `comment`.

    Delete is soft: the comment keeps its row with `deleted_at` until purged.
    Raises ValidationFailed for an unknown action, or for pinning a reply.
    """
    _check_action(action, comment)
    _act(comment, action, clock.now())
    db.session.commit()
    return comment


def apply_many(comment_ids: Collection[int], action: str) -> int:
    """Apply one action to the comments with these ids; return how many changed.

    One transaction. Replies are left out of pin and unpin. Raises
    ValidationFailed for an unknown action.
    """
    _check_action(action)
    if not comment_ids:
        return 0
    now = clock.now()
    query = sa.select(Comment).where(Comment.id.in_(set(comment_ids)))
    changed = 0
    for comment in db.session.scalars(query):
        if action in _PINS and comment.parent_id is not None:
            continue
        _act(comment, action, now)
        changed += 1
    db.session.commit()
    return changed


def _check_action(action: str, comment: Comment | None = None) -> None:
    if action not in ACTIONS:
        raise ValidationFailed(
            {"action": [f"Choose one of: {', '.join(ACTIONS)}."]},
            message=f"Unknown moderation action: {action!r}.",
        )
    if action in _PINS and comment and comment.parent_id is not None:
        message = "Only the first comment of a thread can be pinned."
        raise ValidationFailed({"action": [message]}, message=message)


def _act(comment: Comment, action: str, now: datetime) -> None:
    if action in _PINS:
        comment.pinned = action == Action.PIN
        return
    before = comment.status
    comment.status = _STATUS_AFTER[action]
    comment.deleted_at = now if action == Action.DELETE else None
    if comment.status != before:
        events.changed(comment, before)


# What blocking a person sends to spam: all they wrote that is not there yet.
_BLOCKABLE = (CommentStatus.PUBLISHED, CommentStatus.PENDING, CommentStatus.HIDDEN)


def blocked_with(comment: Comment) -> list[int]:
    """Return the ids of the comments that blocking the writer of `comment` sends
    to spam: theirs (by its e-mail address) that are published, held or hidden."""
    return people.comments_of(comment, _BLOCKABLE)


def block_person(comment: Comment) -> PersonRule | None:
    """Block the listener who wrote `comment`: their new comments go straight to
    spam, and so do this one and the others they wrote with its e-mail address
    (`blocked_with`). Return the new rule (None if already blocked).

    Raises ValidationFailed for a host's comment.
    """
    _check_person(comment)
    rule = people.add(comment, PersonKind.BLOCK)
    now = clock.now()
    query = sa.select(Comment).where(Comment.id.in_(blocked_with(comment)))
    for theirs in db.session.scalars(query):
        _act(theirs, Action.SPAM, now)
    db.session.commit()
    return rule


def trust_person(comment: Comment) -> PersonRule | None:
    """Trust the listener who wrote `comment`: their new comments skip holding
    and the spam filter, and this one is published if it was held or in spam.
    Return the new rule (None if already trusted).

    Raises ValidationFailed for a host's comment.
    """
    _check_person(comment)
    rule = people.add(comment, PersonKind.TRUST)
    if comment.status in (CommentStatus.PENDING, CommentStatus.SPAM):
        _act(comment, Action.APPROVE, clock.now())
    db.session.commit()
    return rule


def _check_person(comment: Comment) -> None:
    if comment.is_host:
        message = "A host's comment has no listener to block or trust."
        raise ValidationFailed({"comment": [message]}, message=message)


def set_comments_closed(episode: Episode, closed: bool) -> None:
    """Close or reopen comments on `episode`."""
    episode.comments_closed = bool(closed)
    db.session.commit()


def set_mode(show: Show, mode: str) -> None:
    """Set how new listener comments are held; raise ValidationFailed if unknown."""
    if mode not in tuple(ModerationMode):
        raise ValidationFailed({"mode": ["Choose one of the moderation modes."]})
    show.moderation_mode = mode
    db.session.commit()


def block_rules() -> Sequence[BlockRule]:
    """Return the block rules, e-mail addresses first, each kind alphabetically."""
    query = sa.select(BlockRule).order_by(BlockRule.kind, BlockRule.value)
    return db.session.scalars(query).all()


def add_block_rules(kind: str, text: str | None) -> list[BlockRule]:
    """Block each address or word in `text` (one per line or comma); return new ones.

    Values are stored lower-case; ones already blocked are skipped. Raises
    ValidationFailed for an unknown kind, nothing to block or a bad address.
    """
    values: list[str] = []
    for value in re.split(r"[\n,]", text or ""):
        value = " ".join(value.split()).lower()
        if value and value not in values:
            values.append(value)
    if kind not in tuple(BlockKind):
        raise ValidationFailed({"kind": ["Choose e-mail address or word."]})
    if not values:
        raise ValidationFailed({"values": ["Give at least one value to block."]})
    too_long = [v for v in values if len(v) > BlockRule.value.type.length]
    if too_long:
        raise ValidationFailed({"values": [f"Too long: {too_long[0][:40]}…"]})
    if kind == BlockKind.EMAIL:
        bad = [v for v in values if "@" not in v or " " in v]
        if bad:
            raise ValidationFailed(
                {"values": [f"Not an e-mail address or @domain: {', '.join(bad)}."]}
            )
    known = set(
        db.session.scalars(
            sa.select(BlockRule.value).where(
                BlockRule.kind == kind, BlockRule.value.in_(values)
            )
        )
    )
    # A value another request is blocking at this moment is skipped, not a 500.
    rows = [{"kind": kind, "value": v} for v in values if v not in known]
    insert = insert_skipping_taken(BlockRule).returning(BlockRule)
    added = list(db.session.scalars(insert, rows)) if rows else []
    db.session.commit()
    return added


def remove_block_rule(rule_id: int) -> None:
    """Remove the block rule with this id, if it exists."""
    db.session.execute(sa.delete(BlockRule).where(BlockRule.id == rule_id))
    db.session.commit()


def purge_deleted(days: int = PURGE_AFTER_DAYS) -> int:
    """Remove comments soft-deleted more than `days` ago; return how many.

    Their replies go with them (the database cascades the delete).
    """
    if days < 0:
        raise ValidationFailed({"days": ["Give zero or more days."]})
    cutoff = clock.now() - timedelta(days=days)
    query = sa.delete(Comment).where(
        Comment.status == CommentStatus.DELETED,
        Comment.deleted_at.is_not(None),
        Comment.deleted_at <= cutoff,
    )
    removed = cast(sa.CursorResult, db.session.execute(query)).rowcount
    db.session.commit()
    return removed
