"""The feeds podcast apps read: the show's RSS, each episode's comments, chapters.

Built with feedgen and our own extension for the `itunes:` tags feedgen writes
differently from what apps expect, the Podcasting 2.0 `podcast:` namespace,
`wfw:commentRss` and the WebSub hub's `atom:link`. Show notes go out as the
HTML apps accept (`markdown.for_apps`), in `description` and `content:encoded`,
and as plain text in `itunes:summary` and `itunes:subtitle`.

A stored text that no door cleaned (an old row, one written by hand) cannot
make a feed invalid: the feed is then built again with every text through
`plain.xml_safe`.
"""

import datetime
import email.utils
import functools
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from ..catalog import files, identity
from ..conversation import comments as conversation
from ..models import Comment, Episode, EpisodeType, Show, ShowType, Transcript
from ..text import markdown, plain, rules, timecode
from ..web.links import Builder

NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
}
GENERATOR = "Podcast Hub"
RSS_TYPE = "application/rss+xml"
# Bump when the feeds' markup changes, so clients holding an ETag refetch.
FORMAT = "4"
# feedgen refuses other endings for itunes:image, and so does Apple: art is
# linked by `files.art_name` (`talk.jpeg` as `talk.jpg`).
IMAGE_ENDINGS = (".jpg", ".png")
CHAPTERS_TYPE = "application/json+chapters"
CHAPTERS_VERSION = "1.2.0"
# The namespace documents SRT as application/x-subrip; older files say srt.
_TRANSCRIPT_TYPES = {"application/srt": "application/x-subrip"}
_TIMED_TRANSCRIPTS = ("text/vtt", "application/x-subrip")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# Apple's limits: itunes:summary 4,000 characters, a subtitle a short line.
SUMMARY_MAX = 4000
SUBTITLE_MAX = 255
_FREQUENCIES = {
    "DAILY": "Daily",
    "WEEKLY": "Weekly",
    "MONTHLY": "Monthly",
    "YEARLY": "Yearly",
}


def render(
    show: Show,
    episodes: Sequence[Episode],
    links: Builder,
    people: Iterable[Any] = (),
    hub_url: str | None = None,
    items: "Items | None" = None,
    stylesheet: str | None = None,
) -> bytes:
    """Return the RSS feed of `show` with `episodes`, in the order given, as bytes.

    `links` builds absolute URLs (a `podcast_hub.links.Builder`); `people` are
    the show's `Person` rows, written as `podcast:person`; `hub_url` is the
    WebSub hub linked as `atom:link rel="hub"`; `stylesheet` is the address of
    the XSLT that shows the feed as a page in a browser (apps ignore it).
    Episodes' chapters, transcripts, soundbites, alternate files and people
    are read, so load them first.

    With `items` (an `Items` kept between builds; episodes then are the plain
    records of `versions.feed_content`), each episode's `<item>` is written
    again only when something it is made of changed: the same bytes, faster.
    """
    people = list(people)
    build = functools.partial(_feed, links=links, hub_url=hub_url)
    if items is None or not episodes:
        body = _built(build, show, episodes, people)
    else:
        body = items.render(show, episodes, people, links, build)
    return with_stylesheet(body, stylesheet) if stylesheet else body


def with_stylesheet(body: bytes, href: str) -> bytes:
    """Return the feed `body` with an `<?xml-stylesheet?>` instruction for the
    XSLT at `href`, right after its XML declaration."""
    declaration, newline, rest = body.partition(b"\n")
    if not declaration.startswith(b"<?xml "):
        declaration, newline, rest = b"", b"", body
    quoted = escape(href, quote=True).encode()
    instruction = b'<?xml-stylesheet type="text/xsl" href="' + quoted + b'"?>\n'
    return declaration + newline + instruction + rest


def _feed(
    show: Show,
    episodes: Sequence[Episode],
    people: Iterable[Any],
    *,
    links: Builder,
    hub_url: str | None = None,
    entries: bool = True,
) -> bytes:
    fg = _generator()
    _describe_show(fg, show, episodes, links, people)
    _modern_show_tags(fg, show, episodes, links, hub_url)
    if entries:
        for episode in episodes:
            _describe_episode(fg.add_entry(order="append"), episode, show, links)
    return fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)


_ITEM, _ITEM_END, _CHANNEL_END = b"<item>", b"</item>", b"</channel>"


