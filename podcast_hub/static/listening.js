// Listening along: comments around the current moment light up, "follow along"
// keeps them in view, "no spoilers" hides comments ahead of the listener. Both
// switches are remembered per episode.
import { formatTime } from "./timecode.js";
import { recall, remember } from "./memory.js";
import { plural, scrollToElement } from "./ui.js";

const BEFORE_S = 2;
const AFTER_S = 12;

export function setupListening({ player, slug }) {
  const follow = document.getElementById("follow-along");
  const noSpoilers = document.getElementById("no-spoilers");
  const nowPlaying = document.getElementById("now-playing");
  const chapters = [...document.querySelectorAll(".chapter-list li[data-start]")];
  const stored = recall(slug);
  follow.checked = Boolean(stored.follow);
  noSpoilers.checked = Boolean(stored.noSpoilers);
  let shown = "";

  // Before the first play the listener is at their saved place, or the start.
  const position = () => player.currentTime;
  const isAhead = (seconds) => noSpoilers.checked && seconds > position() + 1;

  function typing() {
    return document.activeElement?.matches("input, textarea, select");
  }

  function currentChapter(t) {
    let current = null;
    for (const chapter of chapters) {
      if (Number(chapter.dataset.start) <= t) current = chapter;
    }
    chapters.forEach((chapter) => chapter.classList.toggle("is-current", chapter === current));
    return current?.querySelector(".chapter-title")?.textContent ?? null;
  }

  function update() {
    const t = position();
    const started = t > 0 || !player.paused;
    const now = [];
    for (const comment of document.querySelectorAll("#comments .comment")) {
      const raw = comment.dataset.timestamp;
      const seconds = raw === "" ? null : Number(raw);
      const ahead = seconds !== null && isAhead(seconds);
      const isNow = started && seconds !== null && !ahead && t >= seconds - BEFORE_S && t < seconds + AFTER_S;
      comment.classList.toggle("is-ahead", ahead);
      comment.classList.toggle("is-now", isNow);
      if (isNow) now.push(comment);
    }
    const chapter = currentChapter(t);
    const parts = [];
    if (started && chapter) parts.push(`Chapter: ${chapter}`);
    if (now.length) {
      parts.push(`${plural(now.length, "comment")} on ${formatTime(Number(now[0].dataset.timestamp))}`);
    }
    const text = parts.join(" · ");
    if (text === shown) return;
    shown = text;
    nowPlaying.textContent = text;
    if (follow.checked && now.length && !typing()) scrollToElement(now[0]);
  }

  follow.addEventListener("change", () => {
    remember(slug, { follow: follow.checked });
    shown = "";
    update();
  });
  noSpoilers.addEventListener("change", () => {
    remember(slug, { noSpoilers: noSpoilers.checked });
    update();
  });
  player.addEventListener("timeupdate", update);
  player.addEventListener("seeked", update);
  update();
  return { update, isAhead };
}
