// Gantt niceties; the page works without them: print, close the side panel, show today (or the task a stub
// led to) on opening, and drag a bar to new dates, which opens the same preview as the date form.
(function () {
  "use strict";
  // A press must travel this far (px) before it is a drag; less is a click, which opens the date form.
  var DRAG_THRESHOLD = 4;
  // The last pixels of a bar are its handle: dragging there moves only the due date. Bars narrower than
  // three handles are moved whole, so they keep a middle to grab.
  var HANDLE = 8;
  var DAY_MS = 86400000;

  var drag = null;      // the bar being dragged
  var previewed = null; // a dropped bar whose preview is open, drawn at its new dates until apply or cancel
  var swallowClick = false;

  function panel() { return document.getElementById("gantt-panel"); }

  function closePanel() {
    var aside = panel();
    if (aside) { aside.innerHTML = ""; aside.hidden = true; }
    restore(previewed);
    previewed = null;
    clearGhosts();
  }

  // ---- Ghost bars: where the preview would move each task ----------------------------------------------
  // The preview's table rows carry each moved task's new x and width in chart pixels (data-ghost-x/-width,
  // worked out by the server for this window); the ghost goes in the row of the task's own bar. A moved task
  // with no bar on this page of rows, or new dates outside the window, has no ghost: the table says how many.

  var SVG_NS = "http://www.w3.org/2000/svg";

  function clearGhosts() {
    document.querySelectorAll(".gantt-ghosts").forEach(function (group) { group.remove(); });
    document.querySelectorAll(".gantt-item.is-moving").forEach(function (item) { item.classList.remove("is-moving"); });
  }

  function drawGhosts(aside) {
    clearGhosts();
    var svg = document.querySelector(".gantt-svg");
    var rows = aside.querySelectorAll("[data-ghost-task]");
    if (!svg || !rows.length) { return; }
    var group = document.createElementNS(SVG_NS, "g");
    group.setAttribute("class", "gantt-ghosts");
    var drawn = 0;
    rows.forEach(function (row, index) {
      var item = svg.querySelector("#gantt-task-" + row.dataset.ghostTask);
      if (!item || row.dataset.ghostX === undefined) {
        row.classList.add("is-off-chart");
        return;
      }
      // The bar's own place: a dropped bar is back at its old dates while its ghost shows the new ones.
      if (item === previewed) { restore(item); item.classList.add("is-previewing"); }
      var body = item.querySelector(".gantt-bar, .gantt-milestone");
      var box = body.getBBox();
      var x = Number(row.dataset.ghostX);
      var width = Number(row.dataset.ghostWidth);
      var rect;
      if (body.matches(".gantt-milestone")) {
        // A milestone's ghost is a diamond like it, on its new day.
        var cx = x + width / 2;
        var cy = box.y + box.height / 2;
        var r = box.width / 2;
        rect = document.createElementNS(SVG_NS, "polygon");
        rect.setAttribute("points", [cx, cy - r, cx + r, cy, cx, cy + r, cx - r, cy].join(" "));
      } else {
        rect = document.createElementNS(SVG_NS, "rect");
        rect.setAttribute("x", x);
        rect.setAttribute("y", box.y);
        rect.setAttribute("width", width);
        rect.setAttribute("height", box.height);
        rect.setAttribute("rx", 4);
      }
      rect.setAttribute("class", "gantt-ghost" + (index === 0 ? " is-source" : ""));
      rect.dataset.task = row.dataset.ghostTask;
      group.appendChild(rect);
      item.classList.add("is-moving");
      drawn += 1;
    });
    svg.appendChild(group);
    var tip = svg.querySelector(".gantt-drag-tip");
    if (tip) { tip.remove(); }
    var note = aside.querySelector("[data-ghost-note]");
    if (note) {
      var missing = rows.length - drawn;
      note.textContent = "Dashed bars show the new dates of " + drawn + " task" + (drawn === 1 ? "" : "s") +
        (missing ? "; " + missing + " more " + (missing === 1 ? "is" : "are") + " on another page or outside this window (marked below)." : ".");
    }
  }

  htmx.onLoad(function (root) {
    var aside = root.id === "gantt-panel" ? root : (root.querySelector && root.querySelector("#gantt-panel"));
    if (aside && !aside.hidden) { drawGhosts(aside); }
  });

  document.addEventListener("click", function (event) {
    if (swallowClick) {
      // The click that ends a drag must not also open the form (htmx listens on the bar itself).
      swallowClick = false;
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (event.target.closest("[data-gantt-print]")) {
      window.print();
      return;
    }
    if (event.target.closest("[data-gantt-close]")) {
      event.preventDefault();
      closePanel();
    }
  }, true);

  // The chart scrolls sideways inside its frame; bring the task a stub led to into view, else the today line.
  function showStart(root) {
    var scroller = root.querySelector ? root.querySelector(".gantt-scroll") : null;
    if (!scroller) { return; }
    var focused = location.hash.indexOf("#gantt-task-") === 0 && scroller.querySelector(location.hash);
    if (focused) {
      focused.classList.add("is-focused");
      var box = focused.getBBox();
      scroller.scrollLeft = Math.max(0, box.x - scroller.clientWidth / 3);
      focused.scrollIntoView({ block: "center", inline: "nearest" });
      return;
    }
    var today = scroller.querySelector(".gantt-today");
    if (today) { scroller.scrollLeft = Math.max(0, today.x1.baseVal.value - scroller.clientWidth / 3); }
  }
  htmx.onLoad(showStart);

  // ---- Dragging a bar ----------------------------------------------------------------------------------

  function addDays(iso, days) {
    // Dates travel as YYYY-MM-DD; UTC arithmetic keeps daylight-saving changes out of it.
    return new Date(Date.parse(iso + "T00:00:00Z") + days * DAY_MS).toISOString().slice(0, 10);
  }

  function daysBetween(startIso, dueIso) {
    return Math.round((Date.parse(dueIso + "T00:00:00Z") - Date.parse(startIso + "T00:00:00Z")) / DAY_MS);
  }

  function shortDate(iso) {
    var day = new Date(iso + "T00:00:00Z");
    return day.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  }

  function bodyOf(item) { return item.querySelector(".gantt-bar, .gantt-milestone"); }

  // Is the pointer on the bar's handle? Milestones and bars that run past the window's end have none.
  function onHandle(item, event) {
    var bar = item.querySelector(".gantt-bar");
    if (!bar || item.dataset.due > item.ownerSVGElement.dataset.end) { return false; }
    var box = bar.getBoundingClientRect();
    return box.width >= 3 * HANDLE && event.clientX >= box.right - HANDLE;
  }

  // The resize cursor shows where the handle is.
  document.addEventListener("pointermove", function (event) {
    if (drag || event.pointerType !== "mouse") { return; }
    var item = event.target.closest && event.target.closest(".gantt-item[data-start]");
    if (item) { item.classList.toggle("is-at-handle", onHandle(item, event)); }
  });

  // The arrows and stubs of a moved bar still point at its old place: they fade until the bar is back.
  function fadeLinks(item, faded) {
    var id = item.dataset.task;
    var selector = '[data-from="' + id + '"], [data-to="' + id + '"], .gantt-stub[data-task="' + id + '"]';
    item.ownerSVGElement.querySelectorAll(selector).forEach(function (link) { link.classList.toggle("is-faded", faded); });
  }

  function restore(item) {
    if (!item || !item.isConnected) { return; }
    fadeLinks(item, false);
    item.removeAttribute("transform");
    item.classList.remove("is-dragging", "is-previewing");
    var bar = item.querySelector(".gantt-bar");
    if (bar && bar.dataset.width) { bar.setAttribute("width", bar.dataset.width); }
    var tip = item.ownerSVGElement && item.ownerSVGElement.querySelector(".gantt-drag-tip");
    if (tip) { tip.remove(); }
  }

  function newDates(state) {
    if (state.mode === "due") {
      // The due date never passes the start.
      var days = Math.max(state.days, -daysBetween(state.start, state.due));
      return { start: state.start, due: addDays(state.due, days), days: days };
    }
    return { start: addDays(state.start, state.days), due: addDays(state.due, state.days), days: state.days };
  }

  function tipText(state) {
    var dates = newDates(state);
    if (!dates.days) { return "Drop here to cancel"; }
    var sign = dates.days > 0 ? "+" : "−";
    var range = dates.start === dates.due ? shortDate(dates.start) : shortDate(dates.start) + " → " + shortDate(dates.due);
    return sign + Math.abs(dates.days) + " day" + (Math.abs(dates.days) === 1 ? "" : "s") + ": " + range;
  }

  function showTip(state) {
    var svg = state.item.ownerSVGElement;
    var tip = svg.querySelector(".gantt-drag-tip");
    if (!tip) {
      tip = document.createElementNS("http://www.w3.org/2000/svg", "text");
      tip.setAttribute("class", "gantt-drag-tip");
      svg.appendChild(tip);
    }
    tip.textContent = tipText(state);
    // Above the bar where it now starts, kept inside the part of the chart its frame shows.
    var box = state.box;
    var scroller = svg.closest(".gantt-scroll");
    var shown = scroller ? scroller.scrollLeft / state.scale : 0;
    var shownEnd = scroller ? shown + scroller.clientWidth / state.scale : svg.width.baseVal.value;
    var x = box.x + (state.mode === "due" ? 0 : state.days * state.dayWidth);
    x = Math.max(shown + 4, Math.min(x, shownEnd - 4 - tip.getComputedTextLength()));
    tip.setAttribute("x", x);
    tip.setAttribute("y", Math.max(12, box.y - 4));
  }

  function paint(state) {
    var dates = newDates(state);
    if (state.mode === "due") {
      var bar = state.item.querySelector(".gantt-bar");
      bar.setAttribute("width", Math.max(4, state.width + dates.days * state.dayWidth));
    } else {
      state.item.setAttribute("transform", "translate(" + state.days * state.dayWidth + ",0)");
    }
    showTip(state);
  }

  function finish(state, cancelled) {
    var svg = state.item.ownerSVGElement;
    document.documentElement.classList.remove("gantt-dragging");
    if (state.item.hasPointerCapture && state.item.hasPointerCapture(state.pointerId)) {
      state.item.releasePointerCapture(state.pointerId);
    }
    var dates = newDates(state);
    if (cancelled || !dates.days) {
      restore(state.item);
      return;
    }
    state.item.classList.remove("is-dragging");
    state.item.classList.add("is-previewing");
    var tip = svg.querySelector(".gantt-drag-tip");
    if (tip) { tip.textContent = tipText(state); }
    previewed = state.item;
    // The click form's own preview, with the new dates filled in: it lists every task that would move.
    var url = new URL(state.item.getAttribute("href"), location.href);
    url.searchParams.set("start_date", dates.start);
    url.searchParams.set("due_date", dates.due);
    htmx.ajax("GET", url.pathname + url.search, { source: state.item, target: "#gantt-panel", swap: "outerHTML" })
      .then(function () {
        var heading = document.querySelector("#gantt-panel h3");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
      });
  }

  document.addEventListener("pointerdown", function (event) {
    if (drag || event.button !== 0 || !event.isPrimary) { return; }
    var item = event.target.closest(".gantt-item[data-start]");
    if (!item) { return; }
    if (previewed && previewed !== item) {
      closePanel();
    } else if (previewed) {
      restore(previewed);
      previewed = null;
    }
    var svg = item.ownerSVGElement;
    // Screen pixels per chart pixel, in case the chart is drawn scaled.
    var scale = svg.getBoundingClientRect().width / svg.width.baseVal.value || 1;
    var bar = item.querySelector(".gantt-bar");
    if (bar && !bar.dataset.width) { bar.dataset.width = bar.getAttribute("width"); }
    restore(item);
    drag = {
      item: item,
      pointerId: event.pointerId,
      x0: event.clientX,
      scale: scale,
      dayWidth: Number(svg.dataset.dayWidth),
      mode: onHandle(item, event) ? "due" : "move",
      start: item.dataset.start,
      due: item.dataset.due,
      width: bar ? Number(bar.dataset.width) : 0,
      box: bodyOf(item).getBBox(),
      days: 0,
      moved: false
    };
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || drag.cancelled || event.pointerId !== drag.pointerId) { return; }
    var dx = event.clientX - drag.x0;
    if (!drag.moved) {
      if (Math.abs(dx) < DRAG_THRESHOLD) { return; }
      drag.moved = true;
      drag.item.classList.add("is-dragging");
      fadeLinks(drag.item, true);
      document.documentElement.classList.add("gantt-dragging");
      drag.item.setPointerCapture(drag.pointerId);
    }
    event.preventDefault();
    // Snap to whole days of the zoom level.
    var days = Math.round(dx / drag.scale / drag.dayWidth);
    if (days !== drag.days || !drag.painted) {
      drag.days = days;
      drag.painted = true;
      paint(drag);
    }
  });

  function end(event, cancelled) {
    if (!drag || event.pointerId !== drag.pointerId) { return; }
    var state = drag;
    drag = null;
    if (!state.moved) { return; } // a click: htmx opens the date form
    // The click that follows this release (if any: touch drags have none) comes in the same task.
    swallowClick = true;
    setTimeout(function () { swallowClick = false; }, 0);
    if (!state.cancelled) { finish(state, cancelled); }
  }
  document.addEventListener("pointerup", function (event) { end(event, false); });
  document.addEventListener("pointercancel", function (event) { end(event, true); });

  // Links are draggable by default in browsers: that would steal the pointer from the bar.
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".gantt-item")) { event.preventDefault(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    if (drag) {
      // The bar goes back now; the release that follows is then neither a drop nor a click.
      drag.cancelled = true;
      if (drag.moved) { finish(drag, true); } else { drag = null; }
    } else if (!document.querySelector("dialog[open]") && (previewed || (panel() && !panel().hidden))) {
      // The preview or date form, however it was opened (a drop, a click on a bar or a row's label).
      closePanel();
    }
  });
})();
