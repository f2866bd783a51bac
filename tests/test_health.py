"""Feed health: the checklist of what Apple, Spotify and the Podcast Index need,
read from real files, in `hub import`, `hub check` and on the dashboard."""

import pytest
from PIL import Image

from podcast_hub.catalog import health, importer

from .helpers import make_episode, make_show, update


def image(path, size=(1400, 1400), fmt="PNG", mode="RGB"):
    Image.new(mode, size).save(path, fmt)
    return path


def items(media_dir, findings=None):
    """Return the checklist as {key: item}."""
    checklist = health.feed_health(media_dir, findings)
    return {item.key: item for item in checklist.items}


def test_a_show_that_meets_every_need_passes(app_context, media_dir, audio_file):
    image(media_dir / "cover.png", (3000, 3000))
    make_show(cover="cover.png", category="Society & Culture > Personal Journals")
    audio_file("speech.mp3", "talk.mp3")
    audio_file("speech.opus", "talk.opus")
    importer.sync(media_dir)

    checklist = health.feed_health(media_dir)

    assert [item.status for item in checklist.items] == ["pass"] * len(checklist.items)
    assert not checklist.failed
    found = {item.key: item.found for item in checklist.items}
    assert found["formats"] == (
        "every episode is MP3 or M4A; other formats offered beside it for 1 episode"
    )


def test_no_show_is_one_failing_item(app_context, media_dir):
    (item,) = health.feed_health(media_dir).items
    assert (item.key, item.status) == ("show", "fail")
    assert "show.toml" in item.fix


def test_no_cover_fails(app_context, media_dir):
    make_show(cover=None)
    item = items(media_dir)["cover"]
    assert item.status == "fail" and item.found == "the show has no cover art"
    assert "1400 to 3000 px" in item.fix


def test_a_cover_that_vanished_fails(app_context, media_dir):
    make_show(cover="cover.png")
    item = items(media_dir)["cover"]
    assert item.status == "fail"
    assert item.found == "cover.png is gone from the media folder: apps get a 404"


@pytest.mark.parametrize(
    ("name", "fmt", "size", "failing"),
    [
        ("cover.jpeg", "JPEG", (1400, 1400), {}),
        ("cover.JPG", "JPEG", (3000, 3000), {}),
        ("cover.PNG", "PNG", (2000, 2000), {}),
        ("cover.png", "PNG", (1400, 1000), {"cover-size": "1400×1000 px"}),
        ("cover.png", "PNG", (1000, 1000), {"cover-size": "1000×1000 px"}),
        ("cover.png", "PNG", (3200, 3200), {"cover-size": "3200×3200 px"}),
        (
            "cover.jpg",
            "GIF",
            (1400, 1400),
            {"cover-format": "cover.jpg holds GIF data"},
        ),
    ],
)
def test_cover_art_is_judged_by_its_content(
    app_context, media_dir, name, fmt, size, failing
):
    image(media_dir / name, size, fmt, "P" if fmt == "GIF" else "RGB")
    make_show(cover=name)

    found = items(media_dir)

    assert found["cover"].status == "pass"
    failed = {k: i.found for k, i in found.items() if i.status == "fail"}
    del failed["episodes"]  # none here
    assert failed == failing


def test_png_named_jpg_and_cmyk_are_warnings(app_context, media_dir):
    image(media_dir / "cover.jpg", fmt="PNG")
    image(media_dir / "art.jpg", fmt="JPEG", mode="CMYK")
    make_show(cover="cover.jpg")
    make_episode(audio_file="talk.mp3", image="art.jpg")

    found = items(media_dir)

    assert found["cover-format"].status == "warn"
    assert found["cover-format"].fix == "rename it to end with .png"
    assert found["episode-art"].status == "warn"
    assert found["episode-art"].details == (
        "art.jpg: art.jpg uses the CMYK colour space",
    )


@pytest.mark.parametrize(
    ("category", "status", "fix"),
    [
        ("Technology", "pass", None),
        ("Tech", "fail", 'use "Technology"'),
        ("Games & Hobbies", "fail", 'use "Leisure > Games"'),
        ("", "fail", 'use one of Apple\'s, e.g. "Technology"'),
    ],
)
def test_category_comes_from_apples_list(app_context, media_dir, category, status, fix):
    make_show(category=category)
    item = items(media_dir)["category"]
    assert item.status == status
    assert (item.fix or "").startswith(fix or "")