class Items:
    """Each episode's `<item>` as written in the last feed built, under what it
    is made from: its row, its chapters, transcripts, soundbites, alternate
    files and people, the show's author and title, and the site's URLs.

    A feed is then the channel written anew (its date, trailers and people
    depend on every episode) with the items spliced in: after a host edits one
    episode, one item is written, not a thousand. lxml writes an item the
    same whether alone in a feed or among others (the namespaces are declared
    on `<rss>`), so the bytes are those of a whole build. Only the last
    feed's items are kept: as many bytes as the feed.
    """

    # With more items than this share to write, a whole build is as quick.
    REBUILD_SHARE = 0.5

    def __init__(self) -> None:
        self._kept: dict[Any, bytes] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def adopt(
        self, show: Show, episodes: Sequence[Any], links: Builder, body: bytes
    ) -> None:
        """Keep the items of `body`, the feed of `episodes` built elsewhere."""
        parts = _split_items(body, len(episodes))
        if parts:
            keys = [_item_key(self._context(show, links), e) for e in episodes]
            self._kept = dict(zip(keys, parts, strict=True))

    @staticmethod
    def _context(show: Show, links: Builder) -> tuple[str, ...]:
        return (links.feed_url(), links.media_url(""), show.author, show.title)

    def render(
        self,
        show: Show,
        episodes: Sequence[Any],
        people: list[Any],
        links: Builder,
        build: Callable[..., bytes],
    ) -> bytes:
        context = self._context(show, links)
        keys = [_item_key(context, episode) for episode in episodes]
        found = [self._kept.get(key) for key in keys]
        missing = sum(1 for item in found if item is None)
        if missing > self.REBUILD_SHARE * len(episodes):
            body = _built(build, show, episodes, people)
            parts = _split_items(body, len(episodes))
            self._kept = dict(zip(keys, parts, strict=True)) if parts else {}
            return body
        channel = _built(
            functools.partial(build, entries=False), show, episodes, people
        )
        end = channel.rindex(_CHANNEL_END)
        for index, item in enumerate(found):
            if item is None:
                found[index] = _item(show, episodes[index], links)
        self._kept = dict(zip(keys, found, strict=True))  # type: ignore[arg-type]
        return b"".join([channel[:end], *found, channel[end:]])  # type: ignore[list-item]


def _item_key(context: tuple[str, ...], episode: Any) -> tuple[Any, ...]:
    return (
        context,
        # Rows as plain tuples: SQLAlchemy's Row compares slower.
        *(
            tuple(map(tuple, value)) if isinstance(value, list) else value
            for value in vars(episode).values()
        ),
    )


def _item(show: Show, episode: Any, links: Builder) -> bytes:
    """Return `episode`'s `<item>…</item>` as a feed of `show` writes it."""

    def alone(show: Show, episode: Any) -> bytes:
        fg = _generator()
        fg.title("-")
        fg.link(href=links.site_url(), rel="alternate")
        fg.description("-")
        _describe_episode(fg.add_entry(), episode, show, links)
        return fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)

    body = _built(alone, show, episode)
    return body[body.index(_ITEM) : body.rindex(_CHANNEL_END)]


def _split_items(body: bytes, count: int) -> list[bytes] | None:
    """Return the `count` items of a feed's bytes, or None if they are not
    found as expected. Texts are escaped and notes are sanitised HTML, so
    `<item>` and `</item>` appear only as the items' own tags."""
    parts: list[bytes] = []
    start = body.find(_ITEM)
    while start != -1 and len(parts) <= count:
        end = body.find(_ITEM_END, start)
        if end == -1:
            return None
        end += len(_ITEM_END)
        parts.append(body[start:end])
        if not body.startswith(_ITEM, end):
            break
        start = end
    if len(parts) != count or not body.startswith(_CHANNEL_END, end):
        return None
    return parts


def render_comments(
    show: Show, episode: Episode, comments: Sequence[Comment], links: Builder
) -> bytes:
    """Return the RSS feed of the comments on `episode`, in the order given, as bytes.

    Each item is titled with its author and moment ("Lee at 12:34"); its
    description is the comment as escaped HTML. A host's item says so in its
    title ("Dana (host) at 12:34", a mark no listener's name may carry) and in
    `<category>host</category>`. E-mail addresses are never read.
    """
    return _built(functools.partial(_comments, links=links), show, episode, comments)


