"""The show tab: the feed's settings, the cover art and the show's people."""

from flask import flash, redirect, render_template, request, url_for

from ..catalog import publishing
from ..errors import ValidationFailed
from ..text import categories
from ..web.forms import (
    CoverForm,
    NextForm,
    PersonForm,
    ShowForm,
    form_errors,
    validated,
)
from .blueprint import (
    back,
    bp,
    credit_person,
    load_show,
    media_dir,
    respond,
    takes_upload,
    upload,
    upload_limits,
)


def _render_show(show, form=None, cover_form=None, person_form=None, status=200):
    return (
        render_template(
            "dashboard/show.html",
            show=show,
            form=form or ShowForm(formdata=None, obj=show),
            cover_form=cover_form or CoverForm(formdata=None),
            apple_categories=categories.NAMES,
            nearest_category=categories.nearest,
            person_form=person_form or PersonForm(formdata=None),
            **upload_limits(),
        ),
        status,
    )


@bp.route("/show", methods=["GET", "POST"])
def show_settings():
    show = load_show()
    if request.method == "GET":
        return _render_show(show)
    form = ShowForm()
    old_guid = show.podcast_guid
    try:
        publishing.update_show(show, validated(form).data)
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="title")
        return _render_show(show, form=form, status=400)
    flash("The show's settings are saved.", "success")
    if old_guid and show.podcast_guid != old_guid:
        flash(
            f"The show's guid changed from {old_guid} to {show.podcast_guid}: "
            "podcast apps and the Podcast Index now take it for a different show.",
            "error",
        )
    return redirect(url_for("dashboard.show_settings"), code=303)


def _cover_too_large(message):
    form = CoverForm(formdata=None)
    form.cover.errors = [message]
    return _render_show(load_show(), cover_form=form, status=413)


@bp.post("/show/cover")
@takes_upload(_cover_too_large)
def upload_cover():
    show = load_show()
    form = CoverForm()
    try:
        validated(form)
        warnings = publishing.set_cover(show, upload(form.cover.data), media_dir())
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="cover")
        return _render_show(show, cover_form=form, status=failure.status)
    flash("The new cover art is in the feed.", "success")
    for warning in warnings:
        flash(f"Apple may refuse this cover: {warning}", "error")
    return redirect(url_for("dashboard.show_settings"), code=303)


@bp.post("/show/people")
def add_show_person():
    show = load_show()
    person, form = credit_person(show)
    if person is None:
        return _render_show(show, person_form=form, status=400)
    flash(f"{person.name} ({person.role}) is credited on the show.", "success")
    return redirect(url_for("dashboard.show_settings", _anchor="people"), code=303)


@bp.post("/show/people/<int:person_id>/delete")
def remove_show_person(person_id):
    show = load_show()
    form = NextForm()
    if not form.validate():
        return back(form, default="dashboard.show_settings")
    publishing.remove_person(show, person_id)
    return respond(form, "Removed from the show's people.", "dashboard.show_settings")
