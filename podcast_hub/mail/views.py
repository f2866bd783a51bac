"""The pages that links in mail open: confirming an address, unsubscribing,
joining the team.

Following a link changes nothing (mail scanners open links): each page has a
button that POSTs. The unsubscribe URL also takes the one-click POST of
RFC 8058 (`List-Unsubscribe=One-Click`) that mail providers send without a
CSRF token: its signed token is what allows it, so that route is exempt.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..auth import hosts, roles
from ..auth.guards import start_session
from ..catalog import episodes
from ..conversation import comments
from ..errors import NotAllowed, NotFound, ValidationFailed
from ..extensions import csrf
from ..web.forms import JoinForm, form_errors, validated
from . import addresses, invitations, tokens

bp = Blueprint("mail", __name__, url_prefix="/mail")

SCOPES = ("thread", "show", "resubscribe")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    link = addresses.read_link(tokens.CONFIRM, token)
    done = False
    if request.method == "POST":
        addresses.confirm(link.address)
        done = True
    return render_template(
        "mail/confirm.html",
        show=episodes.get_show(),
        address=link.address,
        done=done,
        token=token,
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    link = addresses.read_link(tokens.UNSUBSCRIBE, token)
    done = None
    if request.method == "POST":
        # The one-click POST names no scope: it stops everything.
        scope = request.form.get("scope", "show")
        if scope not in SCOPES or (scope == "thread" and link.thread is None):
            scope = "show"
        if scope == "resubscribe":
            addresses.resubscribe(link.address)
        else:
            addresses.unsubscribe(
                link.address, link.thread if scope == "thread" else None
            )
        done = scope
    thread = link.thread
    return render_template(
        "mail/unsubscribe.html",
        show=episodes.get_show(),
        address=link.address,
        thread=thread,
        episode=comments.episode_of(thread) if thread else None,
        done=done,
        token=token,
    )


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token):
    """The invitation's link: a form for a name and password (or, for someone
    who already hosts, a button), then the dashboard, logged in."""
    show = episodes.get_show()
    try:
        invitation = invitations.read(token)
    except (NotFound, NotAllowed) as problem:
        return render_template("mail/join.html", show=show, problem=problem.message), (
            404 if isinstance(problem, NotFound) else 410
        )
    existing = invitations.existing_host(invitation)
    form = JoinForm()
    if existing is not None:
        del form.name, form.password, form.confirm
    status = 200
    if form.is_submitted():
        try:
            validated(form)
            host = invitations.accept(
                invitation,
                display_name=form.name.data if existing is None else None,
                password=form.password.data if existing is None else None,
            )
        except ValidationFailed as failure:
            form_errors(form, failure.fields, fallback=None if existing else "password")
            status = 400
        except NotAllowed as refused:
            form.form_errors = [*form.form_errors, refused.message]
            status = 403
        else:
            start_session(host)
            flash(
                f"Welcome to the team of {show.title if show else 'the show'}: "
                f"you are {roles.label(host.role)}.",
                "success",
            )
            return redirect(url_for("dashboard.index"), code=303)
    return render_template(
        "mail/join.html",
        show=show,
        form=form,
        invitation=invitation,
        existing=existing,
        role=roles.label(invitation.role),
        role_description=roles.DESCRIPTIONS[invitation.role],
        min_length=hosts.MIN_PASSWORD_LENGTH,
        hint=hosts.PASSWORD_HINT,
    ), status