def _comments(
    show: Show, episode: Episode, comments: Sequence[Comment], *, links: Builder
) -> bytes:
    page = links.page_url(episode)
    fg = _generator()
    fg.title(f"Comments on {episode.title}")
    fg.description(f"What listeners say about {episode.title}, from {show.title}.")
    fg.language(show.language)
    fg.generator(GENERATOR)
    fg.link(href=links.comments_feed_url(episode), rel="self", type=RSS_TYPE)
    fg.link(href=page, rel="alternate")
    moments = [show.updated_at, episode.updated_at]
    moments += [_changed(comment) for comment in comments]
    fg.lastBuildDate(max(moments))
    for comment in comments:
        fe = fg.add_entry(order="append")
        url = links.comment_url(episode, comment)
        fe.title(comment_title(comment, episode))
        fe.link(href=url)
        fe.guid(_comment_guid(show, comment), permalink=False)
        fe.description(str(plain.paragraphs(comment.body)))
        fe.pubDate(comment.created_at)
        fe.hub.add("dc", "creator", comment.author)
        if comment.is_host:
            fe.category(term="host")
    return fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)


def comment_title(comment: Comment, episode: Episode) -> str:
    """Return "<author> at 12:34", or "<author> on <episode>" for a general comment.

    A host's name is followed by `comments.HOST_MARK`: "Dana (host) at 12:34".
    """
    author = comment.author
    if comment.is_host:
        author = f"{author} {conversation.HOST_MARK}"
    if comment.timestamp_s is None:
        return f"{author} on {episode.title}"
    return f"{author} at {timecode.format(comment.timestamp_s)}"


def chapters(show: Show, episode: Episode) -> dict[str, Any]:
    """Return the episode's chapters in the Podcasting 2.0 JSON chapters format.

    A stored link that is not a web address is left out.
    """
    return {
        "version": CHAPTERS_VERSION,
        "title": episode.title,
        "podcastName": show.title,
        "chapters": [_chapter(chapter) for chapter in episode.chapters],
    }


def _chapter(chapter: Any) -> dict[str, Any]:
    """Return one chapter as JSON chapters have it: links only if web links."""
    found: dict[str, Any] = {"startTime": chapter.start_s, "title": chapter.title}
    if url := rules.safe_url(chapter.url):
        found["url"] = url
    if img := rules.safe_url(getattr(chapter, "img", None)):
        found["img"] = img
    if getattr(chapter, "toc", True) is False:
        found["toc"] = False
    return found


def podcast_guid(show: Show, feed_url: str) -> str:
    """Return the show's `podcast:guid`: the stored one (`identity`), else, for a
    show not yet given one, the UUIDv5 its feed URL seeds as the namespace says.
    """
    return show.podcast_guid or identity.show_guid_for(feed_url)


def _comment_guid(show: Show, comment: Comment) -> str:
    # Never the page URL: that changes with the episode's slug and the site.
    return identity.comment_guid(
        show.podcast_guid or str(show.id), comment.id, comment.created_at
    )


_PLAIN = (int, float, datetime.date, datetime.timedelta, uuid.UUID)
# The C1 controls as UTF-8: XML holds them (and DEL), but they are no text.
_C1_BYTES = re.compile(b"\xc2[\x80-\x9f]")


def _built(build: Callable[..., bytes], *records: object) -> bytes:
    """Return `build(*records)`; built again from `_readable` ones if a text is unfit.

    lxml refuses what XML cannot hold (ValueError); DEL and the C1 controls
    pass it and are found in the bytes. Clean records build slower: only then.
    """
    try:
        body = build(*records)
    except ValueError:
        body = None
    if body is None or b"\x7f" in body or _C1_BYTES.search(body):
        body = build(*(_readable(record) for record in records))
    return body


def _readable(value: object) -> Any:
    """Return `value` as a feed reads it: every text in it `plain.xml_safe`.

    Text is cleaned, lists and dicts (JSON columns) are read item by item, and
    a record (a model, a row) comes back as a view whose attributes are read
    the same way.
    """
    if isinstance(value, str):
        return plain.xml_safe(value)
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, list | tuple):
        return [_readable(item) for item in value]
    if isinstance(value, dict):
        return {key: _readable(item) for key, item in value.items()}
    return _Readable(value)


