"""Host login and logout.

Failed logins are counted per address and per account (the e-mail address
given) in the rate limiter's shared storage; once either is over its limit,
the login is refused before any password is hashed.
"""

import hashlib
import math
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from ..catalog import episodes
from ..extensions import limiter
from ..web.filters import plural_filter as plural
from ..web.forms import LoginForm
from . import hosts
from .guards import safe_next, start_session

bp = Blueprint("auth", __name__)


def login_rate_limit():
    """Return how many failed logins one address may make."""
    return current_app.config["RATELIMIT_LOGIN"]


def login_account_rate_limit():
    """Return how many failed logins one account may have, from anywhere."""
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def login_account_key():
    """Return the rate-limit key of the account this login names.

    The address goes through the same form and normalisation as the login
    itself, so no spelling of it escapes the count; it is hashed so the
    limiter's storage holds no e-mail addresses.
    """
    email = hosts.normal_email(LoginForm().email.data)
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


def login_failed(response):
    """Tell whether this login response refused the credentials."""
    return response.status_code == 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    login_rate_limit, methods=["POST"], deduct_when=login_failed, scope="login"
)
@limiter.limit(
    login_account_rate_limit,
    key_func=login_account_key,
    methods=["POST"],
    deduct_when=login_failed,
    scope="login-account",
)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        host = hosts.authenticate(form.email.data, form.password.data)
        if host is not None:
            start_session(host)
            return redirect(safe_next(form.next.data), code=303)
        form.password.errors.append("That e-mail address and password do not match.")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "auth/login.html", show=episodes.get_show(), form=form
    ), status


@bp.errorhandler(429)
def too_many_logins(error):
    """Show the login page again, saying how long to wait."""
    breached = limiter.current_limit
    wait_s = max(1, math.ceil(breached.reset_at - time.time())) if breached else 60
    if wait_s < 60:
        wait = plural(wait_s, "second")
    else:
        wait = plural(math.ceil(wait_s / 60), "minute")
    form = LoginForm()
    return (
        render_template(
            "auth/login.html",
            show=episodes.get_show(),
            form=form,
            throttled=(
                "Too many failed logins. "
                f"Wait {wait}, then try again with the right password."
            ),
        ),
        429,
        {"Retry-After": str(wait_s)},
    )


@bp.post("/logout")
@login_required
def logout():
    hosts.end_sessions(current_user._get_current_object())
    session.clear()
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("public.index"), code=303)
