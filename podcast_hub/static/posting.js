// Posting with JavaScript: the comment and reply forms go through the JSON API and
// the new comment appears in place, drawn by the server. The page has one reply
// form, which "Reply" moves under the comment it answers. The moment of a new
// comment pins on its first keystroke.
import { formatTime } from "./timecode.js";
import { getFragment, sendJSON } from "./http.js";
import { announce, clearErrors, scrollToElement, showErrors } from "./ui.js";

const NOT_POSTED = "Your comment was not posted: please fix the marked fields.";
const REFUSED = {
  403: "The form expired or did not come from this site; reload the page and try again.",
  429: "You are posting very fast: wait a minute, then try again.",
};
// No answer, or a server or proxy that could not finish: the comment may have been
// stored. The page sends it again with the same key, which the server stores once.
const CHECKING = "Your comment may not have been posted — checking…";
const UNSURE =
  "We could not reach the server to check whether your comment was posted. Your words are kept here: " +
  "post again when you are back online, and it will be stored only once.";
const UNANSWERED = new Set([502, 503, 504]);
const CHECK_DELAYS_S = [1, 2, 4, 8];

// A key for one composed comment, kept across its retries (the server's
// `Idempotency-Key`): 18 random bytes, base64url like the server's own.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

function keyOf(form) {
  const field = form.elements.idempotency_key;
  if (!field) return null;
  if (!field.value) field.value = newKey();
  return field.value;
}

const pause = (seconds) => new Promise((resolve) => { setTimeout(resolve, seconds * 1000); });

// Send the comment; on no answer (or 502/503/504) say so and send it again with
// the same key, a few times, waiting longer each time. Resolve to the last
// answer, or null when the server never answered.
async function sendWithChecks(form, payload) {
  const key = keyOf(form);
  const headers = key ? { "Idempotency-Key": key } : {};
  for (let attempt = 0; ; attempt += 1) {
    let result = null;
    try {
      result = await sendJSON(form.dataset.api, "POST", payload, headers);
    } catch {
      result = null;
    }
    const unanswered = result === null || UNANSWERED.has(result.status);
    if (!unanswered || !key || attempt >= CHECK_DELAYS_S.length) return result;
    showErrors(form, CHECKING);
    await pause(Math.max(CHECK_DELAYS_S[attempt], result?.retryAfter ?? 0));
  }
}

function payloadOf(form) {
  const data = new FormData(form);
  const payload = {};
  for (const name of ["author", "email", "body"]) {
    if (data.has(name)) payload[name] = String(data.get(name));
  }
  if (data.has("timestamp")) {
    // The server reads 754, 12:34 or 1:02:03 and answers with the same messages
    // as the plain form.
    const typed = String(data.get("timestamp")).trim();
    payload.timestamp = typed === "" ? null : typed;
  }
  if (data.get("parent_id")) payload.parent_id = Number(data.get("parent_id"));
  if (form.elements.notify) payload.notify = data.has("notify");
  return payload;
}

// The place of a thread in the page's order: the whole numbers the server writes
// in `data-order-<sort>` (conversation/order.py), compared one by one.
function orderOf(element, sort) {
  return (element.getAttribute(`data-order-${sort}`) ?? "").split(" ").map(Number);
}

function comesAfter(key, other) {
  for (let i = 0; i < Math.min(key.length, other.length); i += 1) {
    if (key[i] !== other[i]) return key[i] > other[i];
  }
  return key.length > other.length;
}

// Put `element`, a new thread, where the server would list it on this page.
function placeThread(element) {
  let thread = document.getElementById("comments");
  if (!thread) {
    thread = document.createElement("div");
    thread.className = "thread";
    thread.id = "comments";
    const list = document.getElementById("conversation-list");
    list.querySelector(".empty")?.remove();
    list.prepend(thread);
  }
  const { sort } = document.getElementById("conversation-list").dataset;
  const key = orderOf(element, sort);
  const threads = [...thread.children].filter((child) => child.matches(".comment"));
  const before = threads.find((other) => comesAfter(orderOf(other, sort), key)) ?? null;
  thread.insertBefore(element, before);
}

