// The player: seeking, where to start (?t=, #t=, or where the listener left off),
// skip buttons, and "share this moment".
import { formatTime, parseTime } from "./timecode.js";
import { recall, remember } from "./memory.js";

export const player = document.getElementById("player");
const slug = player?.dataset.slug ?? "";
const SAVE_EVERY_S = 5;

export function duration() {
  if (Number.isFinite(player.duration) && player.duration > 0) return player.duration;
  return Number(player.dataset.duration);
}

function whenReady(action) {
  if (player.readyState >= 1) action();
  else player.addEventListener("loadedmetadata", action, { once: true });
}

export function seek(seconds, { play = true } = {}) {
  if (!player || !Number.isFinite(seconds)) return;
  whenReady(() => {
    player.currentTime = Math.min(Math.max(seconds, 0), duration());
    if (play) player.play().catch(() => {});
  });
}

// The moment the address asks for: ?t=754, ?t=12:34 or #t=754, else the moment
// of the comment ?comment= names (the server writes it in data-start); null for
// none.
export function requestedStart() {
  const query = new URLSearchParams(location.search).get("t");
  const hash = new URLSearchParams(location.hash.slice(1)).get("t");
  return momentIn(query ?? hash ?? player.dataset.start ?? null);
}

function momentIn(raw) {
  const seconds = raw === null ? null : parseTime(raw);
  if (seconds === null || seconds > Number(player.dataset.duration)) return null;
  return seconds;
}

function status(...nodes) {
  document.getElementById("player-status")?.replaceChildren(...nodes);
}

function startWhereAsked() {
  const start = requestedStart();
  if (start !== null) {
    seek(start, { play: false });
    return;
  }
  const { position } = recall(slug);
  if (!(position >= SAVE_EVERY_S) || position > Number(player.dataset.duration) - SAVE_EVERY_S) return;
  seek(position, { play: false });
  const over = document.createElement("button");
  over.type = "button";
  over.className = "link";
  over.textContent = "Start from the beginning";
  over.addEventListener("click", () => {
    seek(0, { play: false });
    status();
  });
  status(`Picked up where you left off, at ${formatTime(position)}. `, over);
}

function keepPosition() {
  let saved = -SAVE_EVERY_S;
  const save = () => {
    saved = player.currentTime;
    remember(slug, { position: Math.floor(player.currentTime) });
  };
  player.addEventListener("timeupdate", () => {
    if (Math.abs(player.currentTime - saved) >= SAVE_EVERY_S) save();
  });
  player.addEventListener("pause", save);
  player.addEventListener("ended", () => remember(slug, { position: 0 }));
  addEventListener("pagehide", save);
}

export function shareLink(seconds) {
  const url = new URL(location.pathname, location.origin);
  if (seconds > 0) url.searchParams.set("t", String(seconds));
  return url.href;
}

async function shareMoment() {
  const seconds = Math.floor(player.currentTime);
  const link = shareLink(seconds);
  const where = seconds > 0 ? `to ${formatTime(seconds)}` : "to the episode";
  try {
    await navigator.clipboard.writeText(link);
    const shown = document.createElement("a");
    shown.href = link;
    shown.textContent = link;
    status(`Link ${where} copied: `, shown);
  } catch {
    // No clipboard (an older browser, or permission refused): show it to copy by hand.
    const field = document.createElement("input");
    field.readOnly = true;
    field.value = link;
    field.setAttribute("aria-label", `Link ${where}`);
    status(`Copy this link ${where}: `, field);
    field.select();
    field.focus();
  }
}

export function setupPlayer() {
  if (!player) return;
  document.querySelectorAll("[data-enhanced]").forEach((element) => { element.hidden = false; });
  startWhereAsked();
  keepPosition();
  addEventListener("hashchange", () => {
    const start = momentIn(new URLSearchParams(location.hash.slice(1)).get("t"));
    if (start !== null) seek(start);
  });
  document.querySelectorAll("[data-skip]").forEach((button) => {
    button.addEventListener("click", () => {
      seek(player.currentTime + Number(button.dataset.skip), { play: !player.paused });
    });
  });
  document.getElementById("share-moment")?.addEventListener("click", shareMoment);
}