@pytest.mark.parametrize(
    ("name", "email", "status"),
    [
        ("Dana", "dana@example.com", "pass"),
        ("", "dana@example.com", "warn"),
        ("Dana", "", "fail"),
    ],
)
def test_owner_name_and_email(app_context, media_dir, name, email, status):
    make_show(owner_name=name, owner_email=email, author="Dana Reyes")
    assert items(media_dir)["owner"].status == status


def test_descriptions_over_4000_bytes(app_context, media_dir):
    show = make_show(description="é" * 1999)  # 3,998 bytes
    make_episode(slug="long", description="ü" * 2001)  # 4,002 bytes
    item = items(media_dir)["descriptions"]
    assert item.status == "warn"
    assert item.details == ("episode 'long': 4,002 bytes",)

    update(show, description="é" * 2001)
    assert items(media_dir)["descriptions"].status == "fail"
    update(show, description="")
    assert items(media_dir)["descriptions"].found == (
        "the show has no description (Apple requires one)"
    )


def test_a_serial_show_needs_every_full_episode_numbered(app_context, media_dir):
    show = make_show(show_type="serial")
    make_episode(number=1)
    make_episode(slug="trailer", episode_type="trailer")
    make_episode(slug="unnumbered", audio_file="two.mp3")
    make_episode(slug="draft", published_at=None)

    item = items(media_dir)["serial"]

    assert item.status == "fail"
    assert item.details == ("episode 'unnumbered' (two.mp3)",)
    update(show, show_type="episodic")
    assert items(media_dir)["serial"].status == "pass"


def test_an_episode_only_in_a_format_apple_skips_is_a_warning(
    app_context, media_dir, audio_file
):
    make_show()
    audio_file("speech.ogg", "talk.ogg")
    audio_file("speech.opus", "other.opus")
    audio_file("speech.m4a", "fine.m4a")
    audio_file("speech.flac", "fine.flac")
    importer.sync(media_dir)

    item = items(media_dir)["formats"]

    assert item.status == "warn"
    assert item.details == ("talk.ogg (audio/ogg)", "other.opus (audio/ogg)")
    assert "MP3 or M4A of the same name" in item.fix


def test_an_empty_feed_fails(app_context, media_dir):
    make_show()
    make_episode(published_at=None)
    assert items(media_dir)["episodes"].status == "fail"


def test_vanished_files_fail_until_the_import_takes_the_art_out(
    app_context, media_dir, audio_file
):
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    image(media_dir / "talk.png")
    importer.sync(media_dir)
    (media_dir / "talk.png").unlink()

    item = items(media_dir)["files"]
    assert item.status == "fail" and item.details == ("talk.png",)

    report = importer.sync(media_dir)
    findings = health.Findings(vanished=report.vanished)
    item = items(media_dir, findings)["files"]
    assert item.status == "warn"
    assert item.details == ("talk.png: taken out of the feed",)


def test_an_episode_whose_audio_is_gone_is_out_of_the_feed_not_a_404(
    app_context, media_dir, audio_file
):
    """Once the import found talk.mp3 gone, the feed no longer names it: the
    checklist says the episode left the feed, not that apps get a 404."""
    make_show()
    audio_file("speech.mp3", "talk.mp3")
    audio_file("speech.opus", "other.opus")
    importer.sync(media_dir)
    (media_dir / "talk.mp3").unlink()
    item = items(media_dir)["files"]
    assert item.status == "fail"
    assert item.found == "1 file the feed names is gone: apps get a 404"

    importer.sync(media_dir)
    found = items(media_dir)
    assert found["files"].status == "warn"
    assert found["files"].found == "1 episode out of the feed: the audio file is gone"
    assert found["files"].details == (
        "episode 'talk': talk.mp3 is gone; the episode is out of the feed until "
        "the file is back",
    )
    assert found["episodes"].found == "1 episode"

    importer.sync(media_dir, prune=True)
    assert items(media_dir)["files"].status == "pass"


