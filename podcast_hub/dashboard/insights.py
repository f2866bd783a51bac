"""The insights of an episode: where listeners comment, its top moments, and
the chapters and soundbites made from them."""

from flask import flash, redirect, render_template, request, url_for

from ..catalog import episodes, publishing
from ..conversation import insights
from ..errors import ValidationFailed
from ..text import timecode
from ..web.forms import ChapterForm, SoundbiteForm, form_errors, validated
from ..web.safety import arg_int
from .blueprint import bp, episode_action, load_episode

SOUNDBITE_SECONDS = 30


def _render_insights(episode, chapter_form=None, soundbite_form=None, status=200):
    return (
        render_template(
            "dashboard/insights.html",
            show=episodes.get_show(),
            episode=episode,
            insights=insights.for_episode(episode),
            chapter_form=chapter_form,
            soundbite_form=soundbite_form,
            soundbite_seconds=SOUNDBITE_SECONDS,
        ),
        status,
    )


@bp.get("/episodes/<int:episode_id>/insights")
def episode_insights(episode_id):
    return _render_insights(load_episode(episode_id))


@bp.post("/episodes/<int:episode_id>/chapters")
def add_chapter(episode_id):
    episode = load_episode(episode_id)
    form = ChapterForm()
    try:
        validated(form)
        chapter = publishing.add_chapter(
            episode, start_s=form.start.data, title=form.title.data, url=form.url.data
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="title")
        return _render_insights(episode, chapter_form=form, status=400)
    flash(
        f"Chapter “{chapter.title}” at {timecode.format(chapter.start_s)} added.",
        "success",
    )
    return redirect(url_for("dashboard.episode_insights", episode_id=episode.id), 303)


@bp.post("/episodes/<int:episode_id>/soundbites")
def add_soundbite(episode_id):
    episode = load_episode(episode_id)
    form = SoundbiteForm()
    try:
        validated(form)
        soundbite = publishing.add_soundbite(
            episode,
            start_s=form.start.data,
            duration_s=form.duration.data,
            title=form.title.data,
        )
    except ValidationFailed as failure:
        form_errors(form, failure.fields, fallback="title")
        return _render_insights(episode, soundbite_form=form, status=400)
    flash(
        f"Soundbite “{soundbite.title}” ({soundbite.duration_s} s from "
        f"{timecode.format(soundbite.start_s)}) added.",
        "success",
    )
    return redirect(url_for("dashboard.episode_insights", episode_id=episode.id), 303)


@bp.post("/episodes/<int:episode_id>/chapters/<int:chapter_id>/delete")
def remove_chapter(episode_id, chapter_id):
    return episode_action(
        episode_id,
        lambda e: publishing.remove_chapter(e, chapter_id),
        "Chapter removed from “{title}”.",
    )


@bp.post("/episodes/<int:episode_id>/soundbites/<int:soundbite_id>/delete")
def remove_soundbite(episode_id, soundbite_id):
    return episode_action(
        episode_id,
        lambda e: publishing.remove_soundbite(e, soundbite_id),
        "Soundbite removed from “{title}”.",
    )


@bp.get("/episodes/<int:episode_id>/insights/comments")
def range_comments(episode_id):
    """The listener comments of one stretch of the audio (`from` and `to`
    seconds, both included): where a histogram bar or a top moment leads."""
    episode = load_episode(episode_id)
    start = _moment_arg("from", 0, episode.duration_s)
    end = max(start, _moment_arg("to", episode.duration_s, episode.duration_s))
    found = insights.comments_in_range(episode, start, end)
    where = timecode.format(start)
    if end != start:
        where += "–" + timecode.format(end)
    return render_template(
        "dashboard/range_comments.html",
        show=episodes.get_show(),
        episode=episode,
        comments=found,
        where=where,
        start=start,
    )


@bp.get("/insights")
def show_insights():
    """The whole show: which episodes and moments drew talk, and answer times,
    over the chosen `period` (days, or "all")."""
    period = request.args.get("period", "")
    if period not in insights.PERIODS:
        period = insights.DEFAULT_PERIOD
    return render_template(
        "dashboard/show_insights.html",
        show=episodes.get_show(),
        found=insights.show_insights(period),
        period=period,
        periods=insights.PERIODS,
        has_episodes=bool(publishing.all_episodes()),
    )


def _moment_arg(name, default, duration_s):
    """Return query argument `name` as seconds into the audio, 0:00 included
    (`arg_int` starts at 1); anything else gives `default`."""
    if request.args.get(name) == "0":
        return 0
    return arg_int(name, default, maximum=duration_s)
