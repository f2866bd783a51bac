"""The pages that links in mail open: confirming an address, unsubscribing.

Following a link changes nothing (mail scanners open links): each page has a
button that POSTs. The unsubscribe URL also takes the one-click POST of
RFC 8058 (`List-Unsubscribe=One-Click`) that mail providers send without a
CSRF token: its signed token is what allows it, so that route is exempt.
"""

from flask import Blueprint, render_template, request

from ..catalog import episodes
from ..conversation import comments
from ..extensions import csrf
from . import addresses, tokens

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