def test_durations_counted_frame_by_frame_are_named(app_context, media_dir, audio_file):
    make_show()
    audio_file("vbr-no-xing.mp3", "talk.mp3")
    report = importer.sync(media_dir)

    item = items(media_dir, health.Findings(counted=report.counted))["durations"]

    assert report.counted == [("talk.mp3", 27, 3)]
    assert item.status == "pass"
    assert item.details == (
        "talk.mp3: no length in its header (a VBR MP3 without a Xing header?); "
        "counted 0:27 frame by frame, where the header suggested 0:03",
    )


def test_a_comment_at_0_27_of_a_vbr_mp3_without_header_is_taken(
    app, client, media_dir, audio_file
):
    """The header said 0:03; a listener's moment at 0:20 used to be refused."""
    make_show()
    audio_file("vbr-no-xing.mp3", "talk.mp3")
    with app.app_context():
        importer.sync(media_dir)
    page = client.get("/episodes/talk")
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1]
    token = token.split('"')[0]
    response = client.post(
        "/api/episodes/talk/comments",
        json={"author": "Lee", "body": "This bit!", "timestamp": 20},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.json
    assert client.get("/api/episodes/talk").json["duration"] == 27


def test_hub_import_ends_with_the_checklist(app, runner, media_dir, audio_file):
    image(media_dir / "cover.jpeg", (1000, 1000), "JPEG")
    (media_dir / "show.toml").write_text(
        'title = "Moments"\ndescription = "A show."\ncategory = "Tech"\n'
        'owner_email = "dana@example.com"\ncover = "cover.jpeg"\n'
    )
    audio_file("speech.ogg", "talk.ogg")

    result = runner.invoke(args=["hub", "import"])

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Feed health (2 fail, 2 warn, 8 pass):" in out
    assert "  fail  Cover art is square, 1400–3000 px: 1000×1000 px" in out
    assert (
        "  fail  Category from Apple's list: 'Tech' is not one of Apple's categories"
        in out
    )
    assert '          fix: use "Technology"' in out
    assert "  warn  Audio in a format Apple lists" in out
    assert "          talk.ogg (audio/ogg)" in out


def test_hub_check_exits_1_when_an_item_fails(app, runner, media_dir):
    image(media_dir / "cover.png")
    make_show(cover="cover.png")
    result = runner.invoke(args=["hub", "check"])
    assert result.exit_code == 1
    assert "  fail  At least one episode: the feed has no episode" in result.stdout

    make_episode(audio_file="talk.mp3")
    (media_dir / "talk.mp3").write_bytes(b"")
    result = runner.invoke(args=["hub", "check"])
    assert result.exit_code == 0, result.stdout


def boxes(page, selector):
    return [element.bounding_box() for element in page.locator(selector).all()]


def test_the_dashboard_tab_shows_the_checklist_to_hosts_only(
    app, client, auth, media_dir
):
    image(media_dir / "cover.png")
    make_show(cover="cover.png", category="Games & Hobbies")
    assert client.get("/dashboard/health").status_code in (302, 401)

    auth.login()
    response = client.get("/dashboard/health")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-health="fail"' in html
    category = html.split('id="health-category"')[1].split("</li>")[0]
    assert 'data-status="fail"' in category
    assert (
        "&#39;Games &amp; Hobbies&#39; is not one of Apple&#39;s categories" in category
    )
    assert "How to fix:</strong> use &#34;Leisure &gt; Games&#34;" in category
    assert 'id="health-cover-size" data-status="pass"' in html
    assert 'href="/dashboard/health" aria-current="page"' in html


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
def test_the_dashboard_tab_fits_a_phone_without_javascript(
    app, open_page, live_server, auth, media_dir, width
):
    from .browser import require_chromium

    require_chromium()
    make_show(cover=None, category="Tech", owner_name="")
    make_episode(audio_file="a-long-folder-name/of-an-episode-file-whose-name.ogg")
    page = open_page("/login", javascript=False, width=width)
    page.fill("input[name=email]", "host@example.com")
    page.fill("input[name=password]", "correct horse")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/dashboard/health")

    fails = page.locator('.health-item[data-status="fail"] h3').all_inner_texts()
    assert "Category from Apple's list" in fails and "Cover art" in fails
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The status badges are one size: every item's text starts at one edge,
    # and a badge is one line high, not the height of its item.
    lefts = {round(box["x"]) for box in boxes(page, ".health-item h3")}
    assert len(lefts) == 1, lefts
    heights = {round(box["height"]) for box in boxes(page, ".health-item .status")}
    assert max(heights) < 30, heights
