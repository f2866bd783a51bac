// The timeline in the player bar. The server draws it first (and for browsers
// without JavaScript); here the markers are redrawn from the compact moments JSON
// ([second, count, first comment id] rows), grouped so that they never overlap at
// this screen's width. Arrow keys move between markers; hovering or focusing one
// previews its comment.
import { formatTime } from "./timecode.js";
import { getJSON } from "./http.js";
import { plural } from "./ui.js";

const MIN_GAP_PX = 30;
const HEAT_BINS = 40; // timeline.SLICES
const SNIPPET = 140;

// Merge moments less than `windowS` after the first of a group, as timeline.py does.
export function groupMoments(moments, windowS) {
  const groups = [];
  for (const [second, count, id] of moments) {
    const last = groups[groups.length - 1];
    if (last && second - last.start < windowS) {
      last.count += count;
    } else {
      groups.push({ start: second, count, id });
    }
  }
  return groups;
}

function heatLevels(moments, duration) {
  const totals = new Array(HEAT_BINS).fill(0);
  for (const [second, count] of moments) {
    const index = duration > 0 ? Math.floor((second * HEAT_BINS) / duration) : 0;
    totals[Math.min(Math.max(index, 0), HEAT_BINS - 1)] += count;
  }
  const busiest = Math.max(...totals);
  return totals.map((total) => (busiest ? total / busiest : 0));
}

function label(group) {
  const at = formatTime(group.start);
  return `${plural(group.count, "comment")} ${group.count === 1 ? "at" : "from"} ${at}`;
}

