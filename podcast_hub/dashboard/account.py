"""The account tab: the host's password, the mail they get about comments and
the outbox's state (owners), and who else hosts the show."""

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ..auth import hosts, roles
from ..auth.guards import start_session
from ..catalog import episodes
from ..conversation import inbox
from ..errors import ValidationFailed
from ..mail import deliver, outbox
from ..mail import hosts as mail_hosts
from ..web import links
from ..web.forms import (
    HostMailForm,
    InboxFeedForm,
    NextForm,
    PasswordForm,
    form_errors,
    validated,
)
from .blueprint import bp

# The new secret of the inbox feed, shown once on the page after the change: the
# database keeps only its hash.
_NEW_FEED = "new_inbox_feed"


def mail_form(formdata=None):
    """Return the form of the host's mail choice, filled with theirs."""
    form = HostMailForm(formdata=formdata, notify=current_user.notify)
    form.notify.choices = list(mail_hosts.CHOICES.items())
    return form


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
    return _render_account(form, mail_form(), status)


def _render_account(form, notify_form, status=200):
    return (
        render_template(
            "dashboard/account.html",
            show=episodes.get_show(),
            form=form,
            mail_form=notify_form,
            mail=outbox.summary(),
            mail_problem=deliver.problem_with(current_app.config),
            digest_hour=current_app.config["MAIL_DIGEST_HOUR"],
            retry_form=NextForm(formdata=None),
            hosts=hosts.all_hosts(),
            role_name=roles.label,
            min_length=hosts.MIN_PASSWORD_LENGTH,
            hint=hosts.PASSWORD_HINT,
            new_feed_url=_new_feed_url(),
        ),
        status,
    )


@bp.post("/account/mail")
def account_mail():
    notify_form = mail_form(request.form)
    try:
        validated(notify_form)
        mail_hosts.set_notify(
            current_user._get_current_object(), notify_form.notify.data
        )
    except ValidationFailed as failure:
        form_errors(notify_form, failure.fields, fallback="notify")
        return _render_account(PasswordForm(formdata=None), notify_form, 400)
    flash("Your choice of mail is saved.", "success")
    return redirect(url_for("dashboard.account", _anchor="mail"), code=303)


@bp.post("/mail/<int:mail_id>/retry")
def retry_mail(mail_id):
    form = NextForm()
    if form.validate() and outbox.send_again(mail_id):
        flash("The mail will be sent again at the next delivery.", "success")
    return redirect(url_for("dashboard.account", _anchor="outbox"), code=303)


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