class _Readable:
    """A record whose attributes are read through `_readable`."""

    __slots__ = ("_record",)

    def __init__(self, record: object) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        return _readable(getattr(self._record, name))


def _generator() -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("hub", HubExtension, HubEntryExtension, atom=False)
    return fg


def _changed(comment: Comment) -> datetime.datetime:
    return max(comment.created_at, comment.edited_at or comment.created_at)


def _describe_show(
    fg: FeedGenerator,
    show: Show,
    episodes: Sequence[Episode],
    links: Builder,
    people: Iterable[Any],
) -> None:
    feed_url = links.feed_url()
    fg.title(show.title)
    fg.description(markdown.for_apps(show.description, links.site_url()) or show.title)
    fg.language(show.language)
    fg.generator(GENERATOR)
    # RSS takes the last link added as the channel's <link>.
    fg.link(href=feed_url, rel="self", type=RSS_TYPE)
    fg.link(href=links.site_url(), rel="alternate")
    # feedgen would stamp the time of rendering, making every response new.
    fg.lastBuildDate(last_change(show, episodes))
    fg.podcast.itunes_author(show.author or show.owner_name or show.title)
    if show.owner_email:
        # Apple and Spotify write to the owner's e-mail; a name is expected
        # beside it, and the author's (or the show's) stands in for a missing one.
        owner = show.owner_name or show.author or show.title
        fg.podcast.itunes_owner(name=owner, email=show.owner_email)
    if show.description:
        _summarize(fg.podcast, markdown.as_text(show.description))
    _set_category(fg, show.category)
    cover = links.media_url(files.art_name(show.cover)) if show.cover else None
    if cover and cover.endswith(IMAGE_ENDINGS):
        fg.podcast.itunes_image(cover)
        fg.image(url=cover, title=show.title, link=links.site_url())
    fg.podcast.itunes_type(show.show_type or ShowType.EPISODIC)
    if show.new_feed_url:
        fg.podcast.itunes_new_feed_url(show.new_feed_url)
    hub = fg.hub
    hub.explicit(show.explicit)
    hub.add("podcast", "guid", podcast_guid(show, feed_url))
    locked_by = {"owner": show.owner_email} if show.owner_email else {}
    hub.add("podcast", "locked", "yes" if show.locked else "no", **locked_by)
    if show.funding_url:
        message = show.funding_text or f"Support {show.title}"
        hub.add("podcast", "funding", message, url=show.funding_url)
    _credit(hub, people)


def _describe_episode(
    fe: FeedEntry, episode: Episode, show: Show, links: Builder
) -> None:
    page = links.page_url(episode)
    fe.title(episode.title)
    fe.link(href=page)
    notes = markdown.for_apps(episode.description, page, episode.duration_s)
    fe.description(notes or episode.title)
    if notes:
        fe.content(notes, type="CDATA")
    fe.guid(episode.guid, permalink=False)
    fe.pubDate(episode.published_at)
    fe.enclosure(links.audio_url(episode), str(episode.size_bytes), episode.mime_type)
    fe.comments(page)
    itunes = fe.podcast
    itunes.itunes_duration(timecode.itunes(episode.duration_s))
    itunes.itunes_author(episode.artist or show.author or show.title)
    itunes.itunes_episode_type(episode.episode_type)
    if notes:
        _summarize(itunes, markdown.text_of(notes))
    if episode.season:
        itunes.itunes_season(episode.season)
    if episode.number:
        itunes.itunes_episode(episode.number)
    image = links.media_url(files.art_name(episode.image)) if episode.image else None
    if image and image.endswith(IMAGE_ENDINGS):
        itunes.itunes_image(image)
    hub = fe.hub
    hub.explicit(episode.explicit)
    hub.add("wfw", "commentRss", links.comments_feed_url(episode))
    if episode.season:
        hub.add("podcast", "season", str(episode.season))
    if episode.number:
        hub.add("podcast", "episode", str(episode.number))
    if episode.chapters:
        hub.add(
            "podcast", "chapters", url=links.chapters_url(episode), type=CHAPTERS_TYPE
        )
    for transcript in episode.transcripts:
        hub.add("podcast", "transcript", **_transcript(transcript, links))
    if episode.alternates:
        _alternate_enclosures(hub, episode, links)
    for bite in episode.soundbites:
        hub.add(
            "podcast",
            "soundbite",
            bite.title,
            startTime=str(bite.start_s),
            duration=str(bite.duration_s),
        )
    _credit(hub, episode.people)


