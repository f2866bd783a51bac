// The host's inbox: answer and moderate without leaving it, then move on.
// Each action is its form's fields sent as JSON (`sendJSON`, with the page's CSRF
// token); the answer's message is announced, or its errors shown on the form.
import { sendJSON } from "./http.js";
import { announce, showErrors } from "./ui.js";

const list = document.querySelector(".inbox");
const FAILED = "That did not work; reload the page and try again.";

function decrement(tab) {
  const badge = document.querySelector(`[data-count="${tab}"]`);
  if (badge) badge.textContent = Math.max(0, Number(badge.textContent) - 1);
}

// Remove an item from the view and put the focus on the next one's reply box.
function leave(item) {
  const next = item.nextElementSibling || item.previousElementSibling;
  item.classList.add("is-leaving");
  decrement(list.dataset.tab);
  setTimeout(() => {
    item.remove();
    if (!list.querySelector(".inbox-item")) {
      document.querySelector("p.empty")?.removeAttribute("hidden");
      list.remove();
    }
    const target = next?.isConnected
      && (next.querySelector("textarea") || next.querySelector("button"));
    if (target) target.focus();
  }, 200);
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
  "needs-reply": ["hide", "spam", "delete"],
  moderation: ["approve", "hide", "spam", "delete"],
  spam: ["approve", "delete"],
  all: [],
};

function reply(form) {
  return send(form, form.action, fields(form), (data) => {
    announce(data.message);
    if (list.dataset.tab === "needs-reply") leave(form.closest(".inbox-item"));
    else location.reload();
  });
}

// Through the JSON API's moderation, which answers with the comment.
function moderate(form, action) {
  return send(form, form.dataset.moderate, { action }, (data) => {
    if (LEAVES[list.dataset.tab]?.includes(action)) {
      announce(`Comment by ${data.author}: ${action} done.`);
      leave(form.closest(".inbox-item"));
    } else {
      location.reload();
    }
  });
}

function noReplyNeeded(form) {
  return send(form, form.action, fields(form), (data) => {
    announce(data.message);
    leave(form.closest(".inbox-item"));
  });
}

if (list) {
  list.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-reply]")) {
      event.preventDefault();
      reply(form);
    } else if (form.matches("[data-moderate]") && event.submitter?.value) {
      event.preventDefault();
      moderate(form, event.submitter.value);
    } else if (form.matches("[data-no-reply]")) {
      event.preventDefault();
      noReplyNeeded(form);
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
