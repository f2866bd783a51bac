"""Host login and logout, and the guard on host-only API routes."""

import functools
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from . import episodes, hosts
from .errors import json_error
from .forms import LoginForm

bp = Blueprint("auth", __name__)


def safe_next(target):
    """Return `target` if it is a path on this site, else the dashboard."""
    fallback = url_for("dashboard.index")
    if not target or not isinstance(target, str):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return fallback
    return target


def host_required(view):
    """Answer 401 JSON to anyone but a logged-in host; mark `view` as host-only."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return json_error(401, "Log in as a host to do this.")
        return view(*args, **kwargs)

    guarded.host_only = True
    return guarded


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        host = hosts.authenticate(form.email.data, form.password.data)
        if host is not None:
            login_user(host)
            return redirect(safe_next(form.next.data), code=303)
        form.password.errors.append("That e-mail address and password do not match.")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "auth/login.html", show=episodes.get_show(), form=form
    ), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("public.index"), code=303)
