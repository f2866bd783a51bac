"""The host's dashboard: the inbox, moderation, episodes, insights, the show's
settings and the host's account. Every route is for logged-in hosts only."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from ..auth import hosts
from ..auth.guards import safe_next, start_session
from ..catalog import episodes, publishing
from ..conversation import comments, inbox, insights, moderation
from ..errors import NotFound, ValidationFailed, http_error, json_error
from ..models import ModerationMode
from ..text import timecode
from ..web.forms import (
    BULK_ACTIONS,
    BlockForm,
    BulkForm,
    ChapterForm,
    CoverForm,
    EpisodeForm,
    InboxReplyForm,
    ModerationForm,
    ModerationModeForm,
    NextForm,
    PasswordForm,
    ReplaceAudioForm,
    ShiftForm,
    ShowForm,
    SoundbiteForm,
    UploadEpisodeForm,
)
from ..web.safety import accepts_upload, arg_int

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
@login_required
def require_host():
    """Keep every dashboard route for logged-in hosts."""


def _errors_onto(form, fields, fallback="body"):
    """Put a domain error's field messages onto `form`'s fields."""
    for name, messages in fields.items():
        field = getattr(form, name, None) or getattr(form, fallback)
        field.errors = [*field.errors, *messages]


def _back(form, default="dashboard.index"):
    target = form.next.data if form.next.data else url_for(default)
    return redirect(safe_next(target), code=303)


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


def _media_dir():
    return Path(current_app.config["MEDIA_DIR"])


def _upload(file_storage):
    """Return what a file field received as a publishing.Upload."""
    return publishing.Upload(
        stream=getattr(file_storage, "stream", None),
        filename=getattr(file_storage, "filename", None) or "",
        max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
    )


def _too_large_message():
    limit = current_app.config["MAX_UPLOAD_MB"]
    return (
        f"That upload is larger than {limit} MB, the largest this site accepts. "
        "Nothing was stored."
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Explain an over-limit upload on the page it was sent from.

    Only to a logged-in host: the body limit is checked before the login, and
    these pages show drafts and the show's settings.
    """
    if not current_user.is_authenticated:
        return http_error(error)
    message = _too_large_message()
    episode_id = (request.view_args or {}).get("episode_id")
    if request.endpoint == "dashboard.new_episode":
        form = UploadEpisodeForm(formdata=None)
        form.audio.errors = [message]
        return _render_new_episode(form, 413)
    if request.endpoint == "dashboard.replace_audio" and episode_id:
        episode = _load_episode(episode_id)
        audio_form = ReplaceAudioForm(formdata=None)
        audio_form.audio.errors = [message]
        return _render_edit(episode, audio_form=audio_form, status=413)
    if request.endpoint == "dashboard.upload_cover":
        show = _load_show()
        cover_form = CoverForm(formdata=None)
        cover_form.cover.errors = [message]
        return _render_show(show, cover_form=cover_form, status=413)
    flash(message, "error")
    return redirect(url_for("dashboard.index"), code=303)


# The inbox


@bp.get("", strict_slashes=False)
def index():
    tab = request.args.get("tab", inbox.DEFAULT_TAB)
    if tab not in inbox.TABS:
        abort(404, description="There is no such inbox tab.")
    episode_id = arg_int("episode")
    number = arg_int("page", 1)
    return _render_inbox(tab, episode_id, number)


def _render_inbox(tab, episode_id, number, failed=None, status=200):
    page = inbox.page(tab, episode_id=episode_id, number=number)
    here = url_for(
        "dashboard.index",
        tab=tab if tab != inbox.DEFAULT_TAB else None,
        episode=episode_id,
        page=page.number if page.number > 1 else None,
    )
    bulk = BulkForm(formdata=None, next=here)
    return (
        render_template(
            "dashboard/index.html",
            show=episodes.get_show(),
            tab=tab,
            tabs=inbox.TABS,
            counts=inbox.counts(episode_id),
            episode_id=episode_id,
            episode_choices=inbox.episode_choices(),
            page=page,
            here=here,
            reply_form=InboxReplyForm(formdata=None, next=here),
            failed=failed or {},
            bulk_form=bulk,
            bulk_actions=BULK_ACTIONS,
        ),
        status,
    )


def _load_comment(comment_id):
    try:
        return comments.get_comment(comment_id)
    except NotFound as missing:
        abort(404, description=missing.message)


