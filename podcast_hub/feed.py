"""The podcast feed: RSS 2.0 with the tags podcast apps read, built with feedgen."""

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from . import timecode

NAMESPACES = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
GENERATOR = "Podcast Hub"
# feedgen refuses other endings for itunes:image, and so does Apple.
IMAGE_ENDINGS = (".jpg", ".png")


def render(show, episodes, links):
    """Return the RSS feed of `show` with `episodes`, in the order given, as bytes.

    `links` is the module building absolute URLs (`podcast_hub.links`).
    """
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("hub", HubExtension, HubEntryExtension, atom=False)
    _describe_show(fg, show, episodes, links)
    for episode in episodes:
        _describe_episode(fg.add_entry(order="append"), episode, show, links)
    return fg.rss_str(pretty=False, encoding="UTF-8", xml_declaration=True)


def _describe_show(fg, show, episodes, links):
    fg.title(show.title)
    fg.description(show.description or show.title)
    fg.language(show.language)
    fg.generator(GENERATOR)
    # RSS takes the last link added as the channel's <link>.
    fg.link(href=links.feed_url(), rel="self", type="application/rss+xml")
    fg.link(href=links.site_url(), rel="alternate")
    # feedgen would stamp the time of rendering, making every response new.
    fg.lastBuildDate(_last_change(show, episodes))
    fg.podcast.itunes_author(show.author or show.owner_name or show.title)
    if show.owner_name and show.owner_email:
        fg.podcast.itunes_owner(name=show.owner_name, email=show.owner_email)
    if show.description:
        fg.podcast.itunes_summary(show.description)
    _set_category(fg, show.category)
    cover = links.media_url(show.cover) if show.cover else None
    if cover and cover.endswith(IMAGE_ENDINGS):
        fg.podcast.itunes_image(cover)
        fg.image(url=cover, title=show.title, link=links.site_url())
    fg.hub.explicit(show.explicit)


def _describe_episode(fe, episode, show, links):
    page = links.page_url(episode)
    fe.title(episode.title)
    fe.link(href=page)
    fe.description(episode.description or episode.title)
    fe.guid(episode.guid, permalink=False)
    fe.pubDate(episode.published_at)
    fe.enclosure(links.audio_url(episode), str(episode.size_bytes), episode.mime_type)
    fe.comments(page)
    fe.podcast.itunes_duration(timecode.itunes(episode.duration_s))
    fe.podcast.itunes_author(episode.artist or show.author or show.title)
    fe.podcast.itunes_episode_type(episode.episode_type)
    if episode.season:
        fe.podcast.itunes_season(episode.season)
    if episode.number:
        fe.podcast.itunes_episode(episode.number)
    fe.hub.explicit(episode.explicit)


def _last_change(show, episodes):
    # A scheduled episode going live changes the feed without touching its row.
    moments = [show.updated_at]
    for episode in episodes:
        moments += [episode.updated_at, episode.published_at]
    return max(moments)


def _set_category(fg, category):
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
    """Namespaced elements set one by one and written in the order they were set.

    New tags are a setter calling `_set` with a prefix from NAMESPACES, e.g. the
    Podcasting 2.0 `podcast:` tags once their namespace is added there.
    """

    def __init__(self):
        self._tags = {}

    def extend_ns(self):
        return dict(NAMESPACES)

    def _set(self, prefix, name, text=None, **attributes):
        self._tags[prefix, name] = (text, attributes)

    def _write(self, parent):
        for (prefix, name), (text, attributes) in self._tags.items():
            element = xml_elem(f"{{{NAMESPACES[prefix]}}}{name}", parent)
            element.attrib.update(attributes)
            element.text = text

    def explicit(self, explicit):
        """Mark as explicit or not, written `true`/`false` as Apple now asks."""
        self._set("itunes", "explicit", "true" if explicit else "false")


class HubExtension(_Tags, BaseExtension):
    """Channel tags feedgen does not write the way podcast apps expect."""

    def extend_rss(self, rss):
        self._write(rss.find("channel"))
        return rss


class HubEntryExtension(_Tags, BaseEntryExtension):
    """Item tags feedgen does not write the way podcast apps expect."""

    def extend_rss(self, item):
        self._write(item)
        return item
