// Port Planner: the little the pages need beyond htmx. Everything works without it.
"use strict";

// Copy buttons stay hidden until there is a script to run them and a clipboard to write to: a
// plain-HTTP page (not a secure context) has no navigator.clipboard.
function clipboardWorks() {
  return window.isSecureContext && Boolean(navigator.clipboard?.writeText);
}

function revealCopyButtons(root) {
  root.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = !clipboardWorks();
  });
}

document.addEventListener("DOMContentLoaded", () => revealCopyButtons(document));
document.addEventListener("htmx:afterSettle", () => revealCopyButtons(document));

// Writing may still be refused (a permission, a policy): then the text is selected instead, for
// the user to copy by hand, and the status line says so.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copyStatus);
  try {
    await navigator.clipboard.writeText(source.textContent);
    if (status) status.textContent = "Copied.";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    if (status) {
      status.textContent =
        "Copying is not allowed here: the JSON is selected, press Ctrl+C (\u2318C) to copy it.";
    }
  }
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

// The live preview: the first change after a pause is previewed at once (nothing to wait for);
// changes that follow it within PREVIEW_QUIET_MS are one burst of typing, previewed once it stops.
// So a single keystroke shows at the speed of the server, and fast typing sends two requests, not
// one per key. The form listens for "preview" (hx-trigger).
const PREVIEW_QUIET_MS = 250;
const livePreview = {timer: null, lastInput: -Infinity};

document.addEventListener("input", (event) => {
  const form = event.target.closest?.("form[hx-trigger='preview']");
  if (!form) return;
  const now = performance.now();
  const quiet = now - livePreview.lastInput >= PREVIEW_QUIET_MS;
  livePreview.lastInput = now;
  clearTimeout(livePreview.timer);
  if (quiet) htmx.trigger(form, "preview");
  else livePreview.timer = setTimeout(() => htmx.trigger(form, "preview"), PREVIEW_QUIET_MS);
});

// The form's buttons (add or remove a port, a variable, a check; a free port from the preview)
// post the page and swap their part of the form in place, the preview with it. While one is under
// way a live preview would post the form as it was and might land after it, so it waits, and
// goes once the button's answer is in.
// (afterRequest names the button's remaining ancestor once the button itself was swapped out, so the
// request is known by its XMLHttpRequest.)
const rowAction = {xhr: null, since: 0, previewWaiting: false};

document.addEventListener("htmx:beforeRequest", (event) => {
  if (!event.detail.elt.hasAttribute("data-row-action")) return;
  rowAction.xhr = event.detail.xhr;
  rowAction.since = performance.now();
});

document.addEventListener("htmx:confirm", (event) => {
  const waiting = rowAction.xhr && performance.now() - rowAction.since < 10000;
  if (waiting && event.detail.elt.id === "composer-form") {
    event.preventDefault();
    rowAction.previewWaiting = true;
  }
});

document.addEventListener("htmx:afterRequest", (event) => {
  if (!rowAction.xhr || event.detail.xhr !== rowAction.xhr) return;
  rowAction.xhr = null;
  if (rowAction.previewWaiting) {
    rowAction.previewWaiting = false;
    document.getElementById("composer-form")?.dispatchEvent(new Event("input", {bubbles: true}));
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

// The port map: a cell's title shows only on hover, so the cell focused, tapped or hovered is
// also described in the read-out below its grid, with a link to its apps. On a touch screen the
// first tap on a held cell describes it and the second follows its link; a mouse click and Enter
// follow it at once. Without this script the map's table of held ports stands in.
let lastPointerType = "";
let tappedCell = null;

function describeCell(cell, stick = true) {
  const grid = cell.closest(".port-map");
  const panel = document.querySelector(`[data-detail-for="${grid.id}"]`);
  if (!panel) return;
  grid.querySelector(".cell.selected")?.classList.remove("selected");
  cell.classList.add("selected");
  panel.replaceChildren(cell.title);
  if (stick) panel.classList.add("active");
  if (cell.href) {
    const link = document.createElement("a");
    link.href = cell.href;
    link.textContent = "List these apps";
    panel.append(" ", link);
  }
}

// The read-out sticks to the bottom of the screen once a cell is chosen: after a tap, move the
// cell above it, so that the second tap lands on the cell. (Not on focus: a tap focuses the cell
// before its click, and a scroll then would move the cell from under the finger.)
function keepAboveReadout(cell) {
  const panel = document.querySelector(`[data-detail-for="${cell.closest(".port-map").id}"]`);
  const covered = cell.getBoundingClientRect().bottom - panel.getBoundingClientRect().top;
  if (covered > 0) window.scrollBy({ top: covered + 8 });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-detail-for]").forEach((panel) => {
    panel.textContent = "Focus or tap a cell for its ports and holders.";
    panel.hidden = false;
  });
});

document.addEventListener("pointerdown", (event) => {
  lastPointerType = event.pointerType;
});

// A tap focuses the cell just before its click: the read-out must not stick over the cell then,
// or the click would land on the read-out. It sticks on the click (or on focus by keyboard).
let pointerIsDown = false;
document.addEventListener("pointerdown", () => (pointerIsDown = true), true);
document.addEventListener("click", () => (pointerIsDown = false), true);

document.addEventListener("focusin", (event) => {
  const cell = event.target.closest(".port-map .cell");
  if (cell) describeCell(cell, !pointerIsDown);
});

document.addEventListener("pointerover", (event) => {
  const cell = event.pointerType === "mouse" && event.target.closest(".port-map .cell");
  if (cell) describeCell(cell);
});

document.addEventListener("click", (event) => {
  const cell = event.target.closest(".port-map .cell");
  if (!cell) return;
  const keyboard = event.detail === 0;
  const touch = !keyboard && (event.pointerType || lastPointerType) !== "mouse";
  if (touch && tappedCell !== cell) {
    event.preventDefault();
    tappedCell = cell;
  }
  if (!keyboard) {
    describeCell(cell);
    keepAboveReadout(cell);
  }
});
