// The host's inbox: answer and moderate without leaving it, then move on.
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content;
const list = document.querySelector(".inbox");
const status = document.getElementById("inbox-status");

function announce(message) {
  if (status) status.textContent = message;
}

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

function showError(form, message) {
  let error = form.querySelector(".error");
  if (!error) {
    error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    form.prepend(error);
  }
  error.textContent = message;
}

async function reply(form) {
  const item = form.closest(".inbox-item");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) {
      const fields = Object.values(data.fields || {}).flat();
      showError(form, fields.join(" ") || data.error);
      return;
    }
    announce(data.message);
    if (list.dataset.tab === "needs-reply") {
      leave(item);
    } else {
      location.reload();
    }
  } catch {
    form.submit();
  } finally {
    button.disabled = false;
  }
}

// Which moderation actions take a comment out of each view.
const LEAVES = {
  "needs-reply": ["hide", "spam", "delete"],
  moderation: ["approve", "hide", "spam", "delete"],
  spam: ["approve", "delete"],
  all: [],
};

async function moderate(form, action) {
  const item = form.closest(".inbox-item");
  const response = await fetch(`/api/comments/${form.dataset.moderate}/moderation`, {
    method: "POST",
    body: JSON.stringify({ action }),
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken,
    },
    credentials: "same-origin",
  });
  const data = await response.json();
  if (!response.ok) {
    showError(form, data.error);
    return;
  }
  if (LEAVES[list.dataset.tab]?.includes(action)) {
    announce(`Comment by ${data.author}: ${action} done.`);
    leave(item);
  } else {
    location.reload();
  }
}

async function noReplyNeeded(form) {
  const response = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    credentials: "same-origin",
  });
  if (response.ok) {
    announce("Marked as needing no reply.");
    leave(form.closest(".inbox-item"));
  }
}

if (list) {
  list.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-reply]")) {
      event.preventDefault();
      reply(form);
    } else if (form.matches("[data-moderate]") && event.submitter?.value) {
      event.preventDefault();
      moderate(form, event.submitter.value).catch(() => showError(form, "That did not work; reload the page and try again."));
    } else if (form.matches("[data-no-reply]")) {
      event.preventDefault();
      noReplyNeeded(form).catch(() => form.submit());
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
      showError(
        form,
        `“${file.name}” is larger than ${form.dataset.maxMb} MB, the largest this site accepts.`,
      );
    }
  });
}
