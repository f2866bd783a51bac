"""The inbox tab: the conversation's comments by view, replies, moderation and
bulk actions. The page's script sends the same forms as JSON and stays."""

from flask import abort, current_app, flash, g, render_template, request, url_for
from flask_login import current_user

from ..catalog import episodes
from ..conversation import comments, inbox, moderation
from ..errors import NotFound, ValidationFailed, wants_json
from ..mail import deliver, outbox
from ..web.filters import plural_filter as plural
from ..web.forms import (
    BULK_ACTIONS,
    BulkForm,
    InboxReplyForm,
    ModerationForm,
    NextForm,
    form_errors,
    validated,
)
from ..web.safety import arg_int
from .blueprint import back, bp, respond


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
            mail_notice=mail_notice(),
            new_since=new_since,
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
    try:
        moderation.apply(comment, form.action.data)
    except ValidationFailed as failure:
        flash(failure.message, "error")
        return back(form)
    return respond(form, _done(form.action.data, 1))


@bp.post("/comments/<int:comment_id>/no-reply-needed")
def no_reply_needed(comment_id):
    comment = comments.get_comment(comment_id)
    form = NextForm()
    if not form.validate():
        return back(form)
    inbox.mark_reply_not_needed([comment.id])
    return respond(form, f"{comment.author}’s comment needs no reply.")


@bp.post("/comments/bulk")
def bulk():
    form = BulkForm()
    if not form.validate():
        flash(" ".join(m for ms in form.errors.values() for m in ms), "error")
        return back(form)
    if form.action.data == "no-reply-needed":
        changed = inbox.mark_reply_not_needed(form.ids.data)
    else:
        changed = moderation.apply_many(form.ids.data, form.action.data)
    return respond(form, _done(form.action.data, changed))


def _done(action, count):
    return f"{plural(count, 'comment')} {_DONE[action]}."
