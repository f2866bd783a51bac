"""Listeners the host blocked or trusted from one of their comments.

Listeners have no accounts: a decision is known by the e-mail address of the
comment it was made on (stored, never shown) or by the browser that posted that
comment (its ownership token, `own_ids`). The host sees the name and the comment.
A blocked listener's new comments go straight to spam; a trusted one's skip
holding and the spam filter. Block wins over trust.
"""

import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db, insert_skipping_taken
from ..models import Comment, PersonKind, PersonRule, claim_pairs, claimed

BLOCKED_REASON = "you blocked this person"


def _address(email: str | None) -> str | None:
    address = (email or "").strip().lower()
    return address or None


def find(*, email: str | None, own_ids: Mapping[int, datetime]) -> str | None:
    """Return what the host decided about this listener: "block", "trust" or None.

    `email`: the new comment's address; `own_ids`: the comments this browser
    posted, {id: created_at}.
    """
    params: dict[str, object] = {}
    address = _address(email)
    if address:
        params["email"] = address
    if own_ids:
        params["claims"] = claim_pairs(own_ids)
    if not params:
        return None
    query = _find_query("email" in params, "claims" in params)
    kinds = set(db.session.connection().scalars(query, params))
    if PersonKind.BLOCK in kinds:
        return PersonKind.BLOCK
    return PersonKind.TRUST if PersonKind.TRUST in kinds else None


@functools.cache
def _find_query(by_email: bool, by_claims: bool) -> sa.Select[Any]:
    """Return `find`'s query for these proofs (`email`, `claims`), built once
    each: it runs for every post."""
    rules: sa.Table = PersonRule.__table__  # type: ignore[assignment]
    comments: sa.Table = Comment.__table__  # type: ignore[assignment]
    proofs = []
    if by_email:
        proofs.append(rules.c.email == sa.bindparam("email"))
    if by_claims:
        mine = sa.select(comments.c.id).where(claimed(comments))
        proofs.append(rules.c.comment_id.in_(mine))
    return sa.select(rules.c.kind).where(sa.or_(*proofs))


def add(comment: Comment, kind: str) -> PersonRule | None:
    """Block or trust the listener who wrote `comment`; return the new rule, or
    None when one of that kind already covers them. Does not commit."""
    if kind not in tuple(PersonKind):
        raise ValueError(f"unknown person rule {kind!r}")
    if kind in decided([comment]).get(comment.id, {}):
        return None
    # Pressed twice at once (two tabs): the second insert skips the first's rule.
    row = {
        "kind": kind,
        "person": comment.author,
        "email": _address(comment.email),
        "comment_id": comment.id,
    }
    insert = insert_skipping_taken(PersonRule).returning(PersonRule)
    return db.session.scalars(insert, [row]).one_or_none()


def comments_of(comment: Comment, statuses: Collection[str]) -> list[int]:
    """Return the ids of the comments the writer of `comment` wrote that are in
    one of `statuses`: those with its e-mail address, and `comment` itself."""
    proofs = [Comment.id == comment.id]
    address = _address(comment.email)
    if address:
        proofs.append(sa.func.lower(Comment.email) == address)
    query = sa.select(Comment.id).where(
        sa.or_(*proofs), Comment.is_host.is_(False), Comment.status.in_(statuses)
    )
    return list(db.session.scalars(query.order_by(Comment.id)))


def decided(comments: Iterable[Comment]) -> dict[int, dict[str, PersonRule]]:
    """Return {comment id: {kind: the first rule}} for the rules that cover these
    comments' writers (by the comment itself or its address); one query."""
    return {
        comment_id: {rule.kind: rule for rule in reversed(found)}
        for comment_id, found in decided_all(comments).items()
    }


def decided_all(comments: Iterable[Comment]) -> dict[int, list[PersonRule]]:
    """Return {comment id: [rules]}, oldest first, for the rules that cover these
    comments' writers (by the comment itself or its address); one query."""
    comments = [c for c in comments if not c.is_host]
    if not comments:
        return {}
    ids = {c.id for c in comments}
    addresses = {a for a in (_address(c.email) for c in comments) if a}
    where: sa.ColumnElement[bool] = PersonRule.comment_id.in_(ids)
    if addresses:
        where = sa.or_(where, PersonRule.email.in_(addresses))
    rules = db.session.scalars(
        sa.select(PersonRule).where(where).order_by(PersonRule.id)
    ).all()
    found: dict[int, list[PersonRule]] = {}
    for comment in comments:
        address = _address(comment.email)
        for rule in rules:
            if rule.comment_id == comment.id or (address and rule.email == address):
                found.setdefault(comment.id, []).append(rule)
    return found


def rules() -> Sequence[PersonRule]:
    """Return every block and trust decision: blocked first, then by name."""
    query = sa.select(PersonRule).order_by(
        PersonRule.kind, sa.func.lower(PersonRule.person), PersonRule.id
    )
    return db.session.scalars(query).all()


def get(rule_id: int) -> PersonRule | None:
    """Return the decision with this id, or None."""
    return db.session.get(PersonRule, rule_id)


def forget(rule: PersonRule) -> None:
    """Take a block or trust decision back."""
    db.session.delete(rule)
    db.session.commit()


def forget_for(comment: Comment, kind: str) -> int:
    """Take back every decision of `kind` that covers the writer of `comment`;
    return how many."""
    found = [
        rule for rule in decided_all([comment]).get(comment.id, []) if rule.kind == kind
    ]
    for rule in found:
        db.session.delete(rule)
    db.session.commit()
    return len(found)
