// The project tree's open items. htmx loads an item's sub-items when the manager expands it (the toggle's
// hx-get); collapsing needs no request, so it happens here: every row below the item's code goes. The items
// left open are written to the URL (?open=3,17) without a new history entry, so a reload, a shared link or the
// tree re-rendered after a write (the server reads the page's URL) shows the same items open.
(function () {
  "use strict";

  function table() {
    return document.querySelector(".wbs-table");
  }

  function rememberOpen() {
    var url = new URL(window.location.href);
    var open = Array.prototype.map.call(
      document.querySelectorAll('.wbs-table a.wbs-toggle[aria-expanded="true"]'),
      function (toggle) { return toggle.getAttribute("data-item"); }
    );
    url.searchParams.delete("item");
    // Kept even when empty: "open=" says the manager closed everything (a small tree would otherwise open in full).
    url.searchParams.set("open", open.join(","));
    if (url.href !== window.location.href) { window.history.replaceState(window.history.state, "", url.href); }
  }

  function collapse(toggle) {
    var code = toggle.closest("tr").getAttribute("data-code");
    var below = table().querySelectorAll('tbody[data-code^="' + code + '."]');
    Array.prototype.forEach.call(below, function (body) { body.remove(); });
    toggle.setAttribute("aria-expanded", "false");
    rememberOpen();
  }

  // Capturing, so that htmx's own click handler on the toggle does not send a request to collapse.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest ? event.target.closest("a.wbs-toggle") : null;
    if (!toggle) { return; }
    var open = toggle.getAttribute("aria-expanded") === "true";
    if (open || toggle.classList.contains("htmx-request")) {
      event.preventDefault();
      event.stopPropagation();
      if (open) { collapse(toggle); }
    }
  }, true);

  // A "Show more" replaces itself with the next rows: the keyboard focus goes to the first of them.
  var firstNew = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    firstNew = target && target.classList && target.classList.contains("wbs-more") ? target.previousElementSibling : null;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail.elt;
    if (event.detail.successful && source && source.classList && source.classList.contains("wbs-toggle")) {
      source.setAttribute("aria-expanded", "true");
      rememberOpen();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (firstNew && firstNew.isConnected) {
      var link = firstNew.nextElementSibling && firstNew.nextElementSibling.querySelector(".wbs-title a");
      firstNew = null;
      if (link && document.activeElement === document.body) { link.focus(); }
    }
    if (event.detail.target && event.detail.target.id === "wbs-tree" && window.location.search) { rememberOpen(); }
  });
})();