@bp.post("/comments/<int:comment_id>/reply")
def reply(comment_id):
    comment = _load_comment(comment_id)
    form = InboxReplyForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        answer = comments.post_comment(
            comment.episode,
            body=form.body.data,
            parent_id=comment.id,
            host=current_user,
        )
    except (ValidationFailed, NotFound) as failure:
        fields = getattr(failure, "fields", None) or {"body": [failure.message]}
        if _wants_json():
            return json_error(400, failure.message, fields)
        _errors_onto(form, fields)
        return _render_inbox(
            inbox.DEFAULT_TAB, None, 1, failed={comment.id: form}, status=400
        )
    message = f"Your reply to {comment.author} is on “{comment.episode.title}”."
    if _wants_json():
        return jsonify({"id": answer.id, "parent_id": comment.id, "message": message})
    flash(message, "success")
    return _back(form)


@bp.post("/comments/<int:comment_id>/moderate")
def moderate(comment_id):
    comment = _load_comment(comment_id)
    form = ModerationForm()
    if not form.validate():
        flash("Choose a moderation action.", "error")
        return _back(form)
    try:
        moderation.apply(comment, form.action.data)
    except ValidationFailed as failure:
        flash(failure.message, "error")
        return _back(form)
    flash(_done(form.action.data, 1), "success")
    return _back(form)


@bp.post("/comments/<int:comment_id>/no-reply-needed")
def no_reply_needed(comment_id):
    comment = _load_comment(comment_id)
    form = NextForm()
    if form.validate():
        inbox.mark_reply_not_needed([comment.id])
        flash(f"{comment.author}’s comment needs no reply.", "success")
    return _back(form)


@bp.post("/comments/bulk")
def bulk():
    form = BulkForm()
    if not form.validate():
        flash(" ".join(m for ms in form.errors.values() for m in ms), "error")
        return _back(form)
    if form.action.data == "no-reply-needed":
        changed = inbox.mark_reply_not_needed(form.ids.data)
    else:
        changed = moderation.apply_many(form.ids.data, form.action.data)
    flash(_done(form.action.data, changed), "success")
    return _back(form)


_DONE = {
    "no-reply-needed": "marked as needing no reply",
    "approve": "approved",
    "hide": "hidden",
    "spam": "marked as spam",
    "delete": "deleted (restorable for 30 days)",
    "restore": "restored",
    "pin": "pinned",
    "unpin": "unpinned",
}


def _done(action, count):
    noun = "comment" if count == 1 else "comments"
    return f"{count} {noun} {_DONE[action]}."


# Episodes


def _load_episode(episode_id):
    episode = publishing.get_episode(episode_id)
    if episode is None:
        abort(404, description="There is no such episode.")
    return episode


@bp.get("/episodes")
def episode_list():
    everything = publishing.all_episodes()
    return render_template(
        "dashboard/episodes.html",
        show=episodes.get_show(),
        episodes=everything,
        totals=publishing.comment_totals(everything),
        action_form=NextForm(formdata=None),
        is_published=episodes.is_published,
    )


def _render_new_episode(form, status=200):
    return (
        render_template(
            "dashboard/episode_new.html",
            show=episodes.get_show(),
            form=form,
            max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        ),
        status,
    )


@bp.route("/episodes/new", methods=["GET", "POST"])
@accepts_upload
def new_episode():
    form = UploadEpisodeForm()
    if not form.validate_on_submit():
        return _render_new_episode(form, 400 if request.method == "POST" else 200)
    try:
        episode = publishing.create_episode(
            _upload(form.audio.data), _media_dir(), title=form.title.data
        )
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="audio")
        return _render_new_episode(form, 400)
    flash(
        f"Uploaded “{episode.title}”: {_facts(episode)}. It is a draft until you "
        "publish it.",
        "success",
    )
    return redirect(url_for("dashboard.edit_episode", episode_id=episode.id), code=303)


def _facts(episode):
    kind = publishing.CANONICAL_EXTENSIONS.get(episode.mime_type, "")
    size_mb = episode.size_bytes / (1024 * 1024)
    return (
        f"{kind.lstrip('.').upper()} audio, {timecode.format(episode.duration_s)}"
        f" long, {size_mb:.1f} MB"
    )


def _episode_form(episode, formdata=None):
    if episode.published_at is None:
        publication = "draft"
    elif episodes.is_published(episode):
        publication = "now"
    else:
        publication = "at"
    form = EpisodeForm(
        formdata=formdata,
        obj=episode,
        publication=publication,
        publish_at=episode.published_at,
    )
    return form


def _render_edit(episode, form=None, audio_form=None, status=200):
    return (
        render_template(
            "dashboard/episode_edit.html",
            show=episodes.get_show(),
            episode=episode,
            facts=_facts(episode),
            form=form or _episode_form(episode),
            audio_form=audio_form or ReplaceAudioForm(formdata=None),
            action_form=NextForm(formdata=None),
            past_the_end=publishing.moments_past_the_end(episode),
            is_published=episodes.is_published(episode),
            max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        ),
        status,
    )


