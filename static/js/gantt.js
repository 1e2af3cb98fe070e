// Gantt niceties; the page works without them: print, close the side panel, show today on opening.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-gantt-print]")) {
      window.print();
      return;
    }
    var close = event.target.closest("[data-gantt-close]");
    if (close) {
      event.preventDefault();
      var panel = document.getElementById("gantt-panel");
      panel.innerHTML = "";
      panel.hidden = true;
    }
  });

  // The chart scrolls sideways inside its frame; bring the today line into view rather than the left edge.
  function showToday(root) {
    var scroller = root.querySelector ? root.querySelector(".gantt-scroll") : null;
    var today = scroller && scroller.querySelector(".gantt-today");
    if (today) { scroller.scrollLeft = Math.max(0, today.x1.baseVal.value - scroller.clientWidth / 3); }
  }
  htmx.onLoad(showToday);
})();
