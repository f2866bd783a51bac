// The subscribe block: "Copy feed URL" puts the feed's address on the clipboard
// and says "✓ Copied". Without this script the address is a read-only field.
const COPIED_FOR_MS = 4000;

for (const block of document.querySelectorAll("[data-subscribe]")) {
  const field = block.querySelector("[data-feed-address]");
  const button = block.querySelector("[data-copy-feed]");
  const status = block.querySelector("[data-copy-status]");
  if (!field || !button) continue;
  const label = button.textContent;
  let timer = null;

  field.addEventListener("focus", () => field.select());
  button.hidden = false;
  button.addEventListener("click", async () => {
    let copied = false;
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch {
      // No clipboard permission (or an old browser): copy the selection.
      field.select();
      copied = document.execCommand?.("copy") ?? false;
    }
    clearTimeout(timer);
    if (copied) {
      button.textContent = "✓ Copied";
      button.classList.add("is-done");
      status.textContent = "The feed's address is copied: paste it into your podcast app.";
      timer = setTimeout(() => {
        button.textContent = label;
        button.classList.remove("is-done");
        status.textContent = "";
      }, COPIED_FOR_MS);
    } else {
      field.focus();
      field.select();
      status.textContent = "Copying failed: the address is selected, copy it with your keyboard or menu.";
    }
  });
}
