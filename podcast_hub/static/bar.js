// The player bar: one control that is the scrubber and the timeline. The native
// <audio id="player"> stays underneath (it plays; without JavaScript its own
// control shows); here its control is replaced by play/pause, skips, the time,
// the speed and a slider drawn on the timeline's own scale, so that the comment
// markers and chapters line up with the played part. The bar docks at the bottom
// of the screen: always on a phone, on a wide screen once the page scrolls past it.
import { formatTime } from "./timecode.js";
import { seek } from "./player.js";

const SPEEDS = [1, 1.25, 1.5, 1.75, 2, 0.75];
const SPEED_KEY = "podcast-hub:speed";
const PHONE = "(max-width: 40rem)";
// Where keys type text: the shortcuts leave them alone.
const FIELD = 'input, textarea, select, [contenteditable]:not([contenteditable="false"])';
const SLIDER_STEPS = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -30, PageUp: 30 };

function savedSpeed() {
  try {
    const rate = Number(localStorage.getItem(SPEED_KEY));
    return SPEEDS.includes(rate) ? rate : 1;
  } catch {
    return 1;
  }
}

export function setupBar(player) {
  const bar = document.getElementById("player-bar");
  const slot = document.getElementById("player-slot");
  const timeline = document.getElementById("timeline");
  const scrubber = document.getElementById("scrubber");
  if (!bar || !slot || !timeline || !scrubber) return null;
  const playButton = document.getElementById("player-play");
  const current = bar.querySelector("[data-current]");
  const speed = document.getElementById("player-speed");
  // The scale of the markers and chapters (the server's duration): the slider uses
  // it too, so that a marker and the played part meet at the same second.
  const scale = Number(timeline.dataset.duration);
  const segments = [...timeline.querySelectorAll(".chapter-segment")];

  player.controls = false;
  player.hidden = true;
  bar.classList.add("is-enhanced");

  function draw() {
    const t = player.currentTime;
    const at = scale > 0 ? Math.min(100, (t / scale) * 100) : 0;
    timeline.style.setProperty("--played", `${at}%`);
    scrubber.setAttribute("aria-valuenow", String(Math.floor(t)));
    scrubber.setAttribute("aria-valuetext", `${formatTime(t)} of ${formatTime(scale)}`);
    current.textContent = formatTime(t);
    let now = null;
    for (const segment of segments) if (Number(segment.dataset.start) <= t) now = segment;
    segments.forEach((segment) => segment.classList.toggle("is-current", segment === now));
  }

  function showPlaying() {
    const playing = !player.paused;
    playButton.setAttribute("aria-label", playing ? "Pause" : "Play");
    playButton.title = playing ? "Pause (space or k)" : "Play (space or k)";
    playButton.classList.toggle("is-playing", playing);
  }

  const toggle = () => {
    if (player.paused) player.play().catch(() => {});
    else player.pause();
  };
  const skipBy = (seconds) => seek(player.currentTime + seconds, { play: !player.paused });

  function setSpeed(rate) {
    player.defaultPlaybackRate = rate;
    player.playbackRate = rate;
    speed.textContent = `${rate}×`;
    speed.setAttribute("aria-label", `Playback speed: ${rate}×`);
    try {
      localStorage.setItem(SPEED_KEY, String(rate));
    } catch {
      // Storage off: the speed holds until the page closes.
    }
  }

  playButton.addEventListener("click", toggle);
  speed.addEventListener("click", () => {
    setSpeed(SPEEDS[(SPEEDS.indexOf(player.playbackRate) + 1) % SPEEDS.length]);
  });
  for (const event of ["timeupdate", "seeking", "seeked", "loadedmetadata"]) {
    player.addEventListener(event, draw);
  }
  for (const event of ["play", "pause", "ended"]) player.addEventListener(event, showPlaying);

  scrubber.addEventListener("keydown", (event) => {
    let target;
    if (event.key in SLIDER_STEPS) target = player.currentTime + SLIDER_STEPS[event.key];
    else if (event.key === "Home") target = 0;
    else if (event.key === "End") target = scale;
    else return;
    event.preventDefault();
    seek(target, { play: !player.paused });
  });

  // Pressing or dragging on the bar moves there; a chapter's label starts it.
  const secondsAt = (x) => {
    const box = timeline.getBoundingClientRect();
    return Math.round(Math.min(Math.max((x - box.left) / box.width, 0), 1) * scale);
  };
  let dragging = null;
  timeline.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.target.closest(".marker")) return;
    const chapter = event.target.closest(".chapter-segment");
    if (chapter) {
      seek(Number(chapter.dataset.start), { play: !player.paused });
      return;
    }
    dragging = event.pointerId;
    timeline.setPointerCapture(event.pointerId);
    seek(secondsAt(event.clientX), { play: !player.paused });
  });
  timeline.addEventListener("pointermove", (event) => {
    if (event.pointerId === dragging) seek(secondsAt(event.clientX), { play: !player.paused });
  });
  const stop = () => { dragging = null; };
  timeline.addEventListener("pointerup", stop);
  timeline.addEventListener("pointercancel", stop);

  // Space/k, j/l and the arrows, unless the key belongs to where the focus is.
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest(FIELD) || target?.isContentEditable) return;
    if (event.key === " " && target?.closest("button, summary, [role=button]")) return;
    const actions = {
      " ": toggle,
      k: toggle,
      j: () => skipBy(-10),
      l: () => skipBy(10),
      ArrowLeft: () => skipBy(-5),
      ArrowRight: () => skipBy(5),
    };
    const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  // Docking: the slot keeps the bar's place in the page while it is docked on a
  // wide screen; the page gets room at its end so that the bar covers nothing.
  const phone = matchMedia(PHONE);
  let scrolledPast = false;
  function dock() {
    const docked = phone.matches || scrolledPast;
    if (docked && !phone.matches && !bar.classList.contains("is-docked")) {
      slot.style.minHeight = `${slot.offsetHeight}px`;
    }
    if (!docked || phone.matches) slot.style.minHeight = "";
    bar.classList.toggle("is-docked", docked);
    const room = docked ? `${bar.offsetHeight}px` : "";
    document.body.style.paddingBottom = room;
    document.documentElement.style.scrollPaddingBottom = room;
  }
  new IntersectionObserver(([entry]) => {
    scrolledPast = !entry.isIntersecting && entry.boundingClientRect.top < 0;
    dock();
  }).observe(slot);
  phone.addEventListener("change", dock);
  new ResizeObserver(() => dock()).observe(bar);

  setSpeed(savedSpeed());
  draw();
  showPlaying();
  dock();
  return { toggle };
}