function placeReply(element, comment) {
  const parent = document.getElementById(`comment-${comment.parent_id}`);
  if (!parent) return false;
  let replies = parent.querySelector(":scope > .replies");
  if (!replies) {
    replies = document.createElement("div");
    replies.className = "replies";
    parent.append(replies);
  }
  replies.append(element);
  return true;
}

// The listener's name, remembered in this browser once they have posted, and
// written into the comment and reply forms.
const NAME_KEY = "podcast-hub:name";

function recallName() {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

function rememberName(name) {
  try {
    if (name) localStorage.setItem(NAME_KEY, name);
  } catch {
    // Storage off: the name is typed again next time.
  }
}

function fillName(form, name = recallName()) {
  const author = form?.elements.author;
  if (author && !author.value && name) author.value = name;
}

// A visible word that the comment went through, on the comment itself (where the
// page scrolls and the focus goes).
function confirmPosted(element, comment) {
  const note = document.createElement("p");
  note.className = "posted-note";
  note.textContent = comment.status === "published"
    ? "✓ Posted. Thank you!"
    : "✓ Sent. It appears to everyone once the host approves it.";
  const meta = element.querySelector(":scope > .comment-meta");
  if (meta) meta.after(note);
  else element.prepend(note);
}

export function setupPosting({ fragmentUrl, onPosted }) {
  fillName(document.getElementById("comment-form"));
  async function submit(form) {
    const button = form.querySelector('button[type="submit"]');
    clearErrors(form);
    button.disabled = true;
    let result;
    try {
      result = await sendWithChecks(form, payloadOf(form));
    } finally {
      button.disabled = false;
    }
    if (result === null || (!result.ok && UNANSWERED.has(result.status) && keyOf(form))) {
      showErrors(form, UNSURE);
      return;
    }
    if (result.status === 422 && form.elements.idempotency_key) {
      // The key went with other words (a form used twice): these words need a new one.
      form.elements.idempotency_key.value = newKey();
    }
    if (!result.ok) {
      const fields = result.data?.fields ?? {};
      const message = Object.keys(fields).length ? NOT_POSTED : (REFUSED[result.status] ?? result.data?.error ?? NOT_POSTED);
      showErrors(form, message, fields);
      return;
    }
    const comment = result.data;
    // Stored: the next comment written in this form is a new one.
    if (form.elements.idempotency_key) form.elements.idempotency_key.value = newKey();
    let element;
    let fragment;
    try {
      fragment = await getFragment(`${fragmentUrl}/${comment.id}`);
      element = fragment.querySelector(".comment");
    } catch {
      location.assign(`?comment=${comment.id}#comment-${comment.id}`);
      return;
    }
    if (!(comment.parent_id && placeReply(element, comment))) placeThread(element);
    // The first comment from this browser made its private feed of replies.
    const feedHint = fragment.querySelector("#replies-feed");
    if (feedHint) document.getElementById("replies-feed")?.replaceWith(feedHint);
    form.elements.body.value = "";
    if (form.elements.author) {
      rememberName(form.elements.author.value.trim());
      fillName(document.getElementById("comment-form"));
    }
    if (form.id === "reply-form") form.hidden = true;
    form.dispatchEvent(new CustomEvent("posted"));
    confirmPosted(element, comment);
    element.classList.add("is-new");
    element.tabIndex = -1;
    scrollToElement(element, "nearest");
    element.focus({ preventScroll: true });
    announce(comment.status === "published"
      ? "Your comment is posted."
      : "Thank you! Your comment will appear once the host approves it; until then only you can see it.");
    onPosted(comment);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.comment-form[data-api]");
    if (!form) return;
    event.preventDefault();
    submit(form);
  });
}

