// The host's inbox: answer and moderate without leaving it, then move on.
// Each action is its form's fields sent as JSON (`sendJSON`, with the page's CSRF
// token); the answer's message is announced, or its errors shown on the form.
import { sendJSON } from "./http.js";
import { formatTime } from "./timecode.js";
import { announce, showErrors } from "./ui.js";

const list = document.querySelector(".inbox");
const FAILED = "That did not work; reload the page and try again.";
// How long a toast offers its Undo; hovering or focusing it holds it.
const TOAST_MS = 10000;

function addToCount(tab, change) {
  const badge = document.querySelector(`[data-count="${tab}"]`);
  if (badge) badge.textContent = Math.max(0, Number(badge.textContent) + change);
}

function visibleItems() {
  return [...(list?.querySelectorAll(".inbox-item:not([hidden])") ?? [])];
}

function showEmptyWhenNothingLeft() {
  const empty = document.querySelector("p.empty");
  if (empty) empty.hidden = visibleItems().length > 0;
}

// Items that left the view but may come back with Undo, until their toast ends.
let leftBehind = [];

function forget() {
  leftBehind.forEach((item) => item.remove());
  leftBehind = [];
}

// Take items out of the view (kept for Undo) and put the focus on the next one.
function leave(items) {
  forget();
  const last = items[items.length - 1];
  const all = visibleItems();
  const after = all.slice(all.indexOf(last) + 1).find((i) => !items.includes(i));
  const before = all.slice(0, all.indexOf(items[0])).reverse().find((i) => !items.includes(i));
  const next = after || before;
  items.forEach((item) => {
    item.hidden = true;
    const box = item.querySelector(".select");
    if (box) box.checked = false;
  });
  leftBehind = items;
  addToCount(list.dataset.tab, -items.length);
  showEmptyWhenNothingLeft();
  updateSelection();
  const target = next && (next.querySelector("summary") || next.querySelector("button"));
  if (target) target.focus();
}

function comeBack(items) {
  items.forEach((item) => { item.hidden = false; });
  addToCount(list.dataset.tab, items.length);
  showEmptyWhenNothingLeft();
  items[0]?.querySelector("summary, button")?.focus();
}

// The toast: one at a time, announced (role=status), with an Undo while it lasts.
const toast = document.getElementById("toast");
let toastTimer = null;

function clearToast() {
  clearTimeout(toastTimer);
  toastTimer = null;
  if (toast) toast.textContent = "";
  forget();
}

function holdToast() {
  clearTimeout(toastTimer);
  toastTimer = null;
}

function releaseToast() {
  if (toast?.firstChild && !toast.matches(":hover, :focus-within")) {
    clearTimeout(toastTimer);
    toastTimer = setTimeout(clearToast, TOAST_MS);
  }
}

function showToast(message, undo = null, items = []) {
  if (!toast) return;
  clearTimeout(toastTimer);
  toast.textContent = "";
  const box = document.createElement("div");
  box.className = "toast";
  box.dataset.toast = "";
  const text = document.createElement("p");
  text.className = "toast-message";
  text.textContent = message;
  box.append(text);
  if (undo?.key) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "toast-undo";
    button.textContent = "Undo";
    button.setAttribute("aria-keyshortcuts", "Z");
    button.title = "Undo (Z)";
    button.addEventListener("click", () => takeBack(undo, items, button));
    box.append(button);
  }
  toast.append(box);
  toastTimer = setTimeout(clearToast, TOAST_MS);
}

async function takeBack(undo, items, button) {
  button.disabled = true;
  try {
    const { ok, data } = await sendJSON(undo.url, "POST", { key: undo.key });
    if (!ok) {
      showToast(data?.error ?? FAILED);
      return;
    }
    leftBehind = leftBehind.filter((item) => !items.includes(item));
    if (items.length) comeBack(items);
    showToast(data.message);
    if (!items.length) location.reload();
  } catch {
    showToast(FAILED);
  }
}

// Z, outside a text field, presses the toast's Undo: the focus has moved on.
document.addEventListener("keydown", (event) => {
  if (event.key !== "z" && event.key !== "Z") return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest?.("input, textarea, select, [contenteditable]")) return;
  const undo = toast?.querySelector(".toast-undo");
  if (undo && !undo.disabled) {
    event.preventDefault();
    undo.click();
  }
});

