"""The episodes tab: the list, uploads, edits, new audio and the shift of the
comments' moments after a re-cut, publishing and closing comments."""

import re

from flask import flash, redirect, render_template, request, url_for

from ..auth.guards import safe_next
from ..catalog import episodes, publishing
from ..conversation import moderation
from ..errors import ValidationFailed
from ..models import ChapterSource
from ..text import timecode
from ..web.forms import (
    ChaptersFileForm,
    EpisodeArtForm,
    EpisodeForm,
    NextForm,
    PersonForm,
    ReplaceAudioForm,
    ShiftForm,
    TranscriptForm,
    UploadEpisodeForm,
    form_errors,
    validated,
)
from ..web.safety import arg_int
from .blueprint import (
    back,
    bp,
    credit_person,
    episode_action,
    load_episode,
    media_dir,
    respond,
    takes_upload,
    upload,
    upload_limits,
)


@bp.get("/episodes")
def episode_list():
    everything = publishing.all_episodes()
    return render_template(
        "dashboard/episodes.html",
        show=episodes.get_show(),
        episodes=everything,
        totals=publishing.comment_totals(everything),
        is_published=episodes.is_published,
    )


def _render_new_episode(form, status=200):
    return (
        render_template(
            "dashboard/episode_new.html",
            show=episodes.get_show(),
            form=form,
            **upload_limits(),
        ),
        status,
    )


def _new_episode_too_large(message):
    form = UploadEpisodeForm(formdata=None)
    form.audio.errors = [message]
    return _render_new_episode(form, 413)


@bp.route("/episodes/new", methods=["GET", "POST"])
@takes_upload(_new_episode_too_large)
def new_episode():
    form = UploadEpisodeForm()
    if not form.validate_on_submit():
        return _render_new_episode(form, 400 if request.method == "POST" else 200)
    try:
        episode = publishing.create_episode(
            upload(form.audio.data), media_dir(), title=form.title.data
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="audio")
        # 503 when the media store is away: the same form, nothing stored.
        return _render_new_episode(form, failure.status)
    flash(
        f"Uploaded “{episode.title}”: {_facts(episode)}. It is a draft until you "
        "publish it.",
        "success",
    )
    return redirect(url_for("dashboard.edit_episode", episode_id=episode.id), code=303)


def _facts(episode):
    kind = publishing.CANONICAL_EXTENSIONS.get(episode.mime_type, "")
    return (
        f"{kind.lstrip('.').upper()} audio, {timecode.format(episode.duration_s)}"
        f" long, {_size(episode.size_bytes)}"
    )


def _size(size_bytes):
    """Return a file's size as people read it: "6 KB", "48.3 MB"."""
    if size_bytes < 1024 * 1024:
        return f"{max(1, round(size_bytes / 1024))} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def _episode_form(episode, formdata=None):
    if episode.published_at is None:
        publication = publishing.Publication.DRAFT
    elif episodes.is_published(episode):
        publication = publishing.Publication.NOW
    else:
        publication = publishing.Publication.AT
    form = EpisodeForm(
        formdata=formdata,
        obj=episode,
        publication=publication,
        publish_at=episode.published_at,
        author=episode.artist,
    )
    return form


# Empty rows the chapter list offers to fill without JavaScript.
EMPTY_CHAPTER_ROWS = 2


def _chapter_rows(episode):
    """Return the host's chapters as rows to edit, and empty rows after them."""
    rows = [
        publishing.ChapterRow(timecode.format(c.start_s), c.title)
        for c in episode.chapters
        if c.source == ChapterSource.HOST
    ]
    return rows + [publishing.ChapterRow("", "")] * EMPTY_CHAPTER_ROWS


def _render_edit(
    episode,
    form=None,
    audio_form=None,
    person_form=None,
    status=200,
    *,
    art_form=None,
    transcript_form=None,
    chapters_file_form=None,
    chapter_rows=None,
    chapter_errors=None,
):
    return (
        render_template(
            "dashboard/episode_edit.html",
            show=episodes.get_show(),
            episode=episode,
            facts=_facts(episode),
            # The same episode in other formats: podcast:alternateEnclosure.
            alternates=[
                (alternate.file, _size(alternate.size_bytes))
                for alternate in episode.alternates
            ],
            form=form or _episode_form(episode),
            audio_form=audio_form or ReplaceAudioForm(formdata=None),
            person_form=person_form or PersonForm(formdata=None, role="cast|guest"),
            art_form=art_form or EpisodeArtForm(formdata=None),
            transcript_form=transcript_form or TranscriptForm(formdata=None),
            chapters_file_form=chapters_file_form or ChaptersFileForm(formdata=None),
            chapter_rows=chapter_rows or _chapter_rows(episode),
            chapter_errors=chapter_errors or {},
            imported_chapters=[
                c for c in episode.chapters if c.source != ChapterSource.HOST
            ],
            kept_date=publishing.kept_date(episode),
            past_the_end=publishing.moments_past_the_end(episode),
            is_published=episodes.is_published(episode),
            **upload_limits(),
        ),
        status,
    )


