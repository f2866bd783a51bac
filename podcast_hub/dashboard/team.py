"""The team tab (owners only, `auth.roles`): who hosts the show in which role,
invitations by mail, changing a role, removing a host."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from ..auth import roles, team
from ..catalog import episodes
from ..errors import NotAllowed, ValidationFailed
from ..mail import invitations
from ..web.forms import InviteForm, NextForm, RoleForm, form_errors, validated
from .blueprint import bp


def _load_member(host_id):
    host = team.get_member(host_id)
    if host is None:
        abort(404, description="There is no such host on the team.")
    return host


def _load_invitation(invitation_id):
    invitation = invitations.get(invitation_id)
    if invitation is None or not invitations.is_pending(invitation):
        abort(404, description="There is no such invitation waiting.")
    return invitation


def _render(form, status=200):
    return (
        render_template(
            "dashboard/team.html",
            show=episodes.get_show(),
            form=form,
            members=team.members(),
            pending=invitations.pending(),
            is_expired=invitations.is_expired,
            role_label=roles.label,
            role_descriptions=[
                (roles.label(role), roles.DESCRIPTIONS[role]) for role in roles.LABELS
            ],
            role_form=RoleForm,
            button=NextForm(formdata=None),
        ),
        status,
    )


@bp.get("/team")
def team_page():
    return _render(InviteForm(formdata=None))


@bp.post("/team/invitations")
def invite():
    form = InviteForm()
    try:
        validated(form)
        invitation = invitations.invite(
            form.email.data, form.role.data, current_user._get_current_object()
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="email")
        return _render(form, 400)
    flash(
        f"Invitation sent to {invitation.email} as "
        f"{roles.label(invitation.role)}: the link works for 7 days.",
        "success",
    )
    return redirect(url_for("dashboard.team_page"), code=303)


@bp.post("/team/invitations/<int:invitation_id>/resend")
def resend_invitation(invitation_id):
    invitation = _load_invitation(invitation_id)
    if NextForm().validate():
        invitations.resend(invitation)
        flash(
            f"Invitation sent again to {invitation.email}; the earlier link no "
            "longer works.",
            "success",
        )
    return redirect(url_for("dashboard.team_page"), code=303)


@bp.post("/team/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id):
    invitation = _load_invitation(invitation_id)
    if NextForm().validate():
        invitations.revoke(invitation)
        flash(
            f"The invitation to {invitation.email} is withdrawn: its link no "
            "longer works.",
            "success",
        )
    return redirect(url_for("dashboard.team_page"), code=303)


@bp.post("/team/<int:host_id>/role")
def change_role(host_id):
    host = _load_member(host_id)
    form = RoleForm()
    try:
        validated(form)
        team.change_role(host, form.role.data)
    except (ValidationFailed, NotAllowed) as failure:
        flash(
            failure.message if isinstance(failure, NotAllowed) else "Choose a role.",
            "error",
        )
        return redirect(url_for("dashboard.team_page"), code=303)
    flash(f"{host.display_name} is now {roles.label(host.role)}.", "success")
    if host.id == current_user.id and not roles.allows(
        host.role, roles.Permission.TEAM
    ):
        return redirect(url_for("dashboard.index"), code=303)
    return redirect(url_for("dashboard.team_page"), code=303)


@bp.post("/team/<int:host_id>/remove")
def remove_member(host_id):
    host = _load_member(host_id)
    if not NextForm().validate():
        return redirect(url_for("dashboard.team_page"), code=303)
    if request.form.get("confirm") != "yes":
        # The button asks first, on a page of its own: no script needed.
        return render_template(
            "dashboard/team_remove.html",
            show=episodes.get_show(),
            host=host,
            role=roles.label(host.role),
        )
    name, leaving = host.display_name, host.id == current_user.id
    try:
        team.remove(host)
    except NotAllowed as refused:
        flash(refused.message, "error")
        return redirect(url_for("dashboard.team_page"), code=303)
    if leaving:
        logout_user()
        flash("You left the team of this show.", "success")
        return redirect(url_for("public.index"), code=303)
    flash(f"{name} is no longer on the team; their sessions ended.", "success")
    return redirect(url_for("dashboard.team_page"), code=303)