export function setupTimeline({ player, reveal, isAhead, commentApi }) {
  const timeline = document.getElementById("timeline");
  if (!timeline) return null;
  const duration = Number(timeline.dataset.duration);
  const markersBox = timeline.querySelector(".markers");
  const heat = timeline.querySelector(".heat");
  const preview = document.getElementById("timeline-preview");
  const wrap = timeline.parentElement;
  const fetched = new Map();
  let moments = null;
  let active = 0;

  const percent = (seconds) => (duration > 0 ? Math.min(100, (seconds / duration) * 100) : 0);
  const markers = () => [...markersBox.querySelectorAll(".marker")];

  function markerFor(group) {
    const marker = document.createElement("a");
    marker.className = "marker";
    marker.href = `?t=${group.start}&comment=${group.id}#comment-${group.id}`;
    marker.dataset.seek = String(group.start);
    marker.dataset.comment = String(group.id);
    marker.dataset.count = String(group.count);
    marker.style.setProperty("--at", `${percent(group.start)}%`);
    marker.setAttribute("aria-label", label(group));
    if (group.count > 1) marker.textContent = String(group.count);
    return marker;
  }

  function draw() {
    // Redrawn markers are new elements: a keyboard user on the timeline stays there.
    const focused = markersBox.contains(document.activeElement);
    if (moments) {
      const windowS = Math.max(1, (duration * MIN_GAP_PX) / Math.max(timeline.clientWidth, 1));
      markersBox.replaceChildren(...groupMoments(moments, windowS).map(markerFor));
      heat.replaceChildren(...heatLevels(moments, duration).map((level) => {
        const bin = document.createElement("span");
        bin.style.setProperty("--heat", level.toFixed(2));
        return bin;
      }));
    }
    rove(Math.min(active, Math.max(markers().length - 1, 0)), focused);
    markSpoilers();
  }

  // One Tab stop for the whole timeline; arrow keys move along it.
  function rove(index, focus = true) {
    const all = markers();
    all.forEach((marker, i) => { marker.tabIndex = i === index ? 0 : -1; });
    active = index;
    if (focus) all[index]?.focus();
  }

  function markSpoilers() {
    for (const marker of markers()) {
      marker.classList.toggle("is-ahead", isAhead(Number(marker.dataset.seek)));
    }
  }

  async function commentText(id) {
    const element = document.getElementById(`comment-${id}`);
    if (element) {
      return {
        author: element.querySelector(".author")?.textContent ?? "",
        body: element.querySelector(".comment-body")?.textContent ?? "",
      };
    }
    if (!fetched.has(id)) {
      fetched.set(id, getJSON(`${commentApi}${id}`).catch(() => ({ author: "", body: "" })));
    }
    return fetched.get(id);
  }

  async function showPreview(marker) {
    const seconds = Number(marker.dataset.seek);
    const count = Number(marker.dataset.count);
    const head = document.createElement("strong");
    head.textContent = label({ start: seconds, count });
    const snippet = document.createElement("span");
    snippet.className = "snippet";
    preview.replaceChildren(head, snippet);
    preview.hidden = false;
    marker.setAttribute("aria-describedby", preview.id);
    place(marker);
    if (isAhead(seconds)) {
      snippet.textContent = "Ahead of you: hidden by No spoilers.";
      return;
    }
    const { author, body } = await commentText(marker.dataset.comment);
    if (preview.hidden || marker.getAttribute("aria-describedby") !== preview.id) return;
    const words = body.trim().replace(/\s+/g, " ");
    const short = words.length > SNIPPET ? `${words.slice(0, SNIPPET)}…` : words;
    snippet.textContent = author ? `${author.trim()}: ${short}` : short;
    place(marker);
  }

  function place(marker) {
    const box = wrap.getBoundingClientRect();
    const spot = marker.getBoundingClientRect();
    const width = preview.offsetWidth;
    const centre = spot.left + spot.width / 2 - box.left;
    const left = Math.min(Math.max(centre - width / 2, 0), Math.max(box.width - width, 0));
    preview.style.left = `${left}px`;
  }

  function hidePreview() {
    preview.hidden = true;
    markers().forEach((marker) => marker.removeAttribute("aria-describedby"));
  }

  markersBox.addEventListener("keydown", (event) => {
    const all = markers();
    const index = all.indexOf(event.target);
    if (index < 0) return;
    const moves = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: all.length - 1 };
    if (event.key === "Escape") {
      hidePreview();
      return;
    }
    if (!(event.key in moves)) return;
    event.preventDefault();
    rove(Math.min(Math.max(moves[event.key], 0), all.length - 1));
  });
  markersBox.addEventListener("focusin", (event) => {
    if (event.target.matches(".marker")) {
      active = markers().indexOf(event.target);
      showPreview(event.target);
    }
  });
  markersBox.addEventListener("focusout", hidePreview);
  markersBox.addEventListener("pointerover", (event) => {
    const marker = event.target.closest(".marker");
    if (marker) showPreview(marker);
  });
  markersBox.addEventListener("pointerout", (event) => {
    if (event.target.closest(".marker") && document.activeElement !== event.target) hidePreview();
  });
  markersBox.addEventListener("click", (event) => {
    const marker = event.target.closest(".marker");
    if (!marker) return;
    // The page-wide [data-seek] handler plays from here; bring the comment in too.
    rove(markers().indexOf(marker), false);
    reveal(Number(marker.dataset.comment));
  });
  // Pressing the bar away from the markers is the player bar's (bar.js).
  player.addEventListener("timeupdate", markSpoilers);
  player.addEventListener("seeked", markSpoilers);

  new ResizeObserver(() => draw()).observe(timeline);
  getJSON(timeline.dataset.moments)
    .then((data) => {
      moments = data.moments;
      draw();
    })
    .catch(() => { /* The server-drawn markers stay. */ });
  rove(0, false);

  return {
    // A comment just posted: its moment joins the timeline at once.
    add(seconds, id) {
      if (!moments || seconds === null || seconds === undefined) return;
      const row = moments.find(([second]) => second === seconds);
      if (row) row[1] += 1;
      else moments = [...moments, [seconds, 1, id]].sort((a, b) => a[0] - b[0]);
      draw();
    },
    refresh: markSpoilers,
  };
}
