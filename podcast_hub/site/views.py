"""The public site: the show, episode pages, posting comments, media."""

import functools
import os
import re
import stat
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.wsgi import wrap_file

from .. import errors
from ..catalog import episodes, storage, subscribing
from ..conversation import comments, repeats, threads, timeline
from ..errors import NotFound, ValidationFailed
from ..extensions import limiter
from ..library import artwork, sidecar
from ..models import CommentStatus
from ..text import timecode
from ..web import health, links, listener, ownership
from ..web import media as media_store
from ..web.commenting import (
    comment_form,
    comment_rate_limit,
    is_host,
    own_comment,
    read_comment,
    submit_comment,
    submit_edit,
)
from ..web.forms import CommentForm, EditCommentForm, form_errors
from ..web.loading import load_commentable, load_published_episode
from ..web.safety import arg_int
from ..web.sessions import sessionless

bp = Blueprint("public", __name__)

# Episode art and the show's cover, by extension in any case.
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_AUDIO_TYPE = re.compile(r"audio/[a-z0-9][a-z0-9.+-]*", re.IGNORECASE)
MEDIA_MAX_AGE_S = 3600
# What the episode page reads from its query string.
PAGE_ARGS = ("t", "comment", "reply", "thread", "page", "sort", "host")


@bp.get("/")
def index():
    show = episodes.get_show()
    published = episodes.published_episodes()
    counts = episodes.comment_counts(published)
    return render_template(
        "public/index.html",
        show=show,
        episodes=published,
        counts=counts,
        cards=_cards(show, published),
        subscribe=_subscribe(show),
        replied=listener.unseen(),
    )


def _cards(show, published):
    """Return each episode's art (its own or the show's cover) and audio, by id."""
    cover = show.cover if show else None
    on_cdn = bool(current_app.config.get("MEDIA_BASE_URL"))

    def art(filename):
        if on_cdn:
            return links.media_url(filename)
        return url_for("public.media", filename=filename)

    return {
        episode.id: {
            "art": art(episode.image or cover) if episode.image or cover else None,
            "audio": links.player_url(episode),
        }
        for episode in published
    }


def _subscribe(show):
    """Return the feed's address and each podcast app's subscribe link."""
    if show is None:
        return None
    feed_url = links.Builder().feed_url()
    apps = subscribing.app_links(
        feed_url, show.title, show.apple_podcasts_id, show.spotify_url
    )
    return {"feed_url": feed_url, "apps": apps}


@bp.get("/episodes/<slug>")
def episode(slug):
    found = load_published_episode(slug)
    form = comment_form()
    return _render_episode(found, form)


@bp.post("/episodes/<slug>/comments")
@limiter.shared_limit(comment_rate_limit, scope="comments", exempt_when=is_host)
def post_comment(slug):
    # The page that comes back on an error loads the whole episode.
    found = load_commentable(slug)
    try:
        comment = submit_comment(found, read_comment())
    except repeats.KeyReused as failure:
        # The form was used for another comment (the browser's Back button):
        # the words come back with a new key, to be posted as a new comment.
        form = comment_form()
        form.renew_key()
        form.form_errors = [failure.message]
        return _render_episode(load_published_episode(slug), form), failure.status
    except (ValidationFailed, NotFound) as failure:
        # An unknown parent is a field error here: the page comes back with what
        # was typed, where the JSON API answers 404.
        form = comment_form()
        form_errors(form, failure.fields)
        return _render_episode(load_published_episode(slug), form), 400
    if comment.status != CommentStatus.PUBLISHED:
        # Spam looks held too, so that spammers learn nothing.
        flash("Thank you! Your comment will appear once the host approves it.")
    target = url_for("public.episode", slug=found.slug, _anchor=f"comment-{comment.id}")
    return land_on(redirect(target, code=303), comment)


