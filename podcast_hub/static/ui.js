// Small shared pieces of the page: announcements for screen readers, field errors.

export const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

export function scrollToElement(element, block = "center") {
  element.scrollIntoView({ block, behavior: reducedMotion() ? "auto" : "smooth" });
}

// A count and the noun that goes with it, as the server's `plural` filter writes
// them: 1 reply, 1,204 replies.
export function plural(count, singular, pluralForm = `${singular}s`) {
  return `${count.toLocaleString("en")} ${count === 1 ? singular : pluralForm}`;
}

export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  // Clear first so that the same words are read out again.
  region.textContent = "";
  requestAnimationFrame(() => { region.textContent = message; });
}

export function clearErrors(form) {
  form.querySelectorAll(".error").forEach((error) => error.remove());
  form.querySelectorAll(".field--error").forEach((field) => field.classList.remove("field--error"));
  form.querySelectorAll('[aria-invalid="true"]').forEach((input) => {
    input.removeAttribute("aria-invalid");
    const ids = (input.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .filter((id) => id && !id.endsWith("-error"));
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  });
}

// Show the server's messages as the no-JavaScript page does: a summary at the top
// of the form, and each field's message right under it.
export function showErrors(form, summaryText, fields = {}) {
  clearErrors(form);
  const summary = document.createElement("p");
  summary.className = "error";
  summary.setAttribute("role", "alert");
  const extra = [];
  let first = null;
  for (const [name, messages] of Object.entries(fields)) {
    const input = form.elements.namedItem(name);
    if (!input || input.type === "hidden" || !input.id) {
      extra.push(...messages);
      continue;
    }
    const error = document.createElement("p");
    error.className = "error";
    error.id = `${input.id}-error`;
    error.textContent = messages.join(" ");
    input.after(error);
    input.closest(".field")?.classList.add("field--error");
    input.setAttribute("aria-invalid", "true");
    const described = (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [...described, error.id].join(" "));
    first ??= input;
  }
  summary.textContent = [summaryText, ...extra].join(" ");
  const hidden = form.querySelectorAll(':scope > input[type="hidden"]');
  if (hidden.length) hidden[hidden.length - 1].after(summary);
  else form.prepend(summary);
  if (first) {
    first.focus();
  } else {
    summary.tabIndex = -1;
    summary.focus();
  }
}