def _summarize(itunes: Any, text: str) -> None:
    """Set itunes:summary and itunes:subtitle from the notes as plain `text`."""
    if text:
        itunes.itunes_summary(text[:SUMMARY_MAX])
        itunes.itunes_subtitle(markdown.first_sentence(text, SUBTITLE_MAX))


def _credit(hub: "_Tags", people: Iterable[Any]) -> None:
    """Write each person as podcast:person, with role, group and links."""
    for person in people:
        attributes = {"role": person.role, "group": person.group_name}
        for key in ("img", "href"):
            if link := rules.safe_url(getattr(person, key)):
                attributes[key] = link
        hub.add("podcast", "person", person.name, **attributes)


def _modern_show_tags(
    fg: FeedGenerator,
    show: Show,
    episodes: Sequence[Episode],
    links: Builder,
    hub_url: str | None,
) -> None:
    """Write the channel's copyright, block, complete, medium, licence, txt,
    update frequency, trailers and WebSub hub, when the show has them."""
    if show.copyright:
        fg.copyright(show.copyright)
    hub = fg.hub
    if hub_url:
        hub.add("atom", "link", rel="hub", href=hub_url)
    if show.block:
        hub.add("itunes", "block", "Yes")
        hub.add("podcast", "block", "yes")
    if show.complete:
        hub.add("itunes", "complete", "Yes")
    hub.add("podcast", "medium", show.medium or "podcast")
    if show.license:
        url = {"url": show.license_url} if show.license_url else {}
        hub.add("podcast", "license", show.license, **url)
    for record in show.txt or ():
        purpose = {"purpose": record["purpose"]} if record.get("purpose") else {}
        hub.add("podcast", "txt", record["text"], **purpose)
    if show.update_rrule or show.update_frequency:
        _update_frequency(hub, show)
    for episode in episodes:
        if episode.episode_type == EpisodeType.TRAILER:
            _trailer(hub, episode, links)


def _update_frequency(hub: "_Tags", show: Show) -> None:
    attributes = {"rrule": show.update_rrule} if show.update_rrule else {}
    if show.complete:
        attributes["complete"] = "true"
    frequency = (show.update_rrule or "").partition(";")[0].removeprefix("FREQ=")
    words = show.update_frequency or _FREQUENCIES.get(frequency, "Scheduled")
    hub.add("podcast", "updateFrequency", words, **attributes)


def _trailer(hub: "_Tags", episode: Episode, links: Builder) -> None:
    """Write a published trailer episode as the channel's podcast:trailer."""
    assert episode.published_at is not None  # every episode in a feed is out
    attributes = {
        "pubdate": email.utils.format_datetime(episode.published_at),
        "url": links.audio_url(episode),
        "length": str(episode.size_bytes),
        "type": episode.mime_type,
    }
    if episode.season:
        attributes["season"] = str(episode.season)
    hub.add("podcast", "trailer", episode.title, **attributes)


# The codecs attribute of podcast:alternateEnclosure (RFC 6381 names), and a
# title for apps that list the choices.
_CODECS = {
    "opus": ("opus", "Opus"),
    "vorbis": ("vorbis", "Ogg Vorbis"),
    "flac": ("flac", "FLAC (lossless)"),
    "pcm": (None, "WAV (uncompressed)"),
    "aac": ("mp4a.40.2", "AAC"),
    "mp3": ("mp3", "MP3"),
}


def _alternate_enclosures(hub: "_Tags", episode: Episode, links: Builder) -> None:
    """Add a `podcast:alternateEnclosure` for the enclosure (the default) and for
    each alternate file, each with its `podcast:source`."""
    average = (
        round(episode.size_bytes * 8 / episode.duration_s)
        if episode.duration_s
        else None
    )
    files_of = [(episode.audio_file, episode.mime_type, episode.size_bytes, average)]
    files_of += [
        (row.file, row.mime_type, row.size_bytes, row.bitrate_bps)
        for row in episode.alternates
    ]
    codecs = [None] + [row.codec for row in episode.alternates]
    pairs = zip(files_of, codecs, strict=True)
    for index, ((file, kind, size, bitrate), codec) in enumerate(pairs):
        named, title = _CODECS.get(codec or "", (None, None))
        attributes = {"type": kind, "length": str(size)}
        if bitrate:
            attributes["bitrate"] = str(bitrate)
        if named:
            attributes["codecs"] = named
        if title:
            attributes["title"] = title
        if index == 0:
            attributes["default"] = "true"
        hub.add_nested(
            "podcast",
            "alternateEnclosure",
            attributes,
            [("podcast", "source", {"uri": links.media_url(file)})],
        )