@bp.route("/episodes/<int:episode_id>", methods=["GET", "POST"])
def edit_episode(episode_id):
    episode = _load_episode(episode_id)
    if request.method == "GET":
        return _render_edit(episode)
    form = EpisodeForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        publishing.update_episode(
            episode,
            title=form.title.data,
            slug=form.slug.data,
            description=form.description.data,
            season=form.season.data,
            number=form.number.data,
            episode_type=form.episode_type.data,
            explicit=form.explicit.data,
            publication=form.publication.data,
            publish_at=form.publish_at.data,
        )
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="title")
        return _render_edit(episode, form=form, status=400)
    flash(f"Saved “{episode.title}”.", "success")
    return redirect(url_for("dashboard.edit_episode", episode_id=episode.id), code=303)


@bp.post("/episodes/<int:episode_id>/audio")
@accepts_upload
def replace_audio(episode_id):
    episode = _load_episode(episode_id)
    form = ReplaceAudioForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        old_duration = publishing.replace_audio(
            episode, _upload(form.audio.data), _media_dir()
        )
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="audio")
        return _render_edit(episode, audio_form=form, status=400)
    flash(f"New audio for “{episode.title}”: {_facts(episode)}.", "success")
    return redirect(
        url_for("dashboard.shift", episode_id=episode.id, was=old_duration), code=303
    )


@bp.route("/episodes/<int:episode_id>/shift", methods=["GET", "POST"])
def shift(episode_id):
    episode = _load_episode(episode_id)
    was = arg_int("was")
    form = ShiftForm()
    result = None
    if request.method == "POST":
        try:
            if not form.validate():
                raise ValidationFailed(form.errors)
            result = publishing.shift_moments(episode, form.offset.data)
        except ValidationFailed as failure:
            _errors_onto(form, failure.fields, fallback="offset")
    status = 400 if request.method == "POST" and result is None else 200
    return (
        render_template(
            "dashboard/shift.html",
            show=episodes.get_show(),
            episode=episode,
            was=was,
            form=form,
            result=result,
            past_the_end=publishing.moments_past_the_end(episode),
        ),
        status,
    )


def _episode_action(episode_id, act, message):
    episode = _load_episode(episode_id)
    form = NextForm()
    if form.validate():
        act(episode)
        flash(message.format(title=episode.title), "success")
    return _back(form, default="dashboard.episode_list")


@bp.post("/episodes/<int:episode_id>/publish")
def publish(episode_id):
    return _episode_action(
        episode_id, publishing.publish_now, "“{title}” is published."
    )


@bp.post("/episodes/<int:episode_id>/unpublish")
def unpublish(episode_id):
    return _episode_action(
        episode_id, publishing.unpublish, "“{title}” is a draft again."
    )


@bp.post("/episodes/<int:episode_id>/close")
def close_comments(episode_id):
    return _episode_action(
        episode_id,
        lambda e: moderation.set_comments_closed(e, True),
        "Comments on “{title}” are closed.",
    )


@bp.post("/episodes/<int:episode_id>/reopen")
def reopen_comments(episode_id):
    return _episode_action(
        episode_id,
        lambda e: moderation.set_comments_closed(e, False),
        "Comments on “{title}” are open again.",
    )


# Insights, chapters and soundbites


def _render_insights(episode, chapter_form=None, soundbite_form=None, status=200):
    found = insights.for_episode(episode)
    return (
        render_template(
            "dashboard/insights.html",
            show=episodes.get_show(),
            episode=episode,
            insights=found,
            chapter_form=chapter_form,
            soundbite_form=soundbite_form,
            action_form=NextForm(formdata=None),
            soundbite_seconds=30,
        ),
        status,
    )


@bp.get("/episodes/<int:episode_id>/insights")
def episode_insights(episode_id):
    return _render_insights(_load_episode(episode_id))


@bp.post("/episodes/<int:episode_id>/chapters")
def add_chapter(episode_id):
    episode = _load_episode(episode_id)
    form = ChapterForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        chapter = publishing.add_chapter(
            episode, start_s=form.start.data, title=form.title.data, url=form.url.data
        )
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="title")
        return _render_insights(episode, chapter_form=form, status=400)
    flash(
        f"Chapter “{chapter.title}” at {timecode.format(chapter.start_s)} added.",
        "success",
    )
    return redirect(url_for("dashboard.episode_insights", episode_id=episode.id), 303)


@bp.post("/episodes/<int:episode_id>/soundbites")
def add_soundbite(episode_id):
    episode = _load_episode(episode_id)
    form = SoundbiteForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        soundbite = publishing.add_soundbite(
            episode,
            start_s=form.start.data,
            duration_s=form.duration.data,
            title=form.title.data,
        )
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="title")
        return _render_insights(episode, soundbite_form=form, status=400)
    flash(
        f"Soundbite “{soundbite.title}” ({soundbite.duration_s} s from "
        f"{timecode.format(soundbite.start_s)}) added.",
        "success",
    )
    return redirect(url_for("dashboard.episode_insights", episode_id=episode.id), 303)


