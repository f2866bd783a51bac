"""The account tab: the host's password, and who else hosts the show."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..auth import hosts
from ..auth.guards import start_session
from ..catalog import episodes
from ..conversation import inbox
from ..errors import ValidationFailed
from ..web import links
from ..web.forms import InboxFeedForm, PasswordForm, form_errors, validated
from .blueprint import bp

# The new secret of the inbox feed, shown once on the page after the change: the
# database keeps only its hash.
_NEW_FEED = "new_inbox_feed"


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = PasswordForm()
    status = 200
    if request.method == "POST":
        host = current_user._get_current_object()
        try:
            validated(form)
            hosts.change_password(
                host, form.current_password.data, form.new_password.data
            )
        except ValidationFailed as failure:
            form_errors(form, failure.fields, fallback="new_password")
            status = 400
        else:
            # Every other session of this host ended with the change; keep this one.
            start_session(host)
            flash(
                "Your password is changed; you are logged out everywhere else.",
                "success",
            )
            return redirect(url_for("dashboard.account"), code=303)
    return (
        render_template(
            "dashboard/account.html",
            show=episodes.get_show(),
            form=form,
            hosts=hosts.all_hosts(),
            min_length=hosts.MIN_PASSWORD_LENGTH,
            hint=hosts.PASSWORD_HINT,
            new_feed_url=_new_feed_url(),
        ),
        status,
    )


def _new_feed_url():
    secret = session.pop(_NEW_FEED, None)
    if not secret:
        return None
    return links.absolute("private_feeds.inbox_xml", token=secret)


@bp.post("/account/inbox-feed")
def inbox_feed():
    form = InboxFeedForm()
    host = current_user._get_current_object()
    if not form.validate():
        flash("Choose what to do with the inbox feed.", "error")
    elif form.action.data == "renew":
        session[_NEW_FEED] = inbox.renew_feed_secret(host)
        flash(
            "Your inbox feed has a new address, shown below once: copy it into "
            "your feed reader. Any earlier address no longer works.",
            "success",
        )
    else:
        session.pop(_NEW_FEED, None)
        inbox.stop_feed(host)
        flash("Your inbox feed is off: its address no longer works.", "success")
    return redirect(url_for("dashboard.account", _anchor="inbox-feed"), code=303)
