// Changing one's own comment in place: "Edit" opens a form under it (the link
// itself leads to the plain edit page without JavaScript); saving sends PATCH,
// deleting sends DELETE. The server refuses after 15 minutes and says so.
import { formatTime } from "./timecode.js";
import { getFragment, getJSON, sendJSON } from "./http.js";
import { announce, clearErrors, showErrors } from "./ui.js";

const NOT_SAVED = "Your changes were not saved: please fix the marked fields.";

function field(id, labelText, control, hint) {
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = labelText;
  wrap.append(label);
  if (hint) {
    const help = document.createElement("span");
    help.className = "hint";
    help.id = `${id}-hint`;
    help.textContent = hint;
    control.setAttribute("aria-describedby", help.id);
    wrap.append(help);
  }
  control.id = id;
  wrap.append(control);
  return wrap;
}

function button(text, type = "button", className = "") {
  const element = document.createElement("button");
  element.type = type;
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function editor(id, comment) {
  const form = document.createElement("form");
  form.className = "stack edit-form";
  form.noValidate = true;
  const moment = document.createElement("input");
  moment.name = "timestamp";
  moment.size = 8;
  moment.inputMode = "numeric";
  moment.autocomplete = "off";
  moment.value = comment.timestamp === null ? "" : formatTime(comment.timestamp);
  const body = document.createElement("textarea");
  body.name = "body";
  body.rows = 4;
  body.maxLength = 10000;
  body.value = comment.body;
  const actions = document.createElement("div");
  actions.className = "actions";
  const cancel = button("Cancel", "button", "link");
  const remove = button("Delete", "button", "danger");
  remove.dataset.delete = "";
  actions.append(button("Save changes", "submit"), cancel, remove);
  form.append(
    field(`edit-timestamp-${id}`, "At", moment, "A moment like 12:34, or empty for a general comment."),
    field(`edit-body-${id}`, "Comment", body),
    actions,
  );
  return { form, cancel, remove };
}

export function setupEditing({ commentApi, fragmentUrl, onDeleted }) {
  async function replaceComment(article, id) {
    const fragment = await getFragment(`${fragmentUrl}/${id}`);
    const fresh = fragment.querySelector(".comment");
    // The page's one reply form may sit in this comment: it stays on the page.
    const replyForm = article.querySelector("#reply-form");
    if (replyForm) {
      replyForm.hidden = true;
      document.getElementById("conversation-list")?.append(replyForm);
    }
    article.replaceWith(fresh);
    fresh.tabIndex = -1;
    fresh.focus();
  }

  async function open(article, link) {
    const existing = article.querySelector(":scope > .edit-form");
    if (existing) {
      existing.elements.body.focus();
      return;
    }
    const id = Number(link.dataset.edit);
    let comment;
    try {
      comment = await getJSON(`${commentApi}${id}`);
    } catch {
      location.assign(link.href);
      return;
    }
    const body = article.querySelector(":scope > .comment-body");
    const { form, cancel, remove } = editor(id, comment);
    body.hidden = true;
    body.after(form);
    form.elements.body.focus();

    const close = () => {
      form.remove();
      body.hidden = false;
      link.focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const typed = form.elements.timestamp.value.trim();
      const payload = { body: form.elements.body.value, timestamp: typed === "" ? null : typed };
      const result = await sendJSON(`${commentApi}${id}`, "PATCH", payload).catch(() => null);
      if (!result) {
        showErrors(form, "Your changes were not saved: the server could not be reached.");
      } else if (result.ok) {
        await replaceComment(article, id);
        announce("Your comment is changed.");
      } else {
        const fields = result.data?.fields ?? {};
        showErrors(form, Object.keys(fields).length ? NOT_SAVED : result.data?.error ?? NOT_SAVED, fields);
      }
    });
    remove.addEventListener("click", async () => {
      // Two steps, so a slip of the finger does not delete.
      if (!("confirming" in remove.dataset)) {
        remove.dataset.confirming = "";
        remove.textContent = "Really delete it?";
        announce("Press again to delete your comment.");
        return;
      }
      clearErrors(form);
      const result = await sendJSON(`${commentApi}${id}`, "DELETE").catch(() => null);
      if (result?.ok) {
        const wasPublished = !article.classList.contains("comment--held");
        article.remove();
        announce("Your comment is deleted.");
        onDeleted(wasPublished);
        return;
      }
      delete remove.dataset.confirming;
      remove.textContent = "Delete";
      showErrors(form, result?.data?.error ?? "The comment was not deleted: the server could not be reached.");
    });
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-edit]");
    if (!link) return;
    event.preventDefault();
    open(link.closest(".comment"), link);
  });
}
