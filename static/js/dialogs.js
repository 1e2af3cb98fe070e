// Modal dialogs: a <dialog data-modal> opens with showModal() wherever it appears, in the page or swapped in by
// htmx, so it gets a backdrop, the page behind it turns inert and Escape closes it. Without JavaScript the
// `open` attribute still shows it in place. A button with data-opens-dialog="ID" opens that dialog; closing
// returns the focus to what had it before. Tab and Shift+Tab wrap around inside the dialog, so the focus
// never leaves it for the browser's own toolbar.
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";

  function focusables(dialog) {
    return Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (element) {
      return !element.disabled && element.getClientRects().length > 0;
    });
  }

  function openModal(dialog) {
    var opener = document.activeElement;
    // showModal() refuses a dialog that is already open (the no-script `open` attribute).
    if (dialog.open) { dialog.close(); }
    dialog.showModal();
    dialog.addEventListener("close", function () {
      if (opener && opener !== document.body && opener.isConnected) { opener.focus(); }
    }, { once: true });
  }

  function openNew(root) {
    var dialogs = root.matches && root.matches("dialog[data-modal]") ? [root] : root.querySelectorAll("dialog[data-modal][open]");
    Array.prototype.forEach.call(dialogs, function (dialog) {
      if (dialog.open && !dialog.dataset.modalShown) {
        dialog.dataset.modalShown = "1";
        openModal(dialog);
      }
    });
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-opens-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-opens-dialog"));
      if (dialog && !dialog.open) { event.preventDefault(); openModal(dialog); }
      return;
    }
    var closer = event.target.closest("[data-closes-dialog]");
    if (closer && closer.closest("dialog")) { event.preventDefault(); closer.closest("dialog").close(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    var dialog = document.querySelector("dialog[open]:modal");
    if (!dialog) { return; }
    var items = focusables(dialog);
    if (!items.length) { event.preventDefault(); return; }
    var first = items[0], last = items[items.length - 1];
    if (!dialog.contains(document.activeElement)) { event.preventDefault(); first.focus(); }
    else if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  // htmx fires htmx:load on the body once it starts, then on each piece of content it swaps in.
  if (window.htmx) { htmx.onLoad(openNew); }
  else { document.addEventListener("DOMContentLoaded", function () { openNew(document); }); }
})();