@bp.route("/episodes/<int:episode_id>", methods=["GET", "POST"])
def edit_episode(episode_id):
    episode = load_episode(episode_id)
    if request.method == "GET":
        return _render_edit(episode)
    form = EpisodeForm()
    try:
        validated(form)
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
            # A form without the field (an older page) keeps the author.
            author=(form.author.data or "") if form.author.raw_data else None,
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="title")
        return _render_edit(episode, form=form, status=400)
    flash(f"Saved “{episode.title}”.", "success")
    return redirect(url_for("dashboard.edit_episode", episode_id=episode.id), code=303)


def _replace_audio_too_large(message, episode_id):
    form = ReplaceAudioForm(formdata=None)
    form.audio.errors = [message]
    return _render_edit(load_episode(episode_id), audio_form=form, status=413)


@bp.post("/episodes/<int:episode_id>/audio")
@takes_upload(_replace_audio_too_large)
def replace_audio(episode_id):
    episode = load_episode(episode_id)
    form = ReplaceAudioForm()
    try:
        validated(form)
        old_duration = publishing.replace_audio(
            episode, upload(form.audio.data), media_dir()
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="audio")
        return _render_edit(episode, audio_form=form, status=failure.status)
    flash(f"New audio for “{episode.title}”: {_facts(episode)}.", "success")
    return redirect(
        url_for("dashboard.shift", episode_id=episode.id, was=old_duration), code=303
    )


@bp.route("/episodes/<int:episode_id>/shift", methods=["GET", "POST"])
def shift(episode_id):
    episode = load_episode(episode_id)
    was = arg_int("was")
    form = ShiftForm()
    result = None
    if request.method == "POST":
        try:
            validated(form)
            result = publishing.shift_moments(episode, form.offset.data)
        except ValidationFailed as failure:
            form_errors(form, failure.fields, fallback="offset")
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


@bp.post("/episodes/<int:episode_id>/publish")
def publish(episode_id):
    return episode_action(episode_id, publishing.publish_now, "“{title}” is published.")


@bp.route("/episodes/<int:episode_id>/unpublish", methods=["GET", "POST"])
def unpublish(episode_id):
    """Ask first, then make the episode a draft: a POST without `confirm=yes`
    (an older page's button) only shows the question."""
    if request.method == "POST" and request.form.get("confirm") == "yes":
        return episode_action(
            episode_id,
            publishing.unpublish,
            "“{title}” is a draft again: out of the feed and the site. Publishing "
            "it again keeps its date.",
        )
    episode = load_episode(episode_id)
    next_page = request.values.get("next") or url_for(
        "dashboard.edit_episode", episode_id=episode.id
    )
    return render_template(
        "dashboard/unpublish.html",
        show=episodes.get_show(),
        episode=episode,
        next=safe_next(next_page),
        is_published=episodes.is_published(episode),
    )


@bp.post("/episodes/<int:episode_id>/close")
def close_comments(episode_id):
    return episode_action(
        episode_id,
        lambda e: moderation.set_comments_closed(e, True),
        "Comments on “{title}” are closed.",
    )


@bp.post("/episodes/<int:episode_id>/reopen")
def reopen_comments(episode_id):
    return episode_action(
        episode_id,
        lambda e: moderation.set_comments_closed(e, False),
        "Comments on “{title}” are open again.",
    )


@bp.post("/episodes/<int:episode_id>/people")
def add_episode_person(episode_id):
    episode = load_episode(episode_id)
    person, form = credit_person(episode)
    if person is None:
        return _render_edit(episode, person_form=form, status=400)
    flash(f"{person.name} ({person.role}) is credited on “{episode.title}”.", "success")
    return redirect(
        url_for("dashboard.edit_episode", episode_id=episode.id, _anchor="people"),
        code=303,
    )


@bp.post("/episodes/<int:episode_id>/people/<int:person_id>/delete")
def remove_episode_person(episode_id, person_id):
    episode = load_episode(episode_id)
    form = NextForm()
    if not form.validate():
        return back(form, default="dashboard.episode_list")
    publishing.remove_person(episode, person_id)
    return respond(
        form, f"Removed from “{episode.title}”'s people.", "dashboard.episode_list"
    )


