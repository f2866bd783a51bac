"""The moderation tab: how new listener comments are held, the blocked
addresses and words, and the people blocked or trusted from the inbox."""

from flask import flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from ..conversation import moderation, people
from ..errors import ValidationFailed
from ..models import ModerationMode
from ..web.filters import plural_filter as plural
from ..web.forms import BlockForm, ModerationModeForm, NextForm, form_errors, validated
from .blueprint import bp, load_show


def _mode_form(**kwargs):
    form = ModerationModeForm(**kwargs)
    form.mode.choices = [
        SelectChoice(mode, moderation.MODE_LABELS[mode]) for mode in ModerationMode
    ]
    return form


def _render_moderation(show, mode_form=None, block_form=None, status=200):
    return (
        render_template(
            "dashboard/moderation.html",
            show=show,
            mode_form=mode_form or _mode_form(formdata=None, mode=show.moderation_mode),
            block_form=block_form or BlockForm(formdata=None),
            rules=moderation.block_rules(),
            people=people.rules(),
        ),
        status,
    )


@bp.route("/moderation", methods=["GET", "POST"])
def moderation_settings():
    show = load_show()
    if request.method == "GET":
        return _render_moderation(show)
    form = _mode_form()
    try:
        moderation.set_mode(show, validated(form).mode.data)
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="mode")
        return _render_moderation(show, mode_form=form, status=400)
    flash(f"Moderation: {moderation.MODE_LABELS[show.moderation_mode]}.", "success")
    return redirect(url_for("dashboard.moderation_settings"), code=303)


@bp.post("/moderation/blocks")
def add_blocks():
    show = load_show()
    form = BlockForm()
    try:
        validated(form)
        added = moderation.add_block_rules(form.kind.data, form.values.data)
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="values")
        return _render_moderation(show, block_form=form, status=400)
    flash(f"{plural(len(added), 'block rule')} added.", "success")
    return redirect(url_for("dashboard.moderation_settings"), code=303)


@bp.post("/moderation/blocks/<int:rule_id>/delete")
def remove_block(rule_id):
    form = NextForm()
    if form.validate():
        moderation.remove_block_rule(rule_id)
        flash("Block rule removed.", "success")
    return redirect(url_for("dashboard.moderation_settings"), code=303)


@bp.post("/moderation/people/<int:rule_id>/delete")
def forget_rule(rule_id):
    """Unblock, or stop trusting, a person blocked or trusted from the inbox."""
    form = NextForm()
    rule = people.get(rule_id)
    if form.validate() and rule is not None:
        name, kind = rule.person, rule.kind
        people.forget(rule)
        if kind == "block":
            flash(f"{name} is no longer blocked.", "success")
        else:
            flash(f"{name} is no longer trusted.", "success")
    return redirect(url_for("dashboard.moderation_settings"), code=303)