if (toast) {
  toast.addEventListener("mouseenter", holdToast);
  toast.addEventListener("focusin", holdToast);
  toast.addEventListener("mouseleave", releaseToast);
  toast.addEventListener("focusout", () => setTimeout(releaseToast));
  // A toast the server wrote (after a form sent without the script) goes too.
  if (toast.querySelector("[data-toast]")) toastTimer = setTimeout(clearToast, TOAST_MS);
}

// The form's fields as a JSON object; the token travels in the header instead.
function fields(form) {
  const { csrf_token: _token, ...rest } = Object.fromEntries(new FormData(form));
  return rest;
}

// POST `payload` to `url` as JSON for `form`; call `done` with the answer, or
// show the server's messages on the form.
async function send(form, url, payload, done) {
  const buttons = [...form.querySelectorAll("button")];
  buttons.forEach((button) => { button.disabled = true; });
  try {
    const { ok, data } = await sendJSON(url, "POST", payload);
    if (ok) done(data ?? {});
    else showErrors(form, data?.error ?? FAILED, data?.fields ?? {});
  } catch {
    showErrors(form, FAILED);
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}

// Which moderation actions take a comment out of each view.
const LEAVES = {
  "needs-reply": ["hide", "spam", "delete", "no-reply-needed", "block"],
  moderation: ["approve", "hide", "spam", "delete", "block", "trust"],
  spam: ["approve", "delete", "trust"],
  all: [],
};

// The action a form sends: its button's value, or what its address ends with.
function actionOf(form, submitter) {
  if (submitter?.value) return submitter.value;
  if (form.matches("[data-no-reply]")) return "no-reply-needed";
  const match = /\/(block|trust)$/.exec(form.getAttribute("action"));
  return match?.[1] ?? null;
}

function leaves(action) {
  return LEAVES[list.dataset.tab]?.includes(action) ?? false;
}

function reply(form) {
  return send(form, form.action, fields(form), (data) => {
    announce(data.message);
    if (list.dataset.tab === "needs-reply") leave([form.closest(".inbox-item")]);
    else location.reload();
  });
}

// An action on one card that takes it out of this view: it leaves at once and
// the toast offers Undo. Actions that only change the card are sent as forms:
// the page comes back with the card changed and the same toast.
// (`form.action` would be the form's field named "action": read the attribute.)
function inPlace(form, action) {
  const payload = { ...fields(form), action };
  return send(form, form.getAttribute("action"), payload, (data) => {
    const item = form.closest(".inbox-item");
    // Blocking a person takes their other cards on this page along.
    const others = (data.ids ?? [])
      .map((id) => list.querySelector(`.inbox-item[data-comment-id="${id}"]:not([hidden])`))
      .filter((other) => other && other !== item);
    const items = [item, ...others];
    leave(items);
    showToast(data.message, data.undo, items);
  });
}

function selectedBoxes() {
  return [...(list?.querySelectorAll(".inbox-item:not([hidden]) .select:checked") ?? [])];
}

function bulk(form, action) {
  const boxes = selectedBoxes();
  const payload = { next: form.elements.next.value, action, ids: boxes.map((b) => Number(b.value)) };
  return send(form, form.getAttribute("action"), payload, (data) => {
    const items = boxes.map((box) => box.closest(".inbox-item"));
    leave(items);
    showToast(data.message, data.undo, items);
  });
}

// Select all on this page; the bulk buttons show once something is selected.
const bulkForm = document.getElementById("bulk-form");
const selectAll = document.getElementById("select-all");

function updateSelection() {
  if (!bulkForm) return;
  const all = visibleItems().map((item) => item.querySelector(".select")).filter(Boolean);
  const chosen = all.filter((box) => box.checked).length;
  if (selectAll) {
    selectAll.checked = chosen > 0 && chosen === all.length;
    selectAll.indeterminate = chosen > 0 && chosen < all.length;
  }
  const buttons = bulkForm.querySelector("[data-bulk-buttons]");
  if (buttons) buttons.hidden = chosen === 0;
  const label = bulkForm.querySelector("[data-selected-count]");
  if (label) label.textContent = `With ${chosen} selected:`;
}

if (bulkForm && list) {
  bulkForm.querySelector("[data-select-all-link]")?.remove();
  bulkForm.querySelector("[data-select-all]")?.removeAttribute("hidden");
  selectAll?.addEventListener("change", () => {
    visibleItems().forEach((item) => {
      const box = item.querySelector(".select");
      if (box) box.checked = selectAll.checked;
    });
    updateSelection();
  });
  list.addEventListener("change", (event) => {
    if (event.target.matches(".select")) updateSelection();
  });
  bulkForm.addEventListener("submit", (event) => {
    const action = event.submitter?.value;
    if (action && leaves(action) && selectedBoxes().length) {
      event.preventDefault();
      bulk(bulkForm, action);
    }
  });
  updateSelection();
}

// The listener's moment: a play button before the native player, which plays
// from the comment's time and stops CLIP seconds later.
function setUpClip(clip) {
  const audio = clip.querySelector("audio");
  if (!audio || clip.querySelector(".clip-play")) return;
  const start = Number(clip.dataset.clipStart);
  const end = Number(clip.dataset.clipEnd);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "quiet clip-play";
  const label = clip.querySelector(".clip-label")?.textContent ?? "the moment";
  const show = () => {
    const playing = !audio.paused;
    button.textContent = playing
      ? `❚❚ Pause at ${formatTime(audio.currentTime)}`
      : `▶ Play ${formatTime(start)}–${formatTime(end)}`;
    button.setAttribute("aria-label", playing ? `Pause ${label}` : `Play ${label}`);
  };
  button.addEventListener("click", () => {
    if (audio.paused) {
      if (audio.currentTime < start - 0.5 || audio.currentTime >= end - 0.25) {
        audio.currentTime = start;
      }
      audio.play().catch(() => {});
    } else {
      audio.pause();
    }
  });
  // Stop at the clip's end to the frame (timeupdate alone comes every 250 ms),
  // and leave the player there.
  const stopAtEnd = () => {
    if (audio.paused || audio.currentTime < end) return false;
    audio.pause();
    audio.currentTime = end;
    return true;
  };
  const watch = () => {
    if (!audio.paused && !stopAtEnd()) requestAnimationFrame(watch);
  };
  audio.addEventListener("play", () => {
    if (audio.currentTime < start - 0.5 || audio.currentTime >= end) audio.currentTime = start;
    show();
    requestAnimationFrame(watch);
  });
  audio.addEventListener("timeupdate", () => {
    if (!stopAtEnd() && !audio.paused) show();
  });
  audio.addEventListener("pause", show);
  show();
  // The button plays and pauses; the native player's own scrubber would lead
  // outside the clip.
  audio.controls = false;
  audio.hidden = true;
  clip.querySelector(".clip-label")?.after(button);
}

if (list) {
  // Opening a card's reply: its clip gets its button and the box takes the focus.
  list.addEventListener("toggle", (event) => {
    const panel = event.target;
    if (!panel.matches?.("[data-reply-panel]") || !panel.open) return;
    panel.querySelectorAll("[data-clip]").forEach(setUpClip);
    panel.querySelector("textarea")?.focus();
  }, true);
  list.querySelectorAll("[data-reply-panel][open] [data-clip]").forEach(setUpClip);
  list.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-reply]")) {
      event.preventDefault();
      reply(form);
      return;
    }
    if (!form.matches("[data-inplace]")) return;
    const action = actionOf(form, event.submitter);
    if (action && leaves(action)) {
      event.preventDefault();
      inPlace(form, action);
    }
  });
  // Ctrl+Enter (or Cmd+Enter) in a reply box sends it.
  list.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = event.target.closest("[data-reply]");
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
    }
  });
}

// Tell the host at once when a file is over the upload limit.
for (const form of document.querySelectorAll("form[data-upload]")) {
  form.addEventListener("submit", (event) => {
    const input = form.querySelector('input[type="file"]');
    const file = input?.files?.[0];
    if (file && file.size > Number(form.dataset.maxBytes)) {
      event.preventDefault();
      showErrors(
        form,
        `“${file.name}” is larger than ${form.dataset.maxMb} MB, the largest this site accepts.`,
      );
    }
  });
}