def _edit_page(episode, anchor):
    return redirect(
        url_for("dashboard.edit_episode", episode_id=episode.id, _anchor=anchor),
        code=303,
    )


def _art_too_large(message, episode_id):
    form = EpisodeArtForm(formdata=None)
    form.art.errors = [message]
    return _render_edit(load_episode(episode_id), art_form=form, status=413)


@bp.post("/episodes/<int:episode_id>/art")
@takes_upload(_art_too_large)
def upload_episode_art(episode_id):
    episode = load_episode(episode_id)
    form = EpisodeArtForm()
    try:
        validated(form)
        warnings = publishing.set_episode_art(
            episode, upload(form.art.data), media_dir()
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="art")
        return _render_edit(episode, art_form=form, status=400)
    flash(f"New art for “{episode.title}”: in the feed and on its page.", "success")
    for warning in warnings:
        flash(f"Apple may refuse this art: {warning}", "error")
    return _edit_page(episode, "art-title")


@bp.post("/episodes/<int:episode_id>/art/delete")
def remove_episode_art(episode_id):
    return episode_action(
        episode_id,
        lambda e: publishing.remove_episode_art(e, media_dir()),
        "“{title}” shows the show's cover again.",
    )


def _transcript_too_large(message, episode_id):
    form = TranscriptForm(formdata=None)
    form.transcript.errors = [message]
    return _render_edit(load_episode(episode_id), transcript_form=form, status=413)


@bp.post("/episodes/<int:episode_id>/transcripts")
@takes_upload(_transcript_too_large)
def upload_transcript(episode_id):
    episode = load_episode(episode_id)
    form = TranscriptForm()
    try:
        validated(form)
        transcript = publishing.add_transcript(
            episode, upload(form.transcript.data), media_dir(), form.language.data
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="transcript")
        return _render_edit(episode, transcript_form=form, status=400)
    flash(
        f"Transcript {transcript.file} is in the feed (podcast:transcript).", "success"
    )
    return _edit_page(episode, "transcripts-title")


@bp.post("/episodes/<int:episode_id>/transcripts/<int:transcript_id>/delete")
def remove_transcript(episode_id, transcript_id):
    return episode_action(
        episode_id,
        lambda e: publishing.remove_transcript(e, transcript_id, media_dir()),
        "Transcript removed from “{title}”.",
    )


_ROW_FIELD = re.compile(r"^chapter-(\d{1,3})-(start|title)$")


def _posted_chapter_rows():
    """Return the chapter rows of the posted list, in their order on the page."""
    found: dict[int, dict[str, str]] = {}
    for name, value in request.form.items():
        match = _ROW_FIELD.match(name)
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [
        publishing.ChapterRow(row.get("start", ""), row.get("title", ""))
        for _index, row in sorted(found.items())
    ]


@bp.post("/episodes/<int:episode_id>/chapters/edit")
def edit_chapters(episode_id):
    episode = load_episode(episode_id)
    rows = _posted_chapter_rows()
    form = NextForm()
    if not form.validate():
        return back(form, default="dashboard.episode_list")
    try:
        saved = publishing.set_chapters(episode, rows)
    except ValidationFailed as failure:
        return _render_edit(
            episode,
            chapter_rows=rows or _chapter_rows(episode),
            chapter_errors=failure.fields,
            status=400,
        )
    flash(
        f"{len(saved)} chapter{'' if len(saved) == 1 else 's'} of “{episode.title}” "
        "saved: in the feed (podcast:chapters) and on its page."
        if saved
        else f"“{episode.title}” has no chapters of yours now.",
        "success",
    )
    return _edit_page(episode, "chapters-title")


def _chapters_file_too_large(message, episode_id):
    form = ChaptersFileForm(formdata=None)
    form.chapters_file.errors = [message]
    return _render_edit(load_episode(episode_id), chapters_file_form=form, status=413)


@bp.post("/episodes/<int:episode_id>/chapters/upload")
@takes_upload(_chapters_file_too_large)
def upload_chapters(episode_id):
    episode = load_episode(episode_id)
    form = ChaptersFileForm()
    try:
        validated(form)
        saved = publishing.chapters_from_json(
            episode, upload(form.chapters_file.data), media_dir()
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="chapters_file")
        return _render_edit(episode, chapters_file_form=form, status=400)
    flash(
        f"{len(saved)} chapter{'' if len(saved) == 1 else 's'} from the file are "
        f"“{episode.title}”'s chapters now.",
        "success",
    )
    return _edit_page(episode, "chapters-title")
