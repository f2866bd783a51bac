"""The inbox tab: the conversation's comments by view, replies, moderation and
bulk actions. The page's script sends the same forms as JSON and stays."""

import secrets
from dataclasses import dataclass

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ..catalog import episodes
from ..conversation import comments, inbox, moderation, people, undo
from ..errors import NotFound, ValidationFailed, wants_json
from ..mail import deliver, outbox
from ..web.filters import plural_filter as plural
from ..web.forms import (
    BULK_ACTIONS,
    BulkForm,
    InboxReplyForm,
    ModerationForm,
    NextForm,
    UndoForm,
    form_errors,
    validated,
)
from ..web.links import player_url
from ..web.safety import arg_int
from .blueprint import TOAST_KEY, back, bp, respond


def mail_notice():
    """Return what the inbox says of mail that is stuck, or None."""
    summary = outbox.summary()
    problem = deliver.problem_with(current_app.config)
    if problem and summary.waiting:
        return f"{plural(summary.waiting, 'mail waits', 'mails wait')}: {problem}"
    if summary.failed_total:
        refused = plural(summary.failed_total, "mail was", "mails were")
        return f"{refused} refused by the mail server."
    if summary.overdue_since:
        return (
            f"{plural(summary.waiting, 'mail waits', 'mails wait')} to be sent: "
            "the mail deliverer (flask hub deliver) does not seem to be running."
        )
    if summary.retry_error:
        return (
            f"{plural(summary.waiting, 'mail waits', 'mails wait')}: "
            f"{summary.retry_error} It is tried again shortly."
        )
    return None


_DONE = {
    "no-reply-needed": "marked as needing no reply",
    "approve": "approved",
    "hide": "hidden",
    "spam": "marked as spam",
    "delete": "deleted (restorable for 30 days)",
    "restore": "restored",
    "pin": "pinned",
    "unpin": "unpinned",
}
# What the host may still take back: the last few actions, kept in the session.
UNDO_SESSION_KEY = "inbox_undo"
KEEP_UNDO = 3
# The bulk buttons of each tab, in order.
BULK_BUTTONS = {
    "needs-reply": ("no-reply-needed", "hide", "spam", "delete"),
    "moderation": ("approve", "hide", "spam", "delete"),
    "spam": ("approve", "delete"),
    "all": ("approve", "hide", "spam", "delete"),
}
# The listener's moment, heard from the card: this long from the comment's time.
CLIP_S = 15


@dataclass(frozen=True)
class Clip:
    """The stretch of an episode's audio a card plays: from `start_s` to `end_s`."""

    url: str
    start_s: int
    end_s: int


def clips(rows):
    """Return {comment id: Clip} for the rows whose comment has a moment in the
    audio of a published episode; a general comment has no clip."""
    found = {}
    for row in rows:
        start, episode = row.comment.timestamp_s, row.episode
        if start is None or not episodes.is_published(episode):
            continue
        end = start + CLIP_S
        if episode.duration_s:
            if start >= episode.duration_s:
                continue
            end = min(end, episode.duration_s)
        found[row.comment.id] = Clip(player_url(episode), start, end)
    return found


@bp.get("", strict_slashes=False)
def index():
    tab = request.args.get("tab", inbox.DEFAULT_TAB)
    if tab not in inbox.TABS:
        abort(404, description="There is no such inbox tab.")
    episode_id = arg_int("episode")
    number = arg_int("page", 1)
    new_since = inbox.looked(current_user._get_current_object())
    g.inbox_unread = 0
    return _render_inbox(tab, episode_id, number, new_since=new_since)


def _render_inbox(tab, episode_id, number, failed=None, status=200, new_since=None):
    page = inbox.page(tab, episode_id=episode_id, number=number)
    here = url_for(
        "dashboard.index",
        tab=tab if tab != inbox.DEFAULT_TAB else None,
        episode=episode_id,
        page=page.number if page.number > 1 else None,
    )
    bulk = BulkForm(formdata=None, next=here)
    return (
        render_template(
            "dashboard/index.html",
            show=episodes.get_show(),
            tab=tab,
            tabs=inbox.TABS,
            counts=inbox.counts(episode_id),
            episode_id=episode_id,
            episode_choices=inbox.episode_choices(),
            page=page,
            here=here,
            reply_form=InboxReplyForm(formdata=None, next=here),
            failed=failed or {},
            bulk_form=bulk,
            bulk_actions=BULK_ACTIONS,
            bulk_buttons=BULK_BUTTONS[tab],
            select_all=request.args.get("select") == "all",
            mail_notice=mail_notice(),
            new_since=new_since,
            decided=people.decided([row.comment for row in page.rows]),
            clips=clips(page.rows),
        ),
        status,
    )


@bp.post("/comments/<int:comment_id>/reply")
def reply(comment_id):
    comment = comments.get_comment(comment_id)
    form = InboxReplyForm()
    try:
        answer = comments.post_comment(
            comment.episode,
            body=validated(form).body.data,
            parent_id=comment.id,
            host=current_user,
        )
    except (ValidationFailed, NotFound) as failure:
        if wants_json():
            # As in the JSON API: 400, or 404 for a parent closed to replies.
            raise
        # The inbox comes back at its first tab, which may not show this comment:
        # the reason goes at the top too.
        flash(
            f"Your reply to {comment.author} was not posted: {failure.message}",
            "error",
        )
        form_errors(form, failure.fields, fallback="body")
        return _render_inbox(
            inbox.DEFAULT_TAB, None, 1, failed={comment.id: form}, status=400
        )
    message = f"Your reply to {comment.author} is on “{comment.episode.title}”."
    return respond(form, message, id=answer.id, parent_id=comment.id)


