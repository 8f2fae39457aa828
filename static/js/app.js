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

// Field errors follow the live preview: each field the engine's errors point at shows them and
// is aria-invalid, the others are cleared. Attributes and messages only: no value, no focus moves.
function showFieldErrors() {
  const data = document.getElementById("field-errors-data");
  if (!data) return;
  const errors = JSON.parse(data.textContent);
  document.querySelectorAll("[data-field]").forEach((wrapper) => {
    const id = wrapper.dataset.field;
    const messages = errors[id] || [];
    wrapper.classList.toggle("has-error", messages.length > 0);
    wrapper.querySelector(".field-error")?.remove();
    const control = document.getElementById(id);
    const described = control && wrapper.querySelector(".help") ? [`${id}_helptext`] : [];
    if (messages.length) {
      const note = document.createElement("small");
      note.className = "field-error";
      note.id = `${id}_error`;
      note.textContent = messages.join(" ");
      wrapper.append(note);
      described.push(note.id);
    }
    if (!control) return;
    if (messages.length) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  });
}

document.addEventListener("htmx:afterSettle", showFieldErrors);
