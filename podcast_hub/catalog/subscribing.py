"""Where a listener subscribes: each podcast app's link to the show.

Made from the show's feed address and, where the host gave them in the show
settings, its Apple Podcasts id and Spotify address. An https link (an app's
universal link or its web page that opens the app) is used where the app has
one for what we know; otherwise the app's own URL scheme, as the apps and the
Podlove Subscribe Button document them.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class AppLink:
    """One app's subscribe link: `key` names the app for styles and tests."""

    key: str
    name: str
    url: str


def app_links(
    feed_url: str,
    title: str = "",
    apple_id: str | None = None,
    spotify_url: str | None = None,
) -> list[AppLink]:
    """Return the subscribe link of each app, in the order the page shows them.

    Spotify is left out without its address: it cannot add a show by its feed.
    The last link, "Any app (RSS)", is the feed itself.
    """
    bare = _without_scheme(feed_url)
    quoted = quote(feed_url, safe="")
    links = [
        AppLink(
            "apple",
            "Apple Podcasts",
            f"https://podcasts.apple.com/podcast/id{apple_id}"
            if apple_id
            # Opens Apple Podcasts on an iPhone, iPad or Mac with the feed.
            else f"podcast://{bare}",
        )
    ]
    if spotify_url:
        links.append(AppLink("spotify", "Spotify", spotify_url))
    links += [
        AppLink(
            "overcast",
            "Overcast",
            f"https://overcast.fm/itunes{apple_id}"
            if apple_id
            else f"overcast://x-callback-url/add?url={quoted}",
        ),
        AppLink(
            "pocketcasts",
            "Pocket Casts",
            f"https://pca.st/itunes/{apple_id}"
            if apple_id
            else f"pktc://subscribe/{bare}",
        ),
        AppLink(
            "antennapod",
            "AntennaPod",
            "https://antennapod.org/deeplink/subscribe?"
            + urlencode(
                {"url": feed_url, "title": title} if title else {"url": feed_url}
            ),
        ),
        AppLink("podcastaddict", "Podcast Addict", f"podcastaddict://{bare}"),
        AppLink(
            "castro",
            "Castro",
            f"https://castro.fm/itunes/{apple_id}"
            if apple_id
            else f"castro://subscribe/{bare}",
        ),
        AppLink("rss", "Any app (RSS)", feed_url),
    ]
    return links


def _without_scheme(url: str) -> str:
    """Return `url` without `https://` or `http://`, as the apps' schemes take it."""
    for scheme in ("https://", "http://"):
        if url.lower().startswith(scheme):
            return url[len(scheme) :]
    return url
