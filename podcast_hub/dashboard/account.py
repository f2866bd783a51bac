"""The account tab: the host's password, and who else hosts the show."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import hosts
from ..auth.guards import start_session
from ..catalog import episodes
from ..errors import ValidationFailed
from ..web.forms import PasswordForm, form_errors, validated
from .blueprint import bp


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
        ),
        status,
    )