@bp.post("/episodes/<int:episode_id>/chapters/<int:chapter_id>/delete")
def remove_chapter(episode_id, chapter_id):
    return _episode_action(
        episode_id,
        lambda e: publishing.remove_chapter(e, chapter_id),
        "Chapter removed from “{title}”.",
    )


@bp.post("/episodes/<int:episode_id>/soundbites/<int:soundbite_id>/delete")
def remove_soundbite(episode_id, soundbite_id):
    return _episode_action(
        episode_id,
        lambda e: publishing.remove_soundbite(e, soundbite_id),
        "Soundbite removed from “{title}”.",
    )


# The show


def _load_show():
    show = episodes.get_show()
    if show is None:
        abort(404, description="The show has not been set up yet: run `hub demo`.")
    return show


def _render_show(show, form=None, cover_form=None, status=200):
    return (
        render_template(
            "dashboard/show.html",
            show=show,
            form=form or ShowForm(formdata=None, obj=show),
            cover_form=cover_form or CoverForm(formdata=None),
            max_upload_mb=current_app.config["MAX_UPLOAD_MB"],
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        ),
        status,
    )


@bp.route("/show", methods=["GET", "POST"])
def show_settings():
    show = _load_show()
    if request.method == "GET":
        return _render_show(show)
    form = ShowForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        publishing.update_show(show, form.data)
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="title")
        return _render_show(show, form=form, status=400)
    flash("The show's settings are saved.", "success")
    return redirect(url_for("dashboard.show_settings"), code=303)


@bp.post("/show/cover")
@accepts_upload
def upload_cover():
    show = _load_show()
    form = CoverForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        warnings = publishing.set_cover(show, _upload(form.cover.data), _media_dir())
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="cover")
        return _render_show(show, cover_form=form, status=400)
    flash("The new cover art is in the feed.", "success")
    for warning in warnings:
        flash(f"Apple may refuse this cover: {warning}", "error")
    return redirect(url_for("dashboard.show_settings"), code=303)


# Moderation settings


def _mode_choices():
    return [SelectChoice(m, moderation.MODE_LABELS[m]) for m in ModerationMode]


def _render_moderation(show, mode_form=None, block_form=None, status=200):
    mode_form = mode_form or ModerationModeForm(
        formdata=None, mode=show.moderation_mode
    )
    mode_form.mode.choices = _mode_choices()
    return (
        render_template(
            "dashboard/moderation.html",
            show=show,
            mode_form=mode_form,
            block_form=block_form or BlockForm(formdata=None),
            rules=moderation.block_rules(),
            action_form=NextForm(formdata=None),
        ),
        status,
    )


@bp.route("/moderation", methods=["GET", "POST"])
def moderation_settings():
    show = _load_show()
    if request.method == "GET":
        return _render_moderation(show)
    form = ModerationModeForm()
    form.mode.choices = _mode_choices()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        moderation.set_mode(show, form.mode.data)
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="mode")
        return _render_moderation(show, mode_form=form, status=400)
    flash(f"Moderation: {moderation.MODE_LABELS[show.moderation_mode]}.", "success")
    return redirect(url_for("dashboard.moderation_settings"), code=303)


@bp.post("/moderation/blocks")
def add_blocks():
    show = _load_show()
    form = BlockForm()
    try:
        if not form.validate():
            raise ValidationFailed(form.errors)
        added = moderation.add_block_rules(form.kind.data, form.values.data)
    except ValidationFailed as failure:
        _errors_onto(form, failure.fields, fallback="values")
        return _render_moderation(show, block_form=form, status=400)
    noun = "rule" if len(added) == 1 else "rules"
    flash(f"{len(added)} block {noun} added.", "success")
    return redirect(url_for("dashboard.moderation_settings"), code=303)


@bp.post("/moderation/blocks/<int:rule_id>/delete")
def remove_block(rule_id):
    form = NextForm()
    if form.validate():
        moderation.remove_block_rule(rule_id)
        flash("Block rule removed.", "success")
    return redirect(url_for("dashboard.moderation_settings"), code=303)


# The host's account


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = PasswordForm()
    status = 200
    if request.method == "POST":
        try:
            if not form.validate():
                raise ValidationFailed(form.errors)
            host = current_user._get_current_object()
            hosts.change_password(
                host, form.current_password.data, form.new_password.data
            )
        except ValidationFailed as failure:
            _errors_onto(form, failure.fields, fallback="new_password")
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