@bp.post("/comments/<int:comment_id>/moderate")
def moderate(comment_id):
    comment = comments.get_comment(comment_id)
    form = ModerationForm()
    if not form.validate():
        flash("Choose a moderation action.", "error")
        return back(form)
    before = undo.snapshot([comment.id])
    try:
        moderation.apply(comment, form.action.data)
    except ValidationFailed as failure:
        flash(failure.message, "error")
        return back(form)
    message = f"{comment.author}’s comment {_DONE[form.action.data]}."
    return done(form, message, undo.record(before), status=comment.status)


@bp.post("/comments/<int:comment_id>/no-reply-needed")
def no_reply_needed(comment_id):
    comment = comments.get_comment(comment_id)
    form = NextForm()
    if not form.validate():
        return back(form)
    before = undo.snapshot([comment.id])
    inbox.mark_reply_not_needed([comment.id])
    message = f"{comment.author}’s comment needs no reply."
    return done(form, message, undo.record(before))


@bp.post("/comments/bulk")
def bulk():
    form = BulkForm()
    if not form.validate():
        flash(" ".join(m for ms in form.errors.values() for m in ms), "error")
        return back(form)
    before = undo.snapshot(form.ids.data)
    if form.action.data == "no-reply-needed":
        changed = inbox.mark_reply_not_needed(form.ids.data)
    else:
        changed = moderation.apply_many(form.ids.data, form.action.data)
    return done(
        form, _done(form.action.data, changed), undo.record(before), ids=form.ids.data
    )


@bp.post("/comments/<int:comment_id>/block")
def block_person(comment_id):
    """Block the listener who wrote this comment; it goes to spam."""
    return _decide(comment_id, moderation.block_person, "blocked")


@bp.post("/comments/<int:comment_id>/trust")
def trust_person(comment_id):
    """Trust the listener who wrote this comment; a held one is published."""
    return _decide(comment_id, moderation.trust_person, "trusted")


def _decide(comment_id, act, word):
    comment = comments.get_comment(comment_id)
    form = NextForm()
    if not form.validate():
        return back(form)
    touched = [comment.id]
    if word == "blocked" and not comment.is_host:
        touched = [*touched, *moderation.blocked_with(comment)]
    before = undo.snapshot(touched)
    try:
        rule = act(comment)
    except ValidationFailed as failure:
        if wants_json():
            raise
        flash(failure.message, "error")
        return back(form)
    record = undo.record(before, [rule])
    changed = [row[0] for row in record["comments"]]
    if rule is None:
        message = f"{comment.author} was already {word}."
    elif word == "trusted":
        message = f"{comment.author} is trusted: their new comments appear at once."
    elif len(changed) > 1:
        message = (
            f"{comment.author} is blocked: {plural(len(changed), 'comment')} "
            "went to spam, and their new ones will too."
        )
    else:
        message = f"{comment.author} is blocked: their new comments go to spam."
    return done(form, message, record, status=comment.status, ids=changed)


@bp.post("/comments/<int:comment_id>/unblock")
def unblock_person(comment_id):
    """Unblock the listener who wrote this comment."""
    return _forget(comment_id, "block", "{} is no longer blocked.")


@bp.post("/comments/<int:comment_id>/untrust")
def untrust_person(comment_id):
    """Stop trusting the listener who wrote this comment."""
    return _forget(
        comment_id, "trust", "{} is no longer trusted: the filter applies again."
    )


def _forget(comment_id, kind, message):
    comment = comments.get_comment(comment_id)
    form = NextForm()
    if not form.validate():
        return back(form)
    people.forget_for(comment, kind)
    return respond(form, message.format(comment.author))


@bp.post("/undo")
def undo_action():
    """Take back one of the host's last inbox actions."""
    form = UndoForm()
    if not form.validate():
        flash("There is nothing to undo.", "error")
        return back(form)
    kept = session.get(UNDO_SESSION_KEY, [])
    found = next((item for item in kept if item.get("key") == form.key.data), None)
    if found is None:
        message = "That can no longer be undone."
        if wants_json():
            return jsonify({"error": message, "fields": {}}), 409
        flash(message, "error")
        return back(form)
    session[UNDO_SESSION_KEY] = [item for item in kept if item is not found]
    undo.undo(found["record"])
    return respond(form, f"Undone: {found['message']}")


def done(form, message, record, **data):
    """Tell the host that `message` is done, with an Undo for `record`: JSON to the
    page's script, else a toast on the form's `next` page."""
    key = _keep_undo(message, record)
    if wants_json():
        return jsonify(
            {
                "message": message,
                "undo": {"key": key, "url": url_for("dashboard.undo_action")}
                if key
                else None,
                **data,
            }
        )
    session[TOAST_KEY] = {"message": message, "key": key}
    return back(form)


def _keep_undo(message, record):
    """Remember `record` for Undo; return its key, or None when nothing changed."""
    if undo.is_empty(record):
        return None
    key = secrets.token_urlsafe(8)
    kept = session.get(UNDO_SESSION_KEY, [])[-(KEEP_UNDO - 1) :]
    session[UNDO_SESSION_KEY] = [
        *kept,
        {"key": key, "message": message, "record": record},
    ]
    return key


def _done(action, count):
    return f"{plural(count, 'comment')} {_DONE[action]}."