@bp.errorhandler(sa.exc.SQLAlchemyError)
def database_failed(error):
    """While the database is away, give the no-JavaScript form back with what
    was typed and the same posting key: 503, the comment was not posted."""
    if not errors.is_database_away(error):
        raise error
    if request.endpoint != "public.post_comment":
        return errors.database_away(error)
    form = CommentForm()
    slug = (request.view_args or {}).get("slug", "")
    return errors.database_away(
        error,
        errors.COMMENT_NOT_POSTED,
        page=lambda: render_template(
            "public/not_posted.html",
            form=form,
            slug=slug,
            message=errors.COMMENT_NOT_POSTED,
        ),
    )


@bp.errorhandler(429)
def too_fast(error):
    """Give a no-JavaScript poster over the rate limit the episode page back,
    with what they typed and when to post again: 429 and `Retry-After`."""
    if request.endpoint != "public.post_comment" or errors.wants_json():
        return errors.http_error(error)
    message, wait_s = errors.too_fast()
    return _form_again(message), 429, {"Retry-After": str(wait_s)}


@bp.errorhandler(CSRFError)
def form_expired(error):
    """Give a no-JavaScript poster whose form expired (or whose session ended)
    the episode page back, with what they typed and a fresh token: 400.

    Nothing is posted until they press the button again on this page.
    """
    if request.endpoint != "public.post_comment" or errors.wants_json():
        return errors.csrf_error(error)
    return _form_again(FORM_EXPIRED), 400


FORM_EXPIRED = (
    "The page was open too long for its form to be accepted (or the form came "
    "from elsewhere). Your words are below: check them and post again."
)


def _form_again(message):
    """Return the episode page with the posted comment form back, and `message`."""
    found = load_published_episode((request.view_args or {}).get("slug", ""))
    form = comment_form()
    form.form_errors = [message]
    return _render_episode(found, form)


def _render_episode(episode, form):
    try:
        start = timecode.parse(request.args.get("t"))
    except timecode.TimecodeError:
        start = None
    if (target := arg_int("comment")) is not None:
        # A reply to this listener opened by its link is seen: the banner that
        # announced it goes. The link (as in a reply's mail) plays the comment's
        # moment, or its thread's.
        listener.saw([target])
        if start is None:
            start = threads.moment_of(episode, target, ownership.owned())
    if start is not None and start > episode.duration_s:
        start = None
    show = episodes.get_show()
    slices = threads.slices(episode, timeline.SLICES)
    view, form, reply_form = _conversation_forms(episode, form)
    return render_template(
        "public/episode.html",
        show=show,
        episode=episode,
        view=view,
        comment_count=episodes.comment_counts([episode])[episode.id],
        markers=timeline.markers(slices, episode.duration_s),
        heat=timeline.heat(slices),
        ticks=timeline.ticks(episode.chapters, episode.duration_s),
        form=form,
        reply_form=reply_form,
        start=start,
        audio_url=links.player_url(episode),
        share=_share_meta(show, episode),
        subscribe=_subscribe(show),
        replied=listener.unseen(),
        replies_feed=listener.feed_url(),
    )


@bp.route("/media/<path:filename>", methods=["GET", "HEAD"])
@sessionless
def media(filename):
    """Serve a media file as a CDN would: ranges, validators, the right type.

    Only what `episodes.published_media` names, by its stored name, as a regular
    file inside MEDIA_DIR; everything else is the same 404, so that nobody
    learns whether a scheduled episode or a file exists.

    With a bucket (`MEDIA_S3_BUCKET`), the file is sent from it, ranges and
    all, or, when `MEDIA_BASE_URL` says where the bucket is published, a `302`
    sends the player there; a bucket that does not answer is a `503`.
    """
    entry = episodes.published_media(filename)
    mimetype = media_type(entry) if entry else None
    if entry is None or mimetype is None:
        abort(404)
    store = media_store.store()
    if not isinstance(store, storage.FolderStore):
        if current_app.config.get("MEDIA_BASE_URL"):
            response = redirect(links.media_url(entry.name), code=302)
            response.access_control_allow_origin = "*"
            return response
        return _from_store(store, entry, mimetype)
    path = media_path(entry.name)
    if path is None:
        abort(404)
    response = send_file(
        path,
        mimetype=mimetype,
        download_name=PurePosixPath(entry.name).name,
        conditional=True,
        max_age=MEDIA_MAX_AGE_S,
    )
    # Web players read transcripts and art from other sites.
    response.access_control_allow_origin = "*"
    return response


