// Today refreshes its lists by polling (hx-trigger on #today-live). This keeps a poll from costing anything
// while nobody looks, and from wiping out an assignment the manager is half-way through.
(function () {
  "use strict";
  var FORM = ".today-assign";

  function live() { return document.getElementById("today-live"); }

  function editing(region) {
    if (region.querySelector(FORM + "[data-dirty]")) { return true; }
    var active = document.activeElement;
    return Boolean(active && region.contains(active) && active.closest(FORM));
  }

  // A form the manager has touched keeps its state until it is saved (the saved row replaces it).
  function markDirty(event) {
    var form = event.target.closest && event.target.closest(FORM);
    if (form) { form.setAttribute("data-dirty", "1"); }
  }
  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);
  // Discard (a reset button) gives the row back to the refresh, which then brings the lists up to date.
  document.addEventListener("reset", function (event) {
    var form = event.target.closest && event.target.closest(FORM);
    if (!form) { return; }
    form.removeAttribute("data-dirty");
    if (document.activeElement && form.contains(document.activeElement)) { document.activeElement.blur(); }
    if (window.htmx) { window.htmx.trigger(document.body, "today-visible"); }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail.elt;
    if (!region || region.id !== "today-live") { return; }
    if (document.hidden) { event.preventDefault(); return; }
    if (editing(region)) {
      region.setAttribute("data-paused", "1");
      event.preventDefault();
      return;
    }
    region.removeAttribute("data-paused");
  });

  // Back on the tab: catch up at once rather than at the next tick.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && live() && window.htmx) { window.htmx.trigger(document.body, "today-visible"); }
  });
})();
