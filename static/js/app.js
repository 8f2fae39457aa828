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
