// Running the show from the dashboard: "Unpublish…" asks in a dialog instead of
// opening the question's page, and the chapter list gains and loses rows. Without
// JavaScript the link opens the page and the list has empty rows to fill.

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

function hidden(name, value) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = value;
  return input;
}

let dialog = null;

function unpublishDialog() {
  if (dialog) return dialog;
  dialog = document.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.setAttribute("aria-labelledby", "unpublish-dialog-title");
  const title = document.createElement("h2");
  title.id = "unpublish-dialog-title";
  const text = document.createElement("p");
  text.textContent =
    "It leaves the feed and the site (nothing is deleted). Publish it again and it keeps its date.";
  const form = document.createElement("form");
  form.method = "post";
  form.className = "row-actions";
  const confirm = document.createElement("button");
  confirm.type = "submit";
  confirm.className = "danger";
  confirm.textContent = "Unpublish";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "quiet";
  cancel.textContent = "Cancel";
  cancel.addEventListener("click", () => dialog.close());
  form.append(confirm, cancel);
  dialog.append(title, text, form);
  document.body.append(dialog);
  return dialog;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-unpublish]");
  if (!link || typeof HTMLDialogElement !== "function") return;
  event.preventDefault();
  const box = unpublishDialog();
  box.querySelector("h2").textContent = `Unpublish “${link.dataset.title}”?`;
  const form = box.querySelector("form");
  form.action = link.dataset.unpublish;
  form.querySelectorAll("input").forEach((input) => input.remove());
  form.prepend(
    hidden("csrf_token", csrfToken()),
    hidden("next", link.dataset.next || location.pathname),
    hidden("confirm", "yes"),
  );
  box.showModal();
  box.querySelector("button.quiet").focus();
});

// The chapter list: "Add a chapter" clones the last row, empty; "Remove" takes a
// row out (the last one left is emptied instead).
for (const editor of document.querySelectorAll("[data-chapter-rows]")) {
  const list = editor.querySelector("ol");
  const renumber = () => {
    list.querySelectorAll("li").forEach((row, index) => {
      for (const field of row.querySelectorAll("[id], [for], [name], [aria-describedby]")) {
        for (const attr of ["id", "for", "name", "aria-describedby"]) {
          const value = field.getAttribute(attr);
          if (value) field.setAttribute(attr, value.replace(/-\d+(?=-|$)/, `-${index}`));
        }
      }
      row.querySelector("[data-remove-row]")?.setAttribute(
        "aria-label",
        `Remove chapter ${index + 1}`,
      );
    });
  };
  editor.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      const row = remove.closest("li");
      if (list.children.length > 1) {
        const next = row.nextElementSibling ?? row.previousElementSibling;
        row.remove();
        renumber();
        next?.querySelector("input")?.focus();
      } else {
        row.querySelectorAll("input").forEach((input) => (input.value = ""));
      }
    }
    if (event.target.closest("[data-add-row]")) {
      event.preventDefault();
      const row = list.lastElementChild.cloneNode(true);
      row.querySelectorAll("input").forEach((input) => {
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      });
      row.querySelectorAll(".field--error").forEach((f) => f.classList.remove("field--error"));
      row.querySelectorAll(".error").forEach((error) => error.remove());
      list.append(row);
      renumber();
      row.querySelector("input").focus();
    }
  });
  editor.querySelectorAll("[data-js-only]").forEach((element) => (element.hidden = false));
}
