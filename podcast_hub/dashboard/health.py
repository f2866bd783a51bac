"""The feed health tab: the checklist of what Apple, Spotify and the Podcast
Index need, with how to fix each line."""

from flask import render_template

from ..catalog import health
from .blueprint import bp, media_dir


@bp.get("/health")
def feed_health():
    checklist = health.feed_health(media_dir())
    return render_template("dashboard/health.html", checklist=checklist)