def _from_store(store, entry, mimetype):
    """Send `entry` from a store that is not on this machine's disk."""
    found = store.stat(entry.name)
    if found is None:
        abort(404)
    wanted = request.range.range_for_length(found.size_bytes) if request.range else None
    end = wanted[1] - 1 if wanted else None
    response = current_app.response_class(
        wrap_file(request.environ, store.open(entry.name, found, end)),
        mimetype=mimetype,
        direct_passthrough=True,
    )
    response.content_length = found.size_bytes
    response.headers.set(
        "Content-Disposition", "inline", filename=PurePosixPath(entry.name).name
    )
    if found.etag:
        response.set_etag(found.etag.strip('"'))
    response.last_modified = found.modified
    response.cache_control.public = True
    response.cache_control.max_age = MEDIA_MAX_AGE_S
    response.access_control_allow_origin = "*"
    return response.make_conditional(
        request.environ, accept_ranges=True, complete_length=found.size_bytes
    )


def media_type(entry):
    """Return the Content-Type to serve `entry` with, or None to refuse it.

    Audio keeps its stored type when that is audio; art and the
    cover are JPEG or PNG by their extension, transcripts WebVTT or SubRip:
    never a type a browser would run.
    """
    suffix = PurePosixPath(entry.name).suffix.lower()
    if entry.kind in ("audio", "alternate"):
        stored = entry.mime_type or ""
        return stored if _AUDIO_TYPE.fullmatch(stored) else "application/octet-stream"
    if entry.kind == "transcript":
        return sidecar.TRANSCRIPT_TYPES.get(suffix)
    return IMAGE_TYPES.get(suffix)


def media_path(name):
    """Return the real path of `name` if it is a regular file inside MEDIA_DIR.

    None for a missing file, a folder or device, and a name or symbolic link
    that leads out of the folder.
    """
    root = os.path.realpath(current_app.config["MEDIA_DIR"])
    path = os.path.realpath(os.path.join(root, name))
    if os.path.commonpath([root, path]) != root:
        return None
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return None
    return path if regular else None


@bp.get("/favicon.ico")
@sessionless
def favicon():
    """Serve the site's icon: made from the show's cover, or the default one."""
    show = episodes.get_show()
    store = media_store.store()
    path = media_path(show.cover) if show and show.cover else None
    try:
        if show and show.cover and not isinstance(store, storage.FolderStore):
            found = store.stat(show.cover)
            data = _stored_favicon(show.cover, found.etag) if found else None
        else:
            stat_ = os.stat(path) if path else None
            data = _favicon(path, stat_.st_mtime_ns, stat_.st_size) if stat_ else None
    except (OSError, artwork.NotAnImage, storage.Unavailable):
        data = None
    response = current_app.response_class(
        data or _favicon(None, 0, 0), mimetype="image/x-icon"
    )
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = MEDIA_MAX_AGE_S
    return response.make_conditional(request)


@functools.lru_cache(maxsize=4)
def _favicon(path, mtime_ns, size_bytes):
    """Return the icon made from the image at `path` as it is at `mtime_ns` and
    `size_bytes` (a changed cover makes a new icon); the default for None."""
    return artwork.favicon(path)


@functools.lru_cache(maxsize=4)
def _stored_favicon(name, etag):
    """Return the icon made from the cover `name` in the bucket, as it is at
    `etag` (its content's hash there)."""
    return artwork.favicon(media_store.store().read_bytes(name))


