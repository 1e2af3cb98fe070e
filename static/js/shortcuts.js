// Keyboard shortcuts of the board and the Gantt. The page marks what a key does with data-shortcut="<key>" on
// the element it acts on (a link or button is clicked, a field focused, a <summary> opened with its field
// focused); "?" opens the list the page rendered (#shortcuts). So a key listed there is a key that works.
(function () {
  "use strict";

  function typing(target) {
    // A radio or a checkbox takes no text: keys still work when the scope switch has the focus.
    return target.closest && target.closest(
      "input:not([type=radio]):not([type=checkbox]), textarea, select, [contenteditable='true']"
    );
  }

  function visible(element) {
    return element.getClientRects().length > 0;
  }

  function act(element) {
    if (element.matches("input, select, textarea")) {
      element.focus();
      if (element.select && element.type !== "radio") { element.select(); }
      return;
    }
    if (element.matches("summary")) {
      var details = element.parentElement;
      details.open = true;
      var field = details.querySelector("input:not([type=hidden]), select, textarea");
      if (field) { field.focus(); }
      return;
    }
    if (element.matches("label") && element.control && element.control.type !== "radio" && element.control.type !== "checkbox") {
      element.control.focus();
      if (element.control.select) { element.control.select(); }
      return;
    }
    element.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var dialog = document.getElementById("shortcuts");
    if (event.key === "Escape") {
      // Leave a field, or close an open quick-add form; a modal dialog closes itself.
      var field = typing(event.target);
      var details = event.target.closest && event.target.closest("details[open]");
      if (details) { details.open = false; details.querySelector("summary").focus(); event.preventDefault(); }
      else if (field) { field.blur(); }
      return;
    }
    if (typing(event.target) || (dialog && dialog.open && event.key !== "?")) { return; }
    if (event.key === "?") {
      if (!dialog) { return; }
      event.preventDefault();
      if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
      return;
    }
    var candidates = document.querySelectorAll("[data-shortcut]");
    for (var i = 0; i < candidates.length; i++) {
      var element = candidates[i];
      if (element.dataset.shortcut === event.key && element.dataset.shortcut !== "?" && visible(element)) {
        event.preventDefault();
        act(element);
        return;
      }
    }
  });

  // The "?" button in the page header opens the same list.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-shortcut='?']");
    var dialog = document.getElementById("shortcuts");
    if (button && dialog) { dialog.showModal(); }
  });
})();
