// Episode page: seek links, ?t= start, and a timestamp field that follows the player.
import { formatTime, parseTime } from "./timecode.js";

const player = document.getElementById("player");

function seek(seconds, { play = true } = {}) {
  if (!player || Number.isNaN(seconds)) return;
  player.currentTime = seconds;
  if (play) player.play().catch(() => {});
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-seek]");
  if (!link || !player) return;
  event.preventDefault();
  seek(Number(link.dataset.seek));
  player.scrollIntoView({ block: "nearest", behavior: "smooth" });
});

function startAt() {
  const params = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.slice(1));
  const raw = params.get("t") ?? hash.get("t");
  const seconds = raw === null ? null : parseTime(raw);
  const duration = Number(player.dataset.duration);
  if (seconds === null || seconds > duration) return;
  const apply = () => seek(seconds, { play: false });
  if (player.readyState >= 1) apply();
  else player.addEventListener("loadedmetadata", apply, { once: true });
}

function followPlayer(form) {
  const field = form.querySelector('input[name="timestamp"]');
  const tools = form.querySelector(".timestamp-tools");
  if (!field || !player) return;
  // Follow the player until the listener types a moment or clears the field.
  let following = field.value === "";
  tools.hidden = false;
  const show = () => {
    if (following && (player.currentTime > 0 || !player.paused)) {
      field.value = formatTime(Math.floor(player.currentTime));
    }
  };
  player.addEventListener("timeupdate", show);
  player.addEventListener("seeked", show);
  field.addEventListener("input", () => { following = false; });
  form.querySelector("[data-timestamp-now]").addEventListener("click", () => {
    following = true;
    field.value = formatTime(Math.floor(player.currentTime));
  });
  form.querySelector("[data-timestamp-clear]").addEventListener("click", () => {
    following = false;
    field.value = "";
    field.focus();
  });
}

if (player) {
  startAt();
  const form = document.getElementById("comment-form");
  if (form) followPlayer(form);
}