@bp.get("/healthz")
def healthz():
    """Say whether the database answers and takes a write; 503 names the part
    that failed: `{"status": "error", "database": "unreachable" | "read-only"}`."""
    database = health.database_health()
    if database != "ok":
        return jsonify({"status": "error", "database": database}), 503
    return jsonify({"status": "ok", "database": "ok"})


# The conversation on the episode page: pages of threads, fragments for the
# page's scripts, and a listener's own comments (edit and delete).

LANDING = "land_on_comment"


@dataclass
class ConversationView:
    """A page of threads, or of one thread's replies; the comments on it that this
    visitor may change; and the comment the page's reply form answers, if any."""

    page: threads.Page
    changeable: dict
    reply_to: int | None = None

    @property
    def keep(self):
        """Return the query arguments that keep this view's sort and filter."""
        keep = {}
        if self.page.sort != threads.Sort.MOMENT:
            keep["sort"] = self.page.sort
        if self.page.host_only:
            keep["host"] = "1"
        return keep


def conversation_view(episode, reply_to=None):
    """Return the page of threads, or of one thread's replies, this request asks for.

    `?page=`, `?sort=moment|newest` and `?host=1` choose a page of threads;
    `?thread=<id>&page=` a page of that thread's replies. `?comment=<id>`,
    `?reply=<id>` (or `reply_to`), or a comment just posted from this browser,
    picks the page that shows it; the reply form goes under `reply_to` when the
    page shows it and it is open for replies.
    """
    own = ownership.owned()
    args = request.args
    sort = args.get("sort", threads.Sort.MOMENT)
    if sort not in threads.SORTS:
        sort = threads.Sort.MOMENT
    host_only = args.get("host") == "1"
    per_page = current_app.config["COMMENTS_PER_PAGE"]
    landing = session.pop(LANDING) if LANDING in session else None
    number = arg_int("page", 1)
    thread = arg_int("thread")
    reply_to = reply_to or arg_int("reply")
    target = arg_int("comment") or reply_to or landing
    if target and "page" not in args:
        options = {"own_ids": own, "per_page": per_page, "sort": sort}
        place = threads.place_of(episode, target, host_only=host_only, **options)
        if place is None and host_only:
            host_only = False
            place = threads.place_of(episode, target, host_only=False, **options)
        number, thread = (place.page, place.thread) if place else (1, None)
    options = {"number": number, "sort": sort, "host_only": host_only, "own_ids": own}
    page = threads.thread_page(episode, thread, **options) if thread else None
    if page is None:
        page = threads.page(episode, per_page=per_page, **options)
    answered = threads.find(page.threads, reply_to) if reply_to else None
    if answered is None or answered.comment.status != CommentStatus.PUBLISHED:
        reply_to = None
    return ConversationView(page, comments.changeable(page.threads, own), reply_to)


def _conversation_forms(episode, form):
    """Return the conversation view, the comment form and the reply form to show.

    A reply that was not posted (`form` has a `parent_id`) comes back in the
    reply form, under the comment it answers; when that comment is not on the
    page, in the comment form, with the reason.
    """
    answering = form.parent_id.data
    # A parent id that broke the form's rules (0, beyond 64 bits) names nothing.
    view = conversation_view(
        episode, reply_to=None if form.parent_id.errors else answering
    )
    reply_form = _reply_form(episode)
    if answering and reply_form is not None:
        if view.reply_to == answering:
            return view, comment_form(formdata=None), form
        return view, form, None
    return view, form, reply_form


def land_on(response, comment):
    """Remember in the browser that it posted `comment`, and show its page next."""
    ownership.remember(response, comment)
    session[LANDING] = comment.id
    return response


def _reply_form(episode):
    if episode.comments_closed and not is_host():
        return None
    return comment_form(formdata=None)


