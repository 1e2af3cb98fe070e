// Drop zones for file inputs: <input type="file" data-dropzone="Drag a file here or choose one"> becomes a
// dashed zone that takes a dropped file and shows the chosen file's name and size. The input itself stays
// (transparent, over the whole zone): a click anywhere chooses a file, Tab reaches it and Space opens the
// chooser, and without JavaScript the plain input is there as it was.
(function () {
  "use strict";
  var lang = document.documentElement.lang || undefined;

  function size(bytes) {
    var units = [["megabyte", 1024 * 1024], ["kilobyte", 1024], ["byte", 1]];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][1] || units[i][1] === 1) {
        return new Intl.NumberFormat(lang, { style: "unit", unit: units[i][0], unitDisplay: "short", maximumFractionDigits: 1 })
          .format(bytes / units[i][1]);
      }
    }
    return "";
  }

  function iconSvg(name) {
    var sprite = document.body.getAttribute("data-icon-sprite");
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "icon dropzone-icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var use = document.createElementNS("http://www.w3.org/2000/svg", "use");
    use.setAttribute("href", sprite + "#" + name);
    svg.appendChild(use);
    return svg;
  }

  function show(zone, input) {
    var chosen = zone.querySelector(".dropzone-file");
    var files = Array.prototype.slice.call(input.files || []);
    zone.classList.toggle("has-file", files.length > 0);
    chosen.textContent = "";
    files.forEach(function (file) {
      var line = document.createElement("span");
      line.className = "dropzone-file-line";
      line.appendChild(iconSvg("file-spreadsheet"));
      var name = document.createElement("strong");
      name.className = "dropzone-name";
      name.textContent = file.name;
      var bytes = document.createElement("span");
      bytes.className = "dropzone-size";
      bytes.textContent = size(file.size);
      line.appendChild(name);
      line.appendChild(bytes);
      chosen.appendChild(line);
    });
  }

  function enhance(input) {
    if (input.closest(".dropzone")) { return; }
    var zone = document.createElement("div");
    zone.className = "dropzone";
    input.parentNode.insertBefore(zone, input);
    zone.appendChild(input);
    input.classList.add("dropzone-input");
    zone.appendChild(iconSvg("upload"));
    var prompt = document.createElement("span");
    prompt.className = "dropzone-prompt";
    prompt.textContent = input.getAttribute("data-dropzone");
    zone.appendChild(prompt);
    var chosen = document.createElement("span");
    chosen.className = "dropzone-file";
    chosen.setAttribute("aria-live", "polite");
    zone.appendChild(chosen);

    input.addEventListener("change", function () { show(zone, input); });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("is-over"); });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        if (!zone.contains(event.relatedTarget)) { zone.classList.remove("is-over"); }
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    // A file kept by the browser (Back, or a form shown again) shows at once.
    if (input.files && input.files.length) { show(zone, input); }
  }

  function init(root) {
    var inputs = root.matches && root.matches("input[type=file][data-dropzone]") ? [root] : root.querySelectorAll("input[type=file][data-dropzone]");
    Array.prototype.forEach.call(inputs, enhance);
  }

  if (window.htmx) { htmx.onLoad(init); }
  else { document.addEventListener("DOMContentLoaded", function () { init(document); }); }
})();