def _transcript(transcript: Transcript, links: Builder) -> dict[str, str]:
    kind = _TRANSCRIPT_TYPES.get(transcript.mime_type, transcript.mime_type)
    attributes = {"url": links.media_url(transcript.file), "type": kind}
    if transcript.language:
        attributes["language"] = transcript.language
    if kind in _TIMED_TRANSCRIPTS:
        attributes["rel"] = "captions"
    return attributes


def last_change(show: Show, episodes: Iterable[Episode]) -> datetime.datetime:
    """Return when the show or one of `episodes` last changed, or went out."""
    # A scheduled episode going live changes the feed without touching its row.
    moments = [show.updated_at]
    for episode in episodes:
        # Every episode in a feed is published; a draft counts by its last edit.
        moments += [episode.updated_at, episode.published_at or episode.updated_at]
    return max(moments)


def _set_category(fg: FeedGenerator, category: str | None) -> None:
    """Set itunes:category from "Parent" or "Parent > Child".

    A category feedgen rejects loses its child first, then is left out: a feed
    without a category is better than no feed.
    """
    parent, _, child = (category or "").partition(">")
    parent, child = parent.strip(), child.partition(">")[0].strip()
    if not parent:
        return
    tries = [{"cat": parent, "sub": child}] if child else []
    for value in [*tries, {"cat": parent}]:
        try:
            fg.podcast.itunes_category(value, replace=True)
        except ValueError:
            continue
        return


class _Tags:
    """Namespaced elements, written in the order they were added.

    `add` appends one element; `_set` replaces an earlier one of the same name.
    Prefixes come from NAMESPACES.
    """

    def __init__(self) -> None:
        self._tags: list[tuple[str, str | None, dict[str, str], list[_Child]]] = []

    def extend_ns(self) -> dict[str, str]:
        return dict(NAMESPACES)

    def add(
        self, prefix: str, name: str, content: str | None = None, **attributes: str
    ) -> None:
        """Add `<prefix:name attributes…>content</prefix:name>`."""
        self._tags.append((_qualified(prefix, name), content, attributes, []))

    def add_nested(
        self,
        prefix: str,
        name: str,
        attributes: dict[str, str],
        children: list["_Child"],
    ) -> None:
        """Add `<prefix:name attributes…>` holding empty elements `children`,
        each (prefix, name, attributes)."""
        self._tags.append((_qualified(prefix, name), None, attributes, children))

    def _set(
        self, prefix: str, name: str, content: str | None = None, **attributes: str
    ) -> None:
        tag = _qualified(prefix, name)
        self._tags = [t for t in self._tags if t[0] != tag]
        self._tags.append((tag, content, attributes, []))

    def _write(self, parent: Any) -> None:
        for tag, content, attributes, children in self._tags:
            element = xml_elem(tag, parent)
            element.attrib.update(attributes)
            element.text = content
            for child_prefix, child_name, child_attributes in children:
                child = xml_elem(_qualified(child_prefix, child_name), element)
                child.attrib.update(child_attributes)

    def explicit(self, explicit: bool) -> None:
        """Mark as explicit or not, written `true`/`false` as Apple now asks."""
        self._set("itunes", "explicit", "true" if explicit else "false")


# A nested element: prefix, name, attributes.
_Child = tuple[str, str, dict[str, str]]


@functools.cache
def _qualified(prefix: str, name: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{name}"


class HubExtension(_Tags, BaseExtension):
    """Channel tags feedgen does not write, or not the way podcast apps expect."""

    def extend_rss(self, rss: Any) -> Any:
        self._write(rss.find("channel"))
        return rss


class HubEntryExtension(_Tags, BaseEntryExtension):
    """Item tags feedgen does not write, or not the way podcast apps expect."""

    def extend_rss(self, item: Any) -> Any:
        self._write(item)
        return item