// "Reply" under a comment: without JavaScript its link opens the page with the one
// reply form under that comment; here the form moves there. What was typed goes
// along. Cancel or Escape puts the form away and returns to the link.
export function setupReplying() {
  function open(link) {
    const form = document.getElementById("reply-form");
    const comment = link.closest(".comment");
    if (!form || !comment) return false;
    if (form.elements.parent_id.value !== link.dataset.reply) clearErrors(form);
    form.elements.parent_id.value = link.dataset.reply;
    fillName(form, recallName() || document.getElementById("comment-form")?.elements.author?.value);
    const author = comment.querySelector(":scope > .comment-meta .author");
    form.querySelector("[data-reply-author]").textContent = author?.textContent ?? "";
    link.closest(".comment-actions").after(form);
    form.hidden = false;
    form.elements.body.focus();
    return true;
  }

  function close(form) {
    form.hidden = true;
    clearErrors(form);
    const id = form.elements.parent_id.value;
    document.querySelector(`#comment-${id} > .comment-actions a[data-reply]`)?.focus();
  }

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const link = event.target.closest("a[data-reply]");
    if (link) {
      // No form on this page (comments closed, or it went with a swap): follow the link.
      if (open(link)) event.preventDefault();
      return;
    }
    const cancel = event.target.closest("#reply-form [data-reply-cancel]");
    if (cancel) {
      event.preventDefault();
      close(cancel.closest("form"));
    }
  });
  document.addEventListener("keydown", (event) => {
    const form = event.key === "Escape" && event.target.closest?.("#reply-form");
    if (form) close(form);
  });
}

// The moment of a new comment, as SoundCloud places one: it follows the player
// until the listener starts writing, then stays pinned there ("Commenting at
// 0:02"). "change" opens the field to type another moment, take the current one
// or have none. Before any playback there is no moment to follow: the comment is
// a general one unless the listener picks a moment.
export function setupTimestamp(form, player) {
  const field = form?.querySelector('input[name="timestamp"]');
  const tools = form?.querySelector(".timestamp-tools");
  const line = form?.querySelector(".moment-line");
  const edit = form?.querySelector(".moment-edit");
  if (!field || !tools || !line || !edit || !player) return;
  const change = line.querySelector("[data-timestamp-change]");
  const chip = line.querySelector("[data-timestamp-status]");
  // "live": follows the player; "pinned": holds the field's moment; "general": none.
  let mode = field.value.trim() === "" ? "live" : "pinned";
  tools.hidden = false;

  const started = () => player.currentTime > 0 || !player.paused;
  const now = () => formatTime(Math.floor(player.currentTime));

  function show() {
    if (mode === "live") field.value = started() ? now() : "";
    let text;
    if (mode === "pinned") text = `Commenting at ${field.value.trim()}`;
    else if (mode === "general") text = "General comment, no moment";
    else if (started()) text = `Commenting at ${field.value} (now)`;
    else text = "No moment: play the episode to comment on one";
    chip.textContent = text;
    chip.classList.toggle("is-live", mode === "live" && started());
  }

  function open(opened) {
    edit.hidden = !opened;
    change.setAttribute("aria-expanded", String(opened));
  }

  player.addEventListener("timeupdate", show);
  player.addEventListener("seeked", show);
  player.addEventListener("play", show);
  // The first keystroke of the comment pins its moment.
  form.elements.body.addEventListener("input", () => {
    if (mode !== "live") return;
    mode = started() ? "pinned" : "general";
    if (mode === "pinned") field.value = now();
    show();
  });
  field.addEventListener("input", () => {
    mode = field.value.trim() ? "pinned" : "general";
    show();
  });
  change.addEventListener("click", () => {
    const opened = edit.hidden;
    open(opened);
    if (opened) field.focus();
  });
  tools.querySelector("[data-timestamp-now]").addEventListener("click", () => {
    mode = "pinned";
    field.value = now();
    show();
  });
  tools.querySelector("[data-timestamp-clear]").addEventListener("click", () => {
    mode = "general";
    field.value = "";
    show();
    field.focus();
  });
  // After posting, the next comment follows the player again.
  form.addEventListener("posted", () => {
    mode = "live";
    open(false);
    show();
  });
  // A moment the server refused opens to be fixed (and takes the focus when it
  // is the first field marked).
  const refused = () => field.getAttribute("aria-invalid") === "true";
  new MutationObserver(() => {
    if (!refused() || !edit.hidden) return;
    open(true);
    if (form.querySelector('[aria-invalid="true"]') === field) field.focus();
  }).observe(field, { attributes: true, attributeFilter: ["aria-invalid"] });
  open(refused());
  show();
}
