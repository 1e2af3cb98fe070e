// Keeps the keyboard focus on the element acted on across an htmx swap. When a swap replaces the focused
// element (a status button, a sort link, a card's select), the browser drops focus to <body> and a keyboard user
// starts again from the top of the page. Before the swap this remembers what had focus; after it settles, it
// focuses that element again or its replacement: same id, same data-focus-key, the same control (tag, name,
// value) or the same text inside the nearest ancestor with an id, else the control at the same position there,
// else that ancestor itself. Focus that something else placed on purpose (autofocus, a script) is left alone.
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  var pending = null;

  function focusables(scope) {
    return Array.prototype.filter.call(scope.querySelectorAll(FOCUSABLE), usable);
  }

  function usable(element) {
    return !element.disabled && element.getClientRects().length > 0 && !element.closest("[inert]");
  }

  function text(element) {
    return (element.textContent || "").replace(/\s+/g, " ").trim();
  }

  function describe(element) {
    var anchor = element.parentElement ? element.parentElement.closest("[id]") : null;
    return {
      element: element,
      id: element.id,
      key: element.getAttribute("data-focus-key"),
      anchorId: anchor ? anchor.id : "",
      tag: element.tagName,
      name: element.getAttribute("name"),
      value: element.getAttribute("value"),
      text: text(element),
      index: anchor ? focusables(anchor).indexOf(element) : -1
    };
  }

  function only(list) {
    return list.length === 1 ? list[0] : null;
  }

  function replacement(memory) {
    var found = memory.id && document.getElementById(memory.id);
    if (found && usable(found)) { return found; }
    if (memory.key) {
      found = only(Array.prototype.filter.call(
        document.querySelectorAll("[data-focus-key]"),
        function (element) { return element.getAttribute("data-focus-key") === memory.key && usable(element); }
      ));
      if (found) { return found; }
    }
    var anchor = memory.anchorId && document.getElementById(memory.anchorId);
    if (!anchor) { return null; }
    var candidates = Array.prototype.filter.call(anchor.querySelectorAll(FOCUSABLE), function (element) {
      return element.tagName === memory.tag;
    });
    var same = memory.name && only(candidates.filter(function (element) {
      return element.getAttribute("name") === memory.name && element.getAttribute("value") === memory.value;
    }));
    same = same || (memory.text && only(candidates.filter(function (element) { return text(element) === memory.text; })));
    // The same control, now disabled (the status button just chosen): its region takes the focus, not a neighbour.
    if (same) { return usable(same) ? same : region(anchor); }
    var all = focusables(anchor);
    if (memory.index >= 0 && all[memory.index] && all[memory.index].tagName === memory.tag) { return all[memory.index]; }
    // Nothing like it is left (the button was the last of its kind): the region it lived in takes the focus.
    return region(anchor);
  }

  function region(anchor) {
    if (!anchor.hasAttribute("tabindex")) { anchor.setAttribute("tabindex", "-1"); }
    return anchor;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    // A boosted link that replaces the whole body is a new page: it starts at the top, like any other.
    if (!active || active === document.body || target === document.body) { pending = null; return; }
    pending = describe(active);
  });

  document.addEventListener("htmx:afterSettle", function () {
    var memory = pending;
    if (!memory) { return; }
    // After the other afterSettle handlers, so that a focus they place on purpose wins.
    setTimeout(function () {
      if (pending !== memory) { return; }
      pending = null;
      var current = document.activeElement;
      if (current && current !== document.body) { return; }
      var element = memory.element.isConnected && usable(memory.element) ? memory.element : replacement(memory);
      if (element) { element.focus({ preventScroll: true }); }
    }, 0);
  });
})();