def _share_meta(show, episode):
    art = episode.image or (show.cover if show else None)
    return {
        "url": links.page_url(episode),
        "image": links.media_url(art) if art else None,
        "audio": links.audio_url(episode),
    }


@bp.get("/episodes/<slug>/comments")
def comments_address(slug):
    """Send `?t=` and `?comment=` links on a form's error page to the episode page.

    That page's address is the form's `/episodes/<slug>/comments`, and those
    links are relative to it.
    """
    keep: dict[str, Any] = {
        name: request.args[name] for name in PAGE_ARGS if name in request.args
    }
    return redirect(url_for("public.episode", slug=slug, **keep))


@bp.get("/episodes/<slug>/conversation")
def conversation(slug):
    found = load_published_episode(slug)
    return render_template(
        "_partials/conversation.html",
        episode=found,
        view=conversation_view(found),
        reply_form=_reply_form(found),
    )


@bp.get("/episodes/<slug>/conversation/<int:comment_id>/replies")
def conversation_replies(slug, comment_id):
    """Return the next replies of thread `comment_id` for the page's script to add.

    `REPLIES_PER_PAGE` of them after the first `?start=`, in thread order, and a
    link to the ones after those.
    """
    found = load_published_episode(slug)
    own = ownership.owned()
    node = threads.thread_replies(
        found, comment_id, start=arg_int("start", 0), own_ids=own
    )
    if node is None:
        abort(404, description="There is no such thread on this episode.")
    return render_template(
        "_partials/replies.html",
        episode=found,
        node=node,
        reply_form=_reply_form(found),
        changeable=comments.changeable([node], own),
    )


@bp.app_template_global()
def thread_page_holding(position):
    """Return the page of a thread's replies that holds its `position`th reply."""
    return (max(1, position) - 1) // threads.REPLIES_PER_PAGE + 1


@bp.get("/episodes/<slug>/conversation/<int:comment_id>")
def conversation_comment(slug, comment_id):
    found = load_published_episode(slug)
    own = ownership.owned()
    node = threads.subtree(found, comment_id, own)
    if node is None:
        abort(404, description="There is no such comment on this episode.")
    return render_template(
        "_partials/comment.html",
        episode=found,
        node=node,
        reply_form=_reply_form(found),
        changeable=comments.changeable([node], own),
        # A comment just posted by script brings the link to the feed it made.
        replies_feed=None if is_host() else listener.feed_url(),
    )


@bp.route("/episodes/<slug>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(slug, comment_id):
    found = load_published_episode(slug)
    comment = own_comment(comment_id, found)
    if request.method == "GET":
        if not comments.can_change(comment):
            abort(403, description=comments.TOO_LATE)
        form = EditCommentForm(
            data={"body": comment.body, "timestamp": comment.timestamp_s}
        )
        return _render_edit(found, comment, form)
    form = EditCommentForm()
    try:
        submit_edit(comment, form)
    except ValidationFailed as failure:
        form_errors(form, failure.fields)
        return _render_edit(found, comment, form), 400
    if comment.status != CommentStatus.PUBLISHED:
        flash("Thank you! Your change will appear once the host approves it.")
    target = url_for("public.episode", slug=found.slug, _anchor=f"comment-{comment.id}")
    return land_on(redirect(target, code=303), comment)


@bp.post("/episodes/<slug>/comments/<int:comment_id>/delete")
def delete_comment(slug, comment_id):
    found = load_published_episode(slug)
    comment = own_comment(comment_id, found)
    comments.delete_own_comment(comment)
    flash("Your comment is deleted.", "success")
    target = url_for("public.episode", slug=found.slug, _anchor="conversation")
    response = redirect(target, code=303)
    ownership.forget(response, comment.id)
    return response


def _render_edit(episode, comment, form):
    return render_template(
        "public/edit_comment.html",
        show=episodes.get_show(),
        episode=episode,
        comment=comment,
        form=form,
        deadline=comments.change_deadline(comment),
    )
