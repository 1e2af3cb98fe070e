// Small progressive enhancements shared by every page; pages work without it.
(function () {
  "use strict";
  // Toasts fade away after a while; errors stay until dismissed.
  function scheduleDismiss(root) {
    root.querySelectorAll(".toast:not(.toast-error):not([data-timed])").forEach(function (toast) {
      toast.setAttribute("data-timed", "1");
      setTimeout(function () { toast.remove(); }, 6000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scheduleDismiss(document); });
  document.addEventListener("htmx:afterSettle", function () { scheduleDismiss(document); });
  // The field pages swap their answers without htmx (js/field-offline.js) and say so with this event.
  document.addEventListener("stayops:swapped", function () { scheduleDismiss(document); });
  // Handlers live here, not in onclick attributes: the Content-Security-Policy forbids inline script.
  document.addEventListener("click", function (event) {
    var close = event.target.closest(".toast-close");
    if (close) { close.closest(".toast").remove(); return; }
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  // A request that never reached the server (weak connection) gets a message instead of silence.
  document.addEventListener("htmx:sendError", function () {
    var region = document.getElementById("toasts");
    if (!region) { return; }
    var toast = document.createElement("div");
    toast.className = "toast toast-error";
    toast.setAttribute("role", "alert");
    toast.innerHTML = '<div class="toast-body"><strong>No connection.</strong> Your change was not saved; try again.</div>' +
      '<button type="button" class="toast-close" aria-label="Dismiss">×</button>';
    region.appendChild(toast);
  });
})();
