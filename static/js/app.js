// Port Planner: the little the pages need beyond htmx. Everything works without it.
"use strict";

// Copy buttons stay hidden until there is a script to run them.
function revealCopyButtons(root) {
  root.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = !navigator.clipboard;
  });
}

document.addEventListener("DOMContentLoaded", () => revealCopyButtons(document));
document.addEventListener("htmx:afterSettle", () => revealCopyButtons(document));

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  await navigator.clipboard.writeText(source.textContent);
  button.textContent = "Copied";
  setTimeout(() => (button.textContent = "Copy"), 1500);
});

// Never replace a field the user has changed since the server filled it (the JSON pane, say, when
// a preview sent before they typed there lands after): what they typed must not be lost. The
// server keeps such text too, once a request carries it.
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const fields = event.detail.target.querySelectorAll("textarea, input");
  if ([...fields].some((field) => field.value !== field.defaultValue)) {
    event.detail.shouldSwap = false;
  }
});
