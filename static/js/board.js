// Board drag and drop: SortableJS moves the card in the page, one POST saves it; an error puts it back.
// On phones dragging is off and each card's status select (plain HTMX) does the job instead.
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 719px)");

  function cardId(element) {
    return element && element.classList.contains("board-card") ? element.dataset.id : "";
  }

  function neighbour(card, direction) {
    var next = card[direction];
    while (next && !next.classList.contains("board-card")) { next = next[direction]; }
    return next;
  }

  function save(event) {
    var card = event.item;
    if (event.from === event.to && event.oldIndex === event.newIndex) { return; }
    var board = document.getElementById("board");
    card.classList.add("is-saving");
    htmx.ajax("POST", board.dataset.moveUrl, {
      source: card,
      target: "#board-dialog",
      swap: "innerHTML",
      values: {
        task: card.dataset.id,
        status: event.to.dataset.status,
        before: cardId(neighbour(card, "previousElementSibling")),
        after: cardId(neighbour(card, "nextElementSibling"))
      }
    }).then(function () { card.classList.remove("is-saving"); });
    // Refused (WIP limit, predecessor not done): the card goes back where it was.
    card.addEventListener("htmx:afterRequest", function restore(after) {
      card.removeEventListener("htmx:afterRequest", restore);
      if (after.detail.successful) { return; }
      var anchor = event.from.children[event.oldIndex] || null;
      event.from.insertBefore(card, anchor === card ? card.nextSibling : anchor);
    });
  }

  function init(root) {
    if (typeof Sortable === "undefined") { return; }
    var lists = root.matches && root.matches(".board-cards") ? [root] : root.querySelectorAll(".board-cards");
    Array.prototype.forEach.call(lists, function (list) {
      if (list.dataset.sortable) { return; }
      list.dataset.sortable = "1";
      Sortable.create(list, {
        // Cards move between the columns of one lane: a lane's property or assignee is not changed by a drag.
        group: "board-lane-" + list.dataset.lane,
        draggable: ".board-card",
        filter: "select, button, input, label",
        preventOnFilter: false,
        forceFallback: true,
        fallbackTolerance: 4,
        animation: 150,
        disabled: phone.matches,
        onEnd: save
      });
    });
  }

  // htmx fires htmx:load on the body once it starts, then on every piece of content it swaps in.
  htmx.onLoad(init);
})();
